// The operator at a real terminal (a pseudo-terminal): answers a confirm with a key, an interactive
// exec gets the keyboard, a failure is retried and another skipped with a reason; all journaled.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { journalEvents, runIdFromOutput } from '../helpers/crash.js';
import { runInPty } from '../helpers/pty.js';

const FIXTURE = join(ROOT, 'test/fixtures/tty/operator.ts');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

it('asks, hands over the terminal, and records every choice with the operator', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const store = join(dir, 'store');
  const s = runInPty(['run', FIXTURE, '-p', `dir=${dir}`, '--store', store, '--operator', 'dana', '--ui', 'plain']);

  await s.waitFor('Check the **monitoring** first.');
  await s.waitFor('Is the primary really down? [y/n]');
  s.type('maybe\r');
  await s.waitFor('answer y or n');
  s.type('y\r');
  await s.waitFor('cluster name? ');
  s.type('east-1\r');
  await s.waitFor('r) retry  s) skip  d) mark done by hand  a) abort');
  writeFileSync(join(dir, 'fixed'), '');
  s.type('r\r');
  await s.waitFor('step "broken" failed');
  await s.waitFor('abort > ');
  s.type('s\r');
  await s.waitFor('reason for skipping (recorded): ');
  s.type('known issue INC-42\r');
  const { code, output } = await s.exited;

  expect(code).toBe(0);
  expect(readFileSync(join(dir, 'vendor.txt'), 'utf8')).toBe('east-1\n');
  expect(existsSync(join(dir, 'last.txt'))).toBe(true);
  expect(output).toContain('DONE');

  const runId = runIdFromOutput(output);
  expect(runId).toBeDefined();
  const events = journalEvents(join(store, 'runs', `${String(runId)}.ndjson`));
  expect(events.find((e) => e.type === 'confirm-answered')).toMatchObject({ stepId: 'really', answer: true, by: 'dana', auto: false });
  const decisions = events.filter((e) => e.type === 'decision');
  expect(decisions).toMatchObject([
    { stepId: 'flaky', choice: 'retry', by: 'dana' },
    { stepId: 'broken', choice: 'skip', by: 'dana', reason: 'known issue INC-42' },
  ]);
  const finished = new Map(events.flatMap((e) => (e.type === 'step-finished' ? [[e.stepId, e] as const] : [])));
  expect(finished.get('vendor')).toMatchObject({ status: 'ok', attempts: 1 });
  expect(finished.get('flaky')).toMatchObject({ status: 'ok', attempts: 2 });
  expect(finished.get('broken')).toMatchObject({ status: 'skipped', reason: 'known issue INC-42', by: 'dana' });
  expect(finished.get('last')).toMatchObject({ status: 'ok' });

  // show tells the decision, not the failure it answered: the reason, who, then the error as context
  const shown = await runCli(['show', String(runId), '--store', store]);
  expect(shown.stdout).toMatch(/broken\s+exec\s+skipped .* — known issue INC-42 · by dana · after: /);
  expect(shown.stdout).toMatch(/^decisions\n {2}\S+ {2}flaky: retry by dana\n {2}\S+ {2}broken: skip by dana — known issue INC-42$/m);
});

it('answering no stops the run: exit 3, nothing after the confirm runs', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const s = runInPty(['run', FIXTURE, '-p', `dir=${dir}`, '--store', join(dir, 'store'), '--ui', 'plain']);
  await s.waitFor('Is the primary really down? [y/n]');
  s.type('n\r');
  const { code, output } = await s.exited;
  expect(code).toBe(3);
  expect(output).toContain('ABORTED');
  expect(existsSync(join(dir, 'vendor.txt'))).toBe(false);
});
