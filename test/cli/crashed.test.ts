// A run kill -9'ed mid-step is not "running" forever: `runs` and `show` see that its process is gone
// and say it crashed, with the command that resumes it. Fixture: test/fixtures/resume/resume.ts.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { countLines, kill9, killGroup, killStarted, runIdFromOutput, startCli, trackGroupFromPidFile, waitFor } from '../helpers/crash.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'resume', 'resume.ts');
const TOKEN = 'crashed-test-token';

const cleanups: (() => void)[] = [];
afterEach(async () => {
  await killStarted();
  for (const c of cleanups.splice(0)) c();
});

interface Row {
  runId: string;
  status: string;
  hint?: string;
  host?: string;
  pid?: number;
}

it('runs and show say "crashed" (with how to resume) once the run\'s process is gone, "running" while it lives', async () => {
  const t = tempDir('runbook-crashed-');
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'work');
  mkdirSync(dir);
  const file = join(t.dir, 'resume.ts');
  copyFileSync(FIXTURE, file);
  const store = join(t.dir, 'store');
  const cli = (args: readonly string[]): Promise<CliResult> => runCli([...args, '--store', store], { cwd: t.dir, env: { RESUME_TOKEN: TOKEN } });

  writeFileSync(join(dir, 'hold'), '');
  const live = startCli(['run', file, '--yes', '--store', store, '-p', `dir=${dir}`], { cwd: t.dir, env: { RESUME_TOKEN: TOKEN } });
  const diag = (): string => `--- stdout\n${live.stdout()}\n--- stderr\n${live.stderr()}`;
  const pgid = await waitFor('the long step to start', () => {
    if (live.done()) throw new Error(`the run ended early\n${diag()}`);
    return countLines(join(dir, 'counter'))['long'] === 1 ? trackGroupFromPidFile(join(dir, 'long.pid')) : undefined;
  }, { diag });
  const id = String(runIdFromOutput(live.stdout()));

  // Alive: running, no hint.
  const running = JSON.parse((await cli(['runs', '--json'])).stdout) as Row[];
  expect(running).toMatchObject([{ runId: id, status: 'running', pid: live.pid }]);
  expect(running[0]?.hint).toBeUndefined();

  await kill9(live);
  killGroup(pgid);
  rmSync(join(dir, 'hold'));

  const hint = `resume it: runbook resume ${id} --store ${store}`;
  const rows = JSON.parse((await cli(['runs', '--json'])).stdout) as Row[];
  expect(rows).toMatchObject([{ runId: id, status: 'crashed', hint, pid: live.pid }]);
  const text = await cli(['runs']);
  expect(text.stdout).toMatch(new RegExp(`^${id} +crashed .*${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));

  const shown = await cli(['show', id]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/^mode live · status crashed · started \S+ ago, not finished$/m);
  expect(shown.stdout).toContain(`\n${hint}\n`);
  expect(shown.stdout).toMatch(/long\s+exec\s+interrupted/);
  expect(JSON.parse((await cli(['show', id, '--json'])).stdout)).toMatchObject({ status: 'crashed', hint });

  // Resuming needs an operator: an empty --operator is refused (exit 2), and nothing is written.
  const before = readFileSync(join(store, 'runs', `${id}.ndjson`));
  const blank = await cli(['resume', id, '--retry-interrupted', '--operator', '']);
  expect(blank.code, blank.stdout + blank.stderr).toBe(2);
  expect(blank.stderr).toContain('--operator is empty');
  expect(readFileSync(join(store, 'runs', `${id}.ndjson`)).equals(before)).toBe(true);

  const resumed = await cli(['resume', id, '--retry-interrupted', '--operator', 'erin']);
  expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
  expect(JSON.parse((await cli(['runs', '--json'])).stdout)).toMatchObject([{ runId: id, status: 'done' }]);
  const after = await cli(['show', id]);
  expect(after.stdout).toMatch(/^resumed \S+ by erin on \S+$/m);
  expect(after.stdout).toMatch(/^decisions\n {2}\S+ {2}long: retry by erin\b/m);
});
