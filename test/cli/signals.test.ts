// SIGINT / SIGTERM during a running step: the command's whole process tree is killed, the journal
// says interrupted (the step is left for resume to ask about), and the CLI exits 130.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../interpreter/store/process-alive.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { journalEvents, killStarted, runIdFromOutput, startCli, waitFor } from '../helpers/crash.js';

const FIXTURE = join(ROOT, 'test/fixtures/signals/long-step.ts');

const cleanups: (() => void)[] = [];
afterEach(async () => {
  await killStarted();
  for (const c of cleanups.splice(0)) c();
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during a running step', (signal) => {
  it('kills the process tree, journals the interruption and exits 130', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const cli = startCli(['run', FIXTURE, '-p', `dir=${dir}`, '--store', store]);
    const pidFile = join(dir, 'grandchild.pid');
    await waitFor(`the long step to start (${pidFile})`, () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeoutMs: 15_000, diag: () => cli.stdout() + cli.stderr() });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(grandchild)).toBe(true);

    cli.child.kill(signal);
    const r = await cli.exited;
    expect(r.code).toBe(130);
    expect(r.stdout).toContain(`long interrupted by ${signal}`);
    expect(r.stdout).toContain('INTERRUPTED');
    await waitFor(`the step's grandchild ${grandchild} to be killed`, () => !processAlive(grandchild), { timeoutMs: 5_000 });

    const runId = runIdFromOutput(r.stdout);
    expect(runId).toBeDefined();
    const events = journalEvents(join(store, 'runs', `${String(runId)}.ndjson`));
    const types = events.map((e) => `${e.type}${'stepId' in e ? `:${e.stepId}` : ''}`);
    expect(types).toContain('step-interrupted:long');
    expect(types).not.toContain('step-finished:long');
    expect(types).not.toContain('step-started:after');
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'run-finished', status: 'interrupted', exitCode: 130 });
    expect(readFileSync(join(dir, 'ran.txt'), 'utf8')).toBe('before\n');
  });
});
