// One live run per runbook (+ lockKey) at a time: a second live run exits 4 naming the holder; a
// dry-run is never blocked; a lock whose process is gone is taken over and the takeover journaled.
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_DIR, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { countLines, journalEvents, kill9, killGroup, killStarted, runIdFromOutput, startCli, trackGroupFromPidFile, waitFor, type LiveCli } from '../helpers/crash.js';

// `hold` waits while <dir>/hold-<cluster> exists (bounded to ~60 s so nothing lingers if a test dies),
// writing its shell's pid first so a test can kill its process group after a kill -9 of the CLI.
/** Locks are host-wide (RUNBOOK_LOCK_DIR, one per test file), not inside a store. */
function lockFiles(): string[] {
  return existsSync(LOCK_DIR) ? readdirSync(LOCK_DIR).filter((f) => f.endsWith('.lock')) : [];
}

const RUNBOOK = (lockKey: boolean): string => `
import { param, runbook, sh } from 'runbook';
export default runbook('lock-fixture', {
  title: 'Lock fixture',
  params: { dir: param.string(), cluster: param.string({ default: 'east' }) },
  ${lockKey ? 'lockKey: (c) => c.params.cluster,' : ''}
})
  .exec('hold', 'Hold the lock', sh\`cd \${(c) => c.params.dir} && echo $$ > \${(c) => 'hold-' + c.params.cluster + '.pid'} && echo hold-\${(c) => c.params.cluster} >> counter; n=0; while [ -e \${(c) => 'hold-' + c.params.cluster} ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done\`)
  .exec('after', 'After the hold', sh\`cd \${(c) => c.params.dir} && echo after-\${(c) => c.params.cluster} >> counter\`);
`;

interface Env {
  readonly root: string;
  readonly dir: string;
  readonly store: string;
  readonly file: string;
  counts(): Record<string, number>;
  cli(args: readonly string[]): Promise<CliResult>;
  /** Starts a live run that holds in its first step until `release(cluster)`. */
  hold(cluster: string, operator: string): Promise<{ cli: LiveCli; runId: string; pgid: number }>;
  release(cluster: string): void;
}

const cleanups: (() => void)[] = [];
afterEach(async () => {
  await killStarted();
  for (const c of cleanups.splice(0)) c();
});

function env(lockKey = false): Env {
  const t = tempDir('runbook-lock-');
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'work');
  mkdirSync(dir);
  const file = join(t.dir, 'lock.ts');
  writeFileSync(file, RUNBOOK(lockKey));
  const store = join(t.dir, 'store');
  const base = (cluster: string): string[] => ['run', file, '--yes', '--store', store, '-p', `dir=${dir}`, '-p', `cluster=${cluster}`];
  return {
    root: t.dir, dir, store, file,
    counts: () => countLines(join(dir, 'counter')),
    cli: (args) => runCli([...args, '--store', store], { cwd: t.dir }),
    async hold(cluster, operator) {
      writeFileSync(join(dir, `hold-${cluster}`), '');
      const cli = startCli([...base(cluster), '--operator', operator], { cwd: t.dir });
      const diag = (): string => `--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr()}`;
      const pgid = await waitFor(`the run on ${cluster} to reach its hold step`, () => {
        if (cli.done()) throw new Error(`the run on ${cluster} ended before its hold step\n${diag()}`);
        return countLines(join(dir, 'counter'))[`hold-${cluster}`] === 1 ? trackGroupFromPidFile(join(dir, `hold-${cluster}.pid`)) : undefined;
      }, { diag });
      const runId = runIdFromOutput(cli.stdout());
      expect(runId, diag()).toBeDefined();
      return { cli, runId: String(runId), pgid };
    },
    release(cluster) {
      rmSync(join(dir, `hold-${cluster}`), { force: true });
    },
  };
}

const runArgs = (e: Env, cluster: string, ...more: string[]): string[] => ['run', e.file, '--yes', '-p', `dir=${e.dir}`, '-p', `cluster=${cluster}`, ...more];

