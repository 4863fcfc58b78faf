// Ctrl-C at a prompt, on a real terminal: readline has the terminal in raw mode, so the key arrives
// as input, not as a signal. It must still interrupt the run (journaled, exit 130), and resume
// simply asks the unanswered confirmation again.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { countLines, journalEvents, kill9, killGroup, killStarted, runIdFromOutput, startCli, trackGroupFromPidFile, waitFor } from '../helpers/crash.js';
import { runInPty } from '../helpers/pty.js';

const FIXTURE = join(ROOT, 'test/fixtures/tty/operator.ts');
const RESUME_FIXTURE = join(ROOT, 'test/fixtures/resume/resume.ts');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

it('Ctrl-C at the confirm prompt interrupts the run (exit 130, journaled); resume asks again', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const store = join(dir, 'store');
  const s = runInPty(['run', FIXTURE, '-p', `dir=${dir}`, '--store', store, '--ui', 'plain']);
  await s.waitFor('Is the primary really down? [y/n]');
  s.type('\x03');
  const { code, output } = await s.exited;
  expect(code, output).toBe(130);
  expect(output).toContain('INTERRUPTED');
  const runId = String(runIdFromOutput(output));
  expect(output).toContain(`to continue: runbook resume ${runId}`);
  const events = journalEvents(join(store, 'runs', `${runId}.ndjson`));
  expect(events.find((e) => e.type === 'step-interrupted')).toMatchObject({ stepId: 'really' });
  expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'interrupted', exitCode: 130 });
  expect(existsSync(join(dir, 'vendor.txt'))).toBe(false);

  // Without a terminal the interactive vendor step cannot run, so check the confirm is re-asked
  // on a terminal: the resumed run shows the question again.
  const again = runInPty(['resume', runId, '--store', store, '--ui', 'plain']);
  await again.waitFor('Is the primary really down? [y/n]');
  again.type('n\r');
  const r = await again.exited;
  expect(r.code, r.output).toBe(3);
  const after = journalEvents(join(store, 'runs', `${runId}.ndjson`));
  expect(after.find((e) => e.type === 'decision')).toMatchObject({ stepId: 'really', choice: 'retry', note: 'unanswered confirmation asked again on resume' });
  expect(after.filter((e) => e.type === 'confirm-answered')).toMatchObject([{ stepId: 'really', answer: false }]);
});

it('Ctrl-C at resume\'s question about an interrupted step cancels the resume (exit 130), changes nothing, releases the lock', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const store = join(dir, 'store');
  const work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'hold'), '');
  const env = { RESUME_TOKEN: 'tty-interrupt-token' };
  const cli = startCli(['run', RESUME_FIXTURE, '--yes', '--store', store, '-p', `dir=${work}`], { env });
  const pgid = await waitFor('the long step to start', () => (countLines(join(work, 'counter'))['long'] === 1 ? trackGroupFromPidFile(join(work, 'long.pid')) : undefined));
  const runId = String(runIdFromOutput(cli.stdout()));
  await kill9(cli);
  killGroup(pgid);
  rmSync(join(work, 'hold'));
  const journal = join(store, 'runs', `${runId}.ndjson`);
  const before = readFileSync(journal);

  const s = runInPty(['resume', runId, '--store', store, '--ui', 'plain'], env);
  await s.waitFor('r) run it again  d) mark done by hand  a) cancel >');
  s.type('\x03');
  const { code, output } = await s.exited;
  expect(code, output).toBe(130);
  expect(output).toContain('Interrupted at the prompt (Ctrl-C); nothing was changed.');
  expect(output).not.toMatch(/\n\s+at /);
  expect(readFileSync(journal).equals(before)).toBe(true);

  // The lock taken for the resume was released: the run can be resumed at once.
  const again = runInPty(['resume', runId, '--store', store, '--ui', 'plain', '--retry-interrupted'], env);
  const r = await again.exited;
  expect(r.code, r.output).toBe(0);
  await killStarted();
});
