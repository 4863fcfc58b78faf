// The everyday commands on both stores: run, runs, show, report read and write through the store
// (RUNBOOK_STORE works like --store), and a run killed mid-step resumes from the store, continuing
// its journal's hash chain across the two sessions.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { countLines, kill9, killGroup, runIdFromOutput, trackGroupFromPidFile, waitFor } from '../helpers/crash.js';
import { FAST_LEASES, useStores } from './stores.js';

const SMALL = fileURLToPath(new URL('../fixtures/team/small.ts', import.meta.url));
const HOLD = fileURLToPath(new URL('../fixtures/team/hold.ts', import.meta.url));
const kinds = useStores('rb-commands');

describe.each(kinds)('run, runs, show, report and resume, $name', (k) => {
  it.skipIf(k.skip)('runs list it, show and report read it, the end-of-run report is written here; RUNBOOK_STORE works like --store', async () => {
    const e = await k.make();
    const r = await e.cli(['run', SMALL, '--ui', 'plain', '--operator', 'dana']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runId = String(runIdFromOutput(r.stdout));
    expect(r.stdout).toContain(`Report: `);
    const report = join(e.kind === 'file' ? join(e.store, 'reports') : join(e.dir, '.runbook', 'reports'), `${runId}.md`);
    expect(readFileSync(report, 'utf8')).toContain('# Run report: Small');

    const runs = await e.cli(['runs', '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ runId, runbookId: 'small', status: 'done', mode: 'live', operator: 'dana' }]);
    const shown = await e.cli(['show', 'last', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ runId, status: 'done', steps: [{ id: 'one', status: 'ok' }, { id: 'two', status: 'ok' }, { id: 'three', status: 'ok' }, { id: 'four', status: 'ok' }] });
    const rep = await e.cli(['report', runId.slice(0, 18), '--format', 'json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout)).toMatchObject({ run: { id: runId } });

    // The same store through the environment.
    const viaEnv = await runCli(['runs'], { cwd: e.dir, env: { RUNBOOK_STORE: e.store } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stdout).toContain(runId);
    expect(viaEnv.stdout).not.toContain(e.kind === 'postgres' ? new URL(e.store).password : '\0');
  });

  it.skipIf(k.skip)('a run killed mid-step resumes from the store (at once: its own crashed lease is taken over), continuing the hash chain', async () => {
    const e = await k.make();
    const dir = join(e.dir, 'work');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hold'), '');
    const args = ['-p', `dir=${dir}`, '-p', `cluster=resume-${e.kind}`];
    // A long lease: a resume must not need to wait for it.
    const cli = e.start(['run', HOLD, '--yes', '--ui', 'plain', ...args], { RUNBOOK_LEASE_TTL_MS: '60000' });
    const pgid = await waitFor('the hold step', () => (countLines(join(dir, 'counter'))['hold'] === 1 ? trackGroupFromPidFile(join(dir, 'hold.pid')) : undefined));
    const runId = String(runIdFromOutput(cli.stdout()));
    await kill9(cli);
    killGroup(pgid);
    rmSync(join(dir, 'hold'));
    const shown = await e.cli(['show', runId]);
    expect(shown.stdout).toMatch(/status crashed/);
    const r = await e.cli(['resume', runId, '--retry-interrupted', '--yes', '--ui', 'plain', ...args], { ...FAST_LEASES, RUNBOOK_LEASE_TTL_MS: '60000' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(countLines(join(dir, 'counter'))).toEqual({ hold: 2, after: 1 });
    const events = await e.events(runId);
    expect(events.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((x) => x.type === 'run-resumed')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done' });
    const v = await e.cli(['verify', runId]);
    expect(v.code, v.stdout).toBe(0);
  });
});