describe('the live-run lock', () => {
  it('a second live run of the same runbook exits 4 naming the holder (run id, operator, host, pid, start time); a dry-run is not blocked', async () => {
    const e = env();
    const before = Date.now();
    const first = await e.hold('east', 'alice');

    const second = await e.cli(runArgs(e, 'east', '--operator', 'bob'));
    expect(second.code, second.stdout + second.stderr).toBe(4);
    expect(second.stderr).toContain(first.runId);
    expect(second.stderr).toContain('alice');
    expect(second.stderr).toContain(hostname());
    expect(second.stderr).toContain(String(first.cli.pid));
    const started = /started (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(second.stderr)?.[1];
    expect(started, second.stderr).toBeDefined();
    const at = Date.parse(String(started));
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(second.stderr).not.toMatch(/\n\s+at /);
    // The refused run left no journal and ran nothing.
    expect(readdirSync(join(e.store, 'runs'))).toEqual([`${first.runId}.ndjson`]);
    expect(e.counts()).toEqual({ 'hold-east': 1 });

    // A dry-run touches nothing, so it needs no lock.
    const dry = await e.cli(runArgs(e, 'east', '--dry-run'));
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(e.counts()).toEqual({ 'hold-east': 1 });
    expect(first.cli.done()).toBe(false);

    // The holder finishes normally and releases the lock; the next live run proceeds.
    e.release('east');
    const r = await first.cli.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lockFiles()).toEqual([]);
    const third = await e.cli(runArgs(e, 'east'));
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(e.counts()).toEqual({ 'hold-east': 2, 'after-east': 2 });
  });

  it('the lock holds across working directories and stores: the same procedure started elsewhere exits 4', async () => {
    const e = env();
    const first = await e.hold('east', 'alice');
    const elsewhere = tempDir('runbook-lock-elsewhere-');
    cleanups.push(elsewhere.cleanup);
    const other = await runCli(['run', e.file, '--yes', '-p', `dir=${e.dir}`, '-p', 'cluster=east'], { cwd: elsewhere.dir });
    expect(other.code, other.stdout + other.stderr).toBe(4);
    expect(other.stderr).toContain(first.runId);
    expect(existsSync(join(elsewhere.dir, '.runbook', 'runs'))).toBe(false); // nothing journaled for the refused run
    e.release('east');
    expect((await first.cli.exited).code).toBe(0);
  });

  it('a stale lock (its run was kill -9ed) is taken over, and the takeover is journaled naming the previous run', async () => {
    const e = env();
    const dead = await e.hold('east', 'alice');
    const killed = await kill9(dead.cli);
    expect(killed.signal).toBe('SIGKILL');
    killGroup(dead.pgid);
    e.release('east');
    expect(lockFiles()).toHaveLength(1); // left behind by the killed run

    const r = await e.cli(runArgs(e, 'east', '--operator', 'bob'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runId = String(runIdFromOutput(r.stdout));
    expect(runId).not.toBe(dead.runId);
    const events = journalEvents(join(e.store, 'runs', `${runId}.ndjson`));
    const takeover = events.find((x) => x.type === 'lock-takeover');
    expect(takeover, JSON.stringify(events.map((x) => x.type))).toBeDefined();
    expect(takeover).toMatchObject({ type: 'lock-takeover', key: 'lock-fixture', previous: { runId: dead.runId, operator: 'alice', pid: dead.cli.pid, host: hostname() } });
    expect(r.stdout).toContain(dead.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
    // Released after the run.
    expect(lockFiles()).toEqual([]);
  });

  it('lockKey scopes the lock: another cluster proceeds concurrently, the same cluster is blocked', async () => {
    const e = env(true);
    const east = await e.hold('east', 'alice');

    const west = await e.cli(runArgs(e, 'west', '--operator', 'bob'));
    expect(west.code, west.stdout + west.stderr).toBe(0);
    expect(east.cli.done()).toBe(false); // really concurrent: east still holds
    const westId = String(runIdFromOutput(west.stdout));
    expect(journalEvents(join(e.store, 'runs', `${westId}.ndjson`))[0]).toMatchObject({ type: 'run-started', lockKey: 'west' });

    const eastAgain = await e.cli(runArgs(e, 'east', '--operator', 'carol'));
    expect(eastAgain.code, eastAgain.stdout + eastAgain.stderr).toBe(4);
    expect(eastAgain.stderr).toContain(east.runId);
    expect(eastAgain.stderr).toContain('east');
    expect(eastAgain.stderr).toContain('alice');
    expect(e.counts()).toEqual({ 'hold-east': 1, 'hold-west': 1, 'after-west': 1 });

    e.release('east');
    const r = await east.cli.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(e.counts()).toEqual({ 'hold-east': 1, 'after-east': 1, 'hold-west': 1, 'after-west': 1 });
  });
});
