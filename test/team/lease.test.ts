// Leases per procedure + target, on both stores: two processes race, exactly one runs and the other
// exits 4 naming the holder; kill -9 the holder and its lease is taken over (the file store sees its
// process gone; PostgreSQL lets it expire after the heartbeat stops), recorded in the new run's
// journal; `runbook unlock` frees a lease, recorded in the holder's journal (by the holder if it still
// runs, which then stops before its next step; by unlock if it is gone).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countLines, kill9, killGroup, runIdFromOutput, trackGroupFromPidFile, waitFor, type LiveCli } from '../helpers/crash.js';
import { useStores, type TeamEnv } from './stores.js';

const HOLD = fileURLToPath(new URL('../fixtures/team/hold.ts', import.meta.url));
const kinds = useStores('rb-lease');
let clusters = 0;

interface Work {
  readonly dir: string;
  readonly cluster: string;
  args(operator: string): string[];
}

function work(e: TeamEnv): Work {
  const dir = join(e.dir, 'work');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hold'), '');
  const cluster = `c${++clusters}-${process.pid}`;
  return { dir, cluster, args: (operator) => ['run', HOLD, '--yes', '--ui', 'plain', '-p', `dir=${dir}`, '-p', `cluster=${cluster}`, '--operator', operator] };
}

/** Waits until the run holds (its first step started), remembering its shell's process group. */
async function holding(w: Work, cli: LiveCli): Promise<{ runId: string; pgid: number }> {
  const diag = (): string => `--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr()}`;
  const pgid = await waitFor('the run to reach its hold step', () => {
    if (cli.done()) throw new Error(`the run ended before holding\n${diag()}`);
    return countLines(join(w.dir, 'counter'))['hold'] === 1 ? trackGroupFromPidFile(join(w.dir, 'hold.pid')) : undefined;
  }, { diag });
  return { runId: String(runIdFromOutput(cli.stdout())), pgid };
}

describe.each(kinds)('leases, $name', (k) => {
  it.skipIf(k.skip)('two processes race for one lease: exactly one runs, the other exits 4 naming the holder; kill -9 the holder → its lease is taken over, recorded', async () => {
    const e = await k.make();
    const w = work(e);
    const a = e.start(w.args('alice'));
    const b = e.start(w.args('bob'));
    const loser = await waitFor('one of the two to exit', () => (a.done() ? a : b.done() ? b : undefined), { timeoutMs: 30_000 });
    const winner = loser === a ? b : a;
    const lost = await loser.exited;
    expect(lost.code, lost.stdout + lost.stderr).toBe(4);
    const held = await holding(w, winner);
    const holderName = winner === a ? 'alice' : 'bob';
    expect(lost.stderr).toContain(held.runId);
    expect(lost.stderr).toContain(holderName);
    expect(lost.stderr).toContain(hostname());
    expect(lost.stderr).toContain(`pid ${winner.pid}`);
    expect(lost.stderr).toContain(`team-hold:${w.cluster}`);
    expect(lost.stderr).not.toMatch(/\n\s+at /);
    expect(countLines(join(w.dir, 'counter'))).toEqual({ hold: 1 });
    // The refused run wrote no journal.
    expect(await e.runs()).toEqual([held.runId]);

    // kill -9 the holder: no release, no more heartbeats.
    expect((await kill9(winner)).signal).toBe('SIGKILL');
    killGroup(held.pgid);
    rmSync(join(w.dir, 'hold'));
    let r = await e.cli(w.args('carol'));
    for (let tries = 0; r.code === 4 && tries < 40; tries++) {
      // PostgreSQL: refused until the dead holder's heartbeat has been silent for the lease's TTL.
      expect(e.kind).toBe('postgres');
      await new Promise((res) => setTimeout(res, 250));
      r = await e.cli(w.args('carol'));
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runId = String(runIdFromOutput(r.stdout));
    const events = await e.events(runId);
    expect(events.find((x) => x.type === 'lock-takeover')).toMatchObject({
      type: 'lock-takeover', key: `team-hold:${w.cluster}`, previous: { runId: held.runId, operator: holderName, pid: winner.pid, host: hostname() },
    });
    expect(r.stdout).toContain(held.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done' });
    // Released at the end: the next run goes straight in, with no takeover.
    const again = await e.cli(w.args('dave'));
    expect(again.code, again.stderr).toBe(0);
    expect((await e.events(String(runIdFromOutput(again.stdout)))).some((x) => x.type === 'lock-takeover')).toBe(false);
  });

  it.skipIf(k.skip)('unlock of a running holder: the holder records who and why, stops before its next step (exit 130), and the lease is free', async () => {
    const e = await k.make();
    const w = work(e);
    const holder = e.start(w.args('alice'));
    const held = await holding(w, holder);
    const key = `team-hold:${w.cluster}`;

    const noReason = await e.cli(['unlock', key, '--operator', 'carol']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    const unknown = await e.cli(['unlock', 'nothing-here', '--reason', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No lease "nothing-here"');
    expect(unknown.stderr).toContain(key);

    const u = await e.cli(['unlock', key, '--reason', 'alice is stuck on a bad VPN', '--operator', 'carol']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(u.stdout).toContain(`Unlocked "${key}"`);
    expect(u.stdout).toContain('still running');
    rmSync(join(w.dir, 'hold')); // the step in flight ends normally; the run does not start the next one
    const r = await holder.exited;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stdout).toContain('unlocked by carol');
    expect(countLines(join(w.dir, 'counter'))).toEqual({ hold: 1 });
    const events = await e.events(held.runId);
    expect(events.find((x) => x.type === 'lease-unlocked')).toMatchObject({
      key, by: 'carol', host: hostname(), reason: 'alice is stuck on a bad VPN', holder: { runId: held.runId, operator: 'alice' },
    });
    expect(events.find((x) => x.type === 'step-finished' && x.stepId === 'hold')).toMatchObject({ status: 'ok' });
    expect(events.some((x) => x.type === 'step-started' && x.stepId === 'after')).toBe(false);
    const shown = await e.cli(['show', held.runId]);
    expect(shown.stdout).toContain('unlocked by carol');
    expect((await e.cli(['verify', held.runId])).code).toBe(0);
    // Free: a new run takes it at once.
    const next = await e.cli(w.args('bob'));
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });

  it.skipIf(k.skip)('unlock of a holder that is gone: unlock records it in the holder\'s journal itself', async () => {
    const e = await k.make();
    const w = work(e);
    // A long TTL: without unlock, a PostgreSQL lease would stay held for a minute.
    const holder = e.start(w.args('alice'), { RUNBOOK_LEASE_TTL_MS: '60000' });
    const held = await holding(w, holder);
    await kill9(holder);
    killGroup(held.pgid);
    rmSync(join(w.dir, 'hold'));
    const key = `team-hold:${w.cluster}`;
    const u = await e.cli(['unlock', key, '--reason', 'the laptop died', '--operator', 'carol']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(u.stdout).toContain('which is gone');
    expect(u.stdout).toContain(`Recorded in run ${held.runId}'s journal`);
    const events = await e.events(held.runId);
    expect(events.at(-1)).toMatchObject({ type: 'lease-unlocked', key, by: 'carol', reason: 'the laptop died', holder: { runId: held.runId, pid: holder.pid } });
    expect((await e.cli(['verify', held.runId])).code).toBe(0);
    const next = await e.cli(w.args('bob'), { RUNBOOK_LEASE_TTL_MS: '60000' });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(existsSync(join(w.dir, 'counter')) && readFileSync(join(w.dir, 'counter'), 'utf8')).toBe('hold\nhold\nafter\n');
  });
});
