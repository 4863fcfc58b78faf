// Simulation end to end through the CLI: the scenario drives outcomes, the clock is simulated, and
// --auto runs the exercise unattended (as in CI). The journal is the evidence.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const FIX = (f: string): string => fileURLToPath(new URL(`../fixtures/simulate/${f}`, import.meta.url));
const RUNBOOK = FIX('failover.ts');

interface Ev { type: string; stepId?: string; status?: string; attempt?: number; attempts?: number; choice?: string; by?: string; auto?: boolean;
  simAtMs?: number; atMs?: number; message?: string; durationMs?: number; simDurationMs?: number; value?: unknown; error?: string; reason?: string;
  mode?: string; scenario?: { name: string; file: string | null } | null; decideMs?: number; result?: Record<string, unknown> }

let tmp: { dir: string; cleanup: () => void };
let store: string;
let marker: string;
beforeEach(() => {
  tmp = tempDir('runbook-sim-');
  store = join(tmp.dir, 'store');
  marker = join(tmp.dir, 'marker');
});
afterEach(() => tmp.cleanup());

async function simulate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; events: Ev[] }> {
  const r = await runCli(['run', RUNBOOK, '--ui', 'plain', '--store', store, '-p', `marker=${marker}`, ...args]);
  const runs = existsSync(join(store, 'runs')) ? readdirSync(join(store, 'runs')) : [];
  const events = runs.length ? readFileSync(join(store, 'runs', runs[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev) : [];
  return { ...r, events };
}

const finished = (events: Ev[], id: string): Ev | undefined => events.find((e) => e.type === 'step-finished' && e.stepId === id);

describe('run --simulate <scenario> --auto', () => {
  it('takes the scripted path: a check retried until a scheduled event, a fault retried by the scenario, then success; RTO in simulated time', async () => {
    const r = await simulate('--simulate', FIX('lagging.yaml'), '--auto');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    expect(ev[0]).toMatchObject({ type: 'run-started', mode: 'simulate', scenario: { name: 'Standby lagging after the outage', file: FIX('lagging.yaml') } });

    // primary-down 30s, really-down decided in 2m (scenario), standby-lag polls: at 2m30s lag is 300 MB (fails, retry in 30s,
    // 10s per poll), the event at 3m sets lag 0, the second poll at 3m10s passes.
    expect(finished(ev, 'primary-down')).toMatchObject({ status: 'ok', durationMs: 30_000, simAtMs: 30_000 });
    expect(ev.find((e) => e.type === 'confirm-answered')).toMatchObject({ answer: true, by: 'scenario', auto: true, simAtMs: 150_000 });
    const lagFail = ev.filter((e) => e.type === 'attempt-failed' && e.stepId === 'standby-lag');
    expect(lagFail).toHaveLength(1);
    expect(lagFail[0]?.error).toContain('got 300000000');
    const simEvent = ev.find((e) => e.type === 'sim-event');
    expect(simEvent).toMatchObject({ atMs: 180_000, message: 'the standby has caught up (lag 0)', set: { lagBytes: 0 } });
    expect(ev.indexOf(simEvent!)).toBeGreaterThan(ev.indexOf(lagFail[0]!));
    expect(finished(ev, 'standby-lag')).toMatchObject({ status: 'ok', attempts: 2, value: 0, durationMs: 50_000, simAtMs: 200_000 });

    // fence-old fails once (scripted), the scenario answers the failure menu with retry, then it passes
    expect(ev.filter((e) => e.type === 'attempt-failed' && e.stepId === 'fence-old').map((e) => e.error)).toEqual(['ssh: connection timed out']);
    expect(ev.find((e) => e.type === 'decision' && e.stepId === 'fence-old')).toMatchObject({ choice: 'retry', by: 'scenario' });
    expect(finished(ev, 'fence-old')).toMatchObject({ status: 'ok', attempts: 2, durationMs: 120_000 });
    // promote takes its estimate (2m); the leader check's output goes through the step's own parse
    expect(finished(ev, 'promote')).toMatchObject({ status: 'ok', durationMs: 120_000 });
    expect(finished(ev, 'leader')).toMatchObject({ status: 'ok', value: 'pg2', durationMs: 15_000 });
    // the notification is captured with its message, not sent
    expect(finished(ev, 'tell')?.result).toMatchObject({ channel: 'webhook', message: 'Failover done; leader pg2', simulated: true });

    // simulated RTO: 30s + 2m + 50s + 2m + 2m + 15s + 2s = 7m37s
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done', simDurationMs: 457_000 });
    expect(end.durationMs).toBeLessThan(457_000); // real time is not simulated time
    expect(r.stdout).toContain('simulated 7m37s of RTO 15m00s');
    expect(r.stdout).toContain('⏱ scenario at 3m00s: the standby has caught up (lag 0)');
    expect(existsSync(marker)).toBe(false);
  });

  it('the exercise ends with a report the DR coordinator can file: simulated RTO, decisions, scenario events, captured notifications', async () => {
    const r = await simulate('--simulate', FIX('lagging.yaml'), '--auto');
    expect(r.code).toBe(0);
    const path = /Report: (\S+)/.exec(r.stdout)?.[1];
    expect(path).toBeDefined();
    const md = readFileSync(path!, 'utf8');
    expect(md).toContain('**SIMULATION**');
    expect(md).toContain('achieved 7m37s (simulated time) · **within target**');
    expect(md).toContain('| +3m00s | the standby has caught up (lag 0) | lagBytes = 0 |');
    expect(md).toContain('captured, not sent (simulation) | Failover done; leader pg2 |');
    expect(md).toMatch(/\| `fence-old` \| after failure: retry \| scenario \| automatic/);
    const json = await runCli(['report', 'last', '--format', 'json', '--store', store]);
    const report = JSON.parse(json.stdout) as { run: { mode: string; scenario: { name: string } } };
    expect(report.run).toMatchObject({ mode: 'simulate', scenario: { name: 'Standby lagging after the outage' } });
  });

  it('plays the typed TS scenario the same way, with values computed from the scenario state', async () => {
    const r = await simulate('--simulate', FIX('lagging.scenario.ts'), '--auto');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.events[0]?.scenario?.name).toBe('Standby lagging (typed)');
    expect(finished(r.events, 'standby-lag')).toMatchObject({ status: 'ok', attempts: 2 });
    // the leader check ends at 7m35s, after "DNS has propagated" at 6m
    expect(finished(r.events, 'leader')).toMatchObject({ status: 'ok', value: 'pg2' });
    expect(r.events.filter((e) => e.type === 'sim-event').map((e) => e.message)).toEqual(['the standby has caught up (lag 0)', 'DNS has propagated']);
  });

  it('a fault the participants cannot fix: retried once, then aborted, as the scenario says; exit 3', async () => {
    const r = await simulate('--simulate', FIX('failing.yaml'), '--auto');
    expect(r.code).toBe(3);
    const decisions = r.events.filter((e) => e.type === 'decision').map((e) => e.choice);
    expect(decisions).toEqual(['retry', 'abort']);
    expect(finished(r.events, 'promote')).toMatchObject({ status: 'failed', attempts: 2, error: 'precheck: standby not in recovery' });
    expect(finished(r.events, 'leader')).toBeUndefined();
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted' });
  });

  it('a state condition that holds: the scenario skips the step with a reason and the run goes on', async () => {
    const r = await simulate('--simulate', FIX('skip-leader.yaml'), '--auto');
    expect(r.code).toBe(0);
    expect(finished(r.events, 'leader')).toMatchObject({ status: 'skipped', by: 'scenario' });
    expect(finished(r.events, 'leader')?.reason).toContain('patronictl cannot reach the DCS');
    expect(finished(r.events, 'tell')).toMatchObject({ status: 'ok' });
  });

  it('a scenario may set params for the branch it rehearses; a -p flag still wins', async () => {
    const file = join(tmp.dir, 'params.yaml');
    writeFileSync(file, 'params: { standby: db-from-scenario }\n');
    const a = await simulate('--simulate', file, '--auto');
    expect(a.code).toBe(0);
    expect((a.events[0] as { params?: Record<string, unknown> }).params?.['standby']).toBe('db-from-scenario');
  });

  it('the default scenario: every step succeeds, each taking its estimate', async () => {
    const r = await simulate('--simulate', '--auto');
    expect(r.code).toBe(0);
    expect(r.events[0]?.scenario).toMatchObject({ name: 'default: every step succeeds', file: null });
    expect(r.events.filter((e) => e.type === 'step-finished').every((e) => e.status === 'ok')).toBe(true);
    // 20s + 2m + 10s + 1m + 2m + 15s + 2s (notify default)
    expect(r.events.at(-1)?.simDurationMs).toBe(20_000 + 120_000 + 10_000 + 60_000 + 120_000 + 15_000 + 2_000);
  });

  it('resumes an aborted exercise on its simulated clock, after the facilitator changed the scenario; past events are not told again', async () => {
    const file = join(tmp.dir, 'scenario.yaml');
    copyFileSync(FIX('lagging.yaml'), file);
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('  leader:\n', '  promote:\n    fail: 9\n    onFailure: abort\n  leader:\n')}`);
    const first = await simulate('--simulate', file, '--auto');
    expect(first.code).toBe(3);
    const abortedAt = finished(first.events, 'promote')?.simAtMs ?? 0;
    expect(abortedAt).toBeGreaterThan(180_000);
    const runId = String((first.events[0] as { runId?: string }).runId);

    writeFileSync(file, readFileSync(file, 'utf8').replace('    fail: 9\n    onFailure: abort\n', ''));
    const r = await runCli(['resume', runId, '--auto', '--ui', 'plain', '--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const all = readFileSync(join(store, 'runs', readdirSync(join(store, 'runs'))[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
    const resumed = all.slice(first.events.length);
    expect(resumed[0]?.type).toBe('run-resumed');
    const promote = resumed.find((e) => e.type === 'step-finished' && e.stepId === 'promote');
    expect(promote).toMatchObject({ status: 'ok', simAtMs: abortedAt + 120_000 });
    expect(resumed.filter((e) => e.type === 'sim-event')).toEqual([]);
    expect(all.filter((e) => e.type === 'sim-event')).toHaveLength(1);
    expect(resumed.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', simDurationMs: abortedAt + 120_000 + 15_000 + 2_000 });
  });

  it('a scenario function that throws is reported as a scenario bug and stops the unattended run (no retries of a bug)', async () => {
    const file = join(tmp.dir, 'buggy.scenario.ts');
    writeFileSync(file, `import { scenario } from 'runbook';\nimport failover from '${RUNBOOK.replace(/\.ts$/, '.js')}';\nexport default scenario(failover, { name: 'buggy', state: { lag: 1 }, steps: { 'standby-lag': { output: (s) => (s as unknown as { x: { y: string } }).x.y } } });\n`);
    const r = await simulate('--simulate', file, '--auto');
    expect(r.code).toBe(3);
    const failed = finished(r.events, 'standby-lag');
    expect(failed?.error).toMatch(/^scenario bug in steps\.standby-lag\.output: Cannot read properties of undefined/);
    expect(r.events.filter((e) => e.type === 'decision').map((e) => e.choice)).toEqual(['abort']);
  });

  it('a step that never recovers stops after 20 automatic decisions, with a warning saying why', async () => {
    const file = join(tmp.dir, 'forever.yaml');
    writeFileSync(file, 'steps:\n  fence-old:\n    fail: 1000\n    onFailure: retry\n');
    const r = await simulate('--simulate', file, '--auto');
    expect(r.code).toBe(3);
    expect(r.events.filter((e) => e.type === 'decision' && e.choice === 'retry')).toHaveLength(20);
    expect(r.events.find((e) => e.type === 'warning')?.message).toContain('20 failure decisions for this step already');
    expect(r.stdout).toContain('not achieved: the run did not complete');
    expect(r.stdout).toContain('to continue: runbook resume');
  });

  it('without --auto and without a terminal it refuses before the first step, pointing at --auto', async () => {
    const r = await simulate('--simulate', FIX('lagging.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--auto');
    expect(r.events).toEqual([]);
  });

  it('flag combinations that make no sense are usage errors', async () => {
    for (const args of [['--simulate', '--dry-run'], ['--auto'], ['--simulate', '--yes']]) {
      const r = await simulate(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
