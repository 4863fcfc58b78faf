// Patroni through the CLI against a real cluster: etcd and two Patroni 3.0 nodes managing PostgreSQL 15,
// started by the test on 127.0.0.1. The switchover is done for real by patroni.switchover, and verified
// the way an operator would: the candidate leads and the old leader runs again as a replica on the new
// timeline. Refusals (ours in the precheck, Patroni's own) fail with the reason; dry-run calls nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { onlyRun } from '../helpers/store.js';
import { PG_REQUIREMENT } from '../helpers/servers/postgres.js';
import { patroni } from '../../dsl/actions/patroni.js';
import { ACTION_BRAND } from '../../dsl/brand.js';
import type { PromoteNode, RunbookPlan, RuntimeCtx } from '../../dsl/nodes.js';
import { runLive } from '../../interpreter/adapters/live.js';
import { RunResources } from '../../interpreter/engine/resources.js';
import type { ActionEnv } from '../../interpreter/modes/types.js';
import { ETCD_REQUIREMENT, healthy, PATRONI_REQUIREMENT, startPatroniCluster, type PatroniCluster } from '../helpers/servers/patroni.js';

const HAVE = requires(PATRONI_REQUIREMENT) && requires(ETCD_REQUIREMENT) && requires(PG_REQUIREMENT);
const SWITCHOVER = fileURLToPath(new URL('../fixtures/patroni/switchover.ts', import.meta.url));
const FAILOVER = fileURLToPath(new URL('../fixtures/patroni/failover.ts', import.meta.url));
const SCHEDULED_PAST = fileURLToPath(new URL('../fixtures/patroni/scheduled-past.ts', import.meta.url));

interface Ev { type: string; stepId?: string; status?: string; result?: unknown; error?: string }

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-patroni-it-');
});
afterEach(() => tmp.cleanup());

const store = (): string => join(tmp.dir, 'store');
function finished(): Map<string, Ev> {
  const evs = readFileSync(onlyRun(store()), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
  return new Map(evs.filter((e) => e.type === 'step-finished').map((e) => [e.stepId ?? '', e]));
}
function run(file: string, args: readonly string[]): Promise<CliResult> {
  return runCli(['run', file, '--store', store(), '--ui', 'plain', ...args], { cwd: tmp.dir, timeoutMs: 150_000 });
}

describe.skipIf(!HAVE)('patroni: switchover through the REST API (real etcd + 2 Patroni nodes + PostgreSQL 15)', () => {
  let cluster: PatroniCluster | undefined;
  let setupMs = 0;
  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await startPatroniCluster();
    setupMs = Date.now() - t0;
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function roles(): Promise<{ leader: string; replica: string; timeline: number }> {
    const v = await (cluster as PatroniCluster).cluster();
    const leader = v.members.find((m) => m.role === 'leader');
    const replica = v.members.find((m) => m !== leader);
    return { leader: leader?.name ?? '', replica: replica?.name ?? '', timeline: leader?.timeline ?? 0 };
  }
  const apis = (): string[] => (cluster as PatroniCluster).nodes.flatMap((n, i) => ['-p', `api${i}=${n.api}`]);

  it('refuses a candidate that is not a member, in the precheck, naming the members; nothing is asked of Patroni', async () => {
    const before = await roles();
    const r = await run(SWITCHOVER, [...apis(), '-p', `leader=${before.leader}`, '-p', 'candidate=pg9', '--yes']);
    expect(r.code).toBe(1);
    const f = finished();
    expect(f.get('switchover')?.status).toBe('failed');
    expect(f.get('switchover')?.error).toMatch(/^precheck failed: "pg9" is not a member of the cluster \(members: pg0 \(\w+, running, TL \d+\), pg1 \(\w+, running, TL \d+, lag \d+\)\)\./);
    expect(Object.keys((f.get('switchover')?.result as { stages: object }).stages)).toEqual(['precheck']);
    expect(await roles()).toEqual(before);
    expect(r.stderr).toBe('');
  });

  it("Patroni's own refusal of an unknown candidate, asked directly (the request stage without our precheck), is ok:false with its text", async () => {
    const before = await roles();
    const promotion = (patroni.switchover({ api: (cluster as PatroniCluster).nodes.map((n) => n.api), leader: before.leader, candidate: 'pg9' }) as unknown as Record<PropertyKey, PromoteNode>)[ACTION_BRAND] as PromoteNode;
    const resources = new RunResources();
    const ctx = { params: {}, steps: {}, run: { id: 'r', runbookId: 'rb', mode: 'live', operator: 't', startedAt: '' } } as unknown as RuntimeCtx;
    const env: ActionEnv = {
      stepId: 's', ctx, timeoutMs: 30_000, signal: new AbortController().signal, interactive: false, onOutput: () => undefined, redact: (t) => t,
      runbookId: 'rb', runId: 'r', resources, progress: { plan: {} as RunbookPlan, outputs: new Map(), startedAtMs: Date.now(), now: () => Date.now() },
    };
    const o = await runLive(promotion.action, env);
    expect(o.ok).toBe(false);
    expect(o.error).toBe('Patroni refused the switchover (412): candidate does not exists');
    expect(o.result).toMatchObject({ ok: false, facts: { message: 'candidate does not exists' }, status: 412 });
    expect(await roles()).toEqual(before);
  });

  it("a refusal by Patroni itself fails with Patroni's message (switchover scheduled in the past: 422)", async () => {
    const before = await roles();
    const r = await run(SCHEDULED_PAST, ['-p', `api=${(cluster as PatroniCluster).nodes[0]?.api ?? ''}`, '-p', `leader=${before.leader}`, '-p', `candidate=${before.replica}`, '--yes']);
    expect(r.code).toBe(1);
    const f = finished();
    expect(f.get('switchover')?.error).toBe('action failed: Patroni refused the switchover (422): Cannot schedule switchover in the past');
    expect(f.get('switchover')?.result).toMatchObject({ ok: false, failedStage: 'action', driver: 'patroni', message: 'Cannot schedule switchover in the past' });
    expect(r.stdout).toContain(`POST ${(cluster as PatroniCluster).nodes[0]?.api ?? ''}/switchover {"leader":"${before.leader}","candidate":"${before.replica}","scheduled_at":"2001-01-01T00:00:00+00:00"}`);
    expect(await roles()).toEqual(before);
  });

  it('switches over with the driver: the candidate leads, the old leader follows on the new timeline; old → new recorded', async () => {
    const before = await roles();
    const t0 = Date.now();
    const r = await run(SWITCHOVER, [...apis(), '-p', `leader=${before.leader}`, '-p', `candidate=${before.replica}`, '--yes']);
    const switchMs = Date.now() - t0;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = finished();
    expect([...f.values()].map((e) => `${e.stepId}:${e.status}`)).toEqual(['cluster-before:ok', 'switchover:ok', 'cluster-after:ok']);
    const result = f.get('switchover')?.result as Record<string, unknown> & { stages: Record<string, { text: string }> };
    expect(result).toMatchObject({
      ok: true, driver: 'patroni', operation: 'switchover', oldPrimary: before.leader, newPrimary: before.replica,
      timelineBefore: before.timeline, timelineAfter: before.timeline + 1, scheduledAt: null,
    });
    expect(result['message']).toBe(`Successfully switched over to "${before.replica}"`);
    expect(Object.keys(result.stages)).toEqual(['precheck', 'action', 'verify']);
    expect(result.stages['precheck']?.text).toContain('≤ 1048576 (maximum_lag_on_failover from GET');
    expect(r.stdout).toContain(`[done] primary: ${before.leader} → ${before.replica}`);
    expect(r.stdout).toContain(`follows as a replica on the same timeline`);
    // For real, seen from outside: roles swapped, both on the new timeline.
    const after = await (cluster as PatroniCluster).cluster();
    expect(healthy(after)).toBe(true);
    expect(await roles()).toEqual({ leader: before.replica, replica: before.leader, timeline: before.timeline + 1 });
    process.stderr.write(`patroni suite: cluster start ${(setupMs / 1000).toFixed(1)} s, switchover run ${(switchMs / 1000).toFixed(1)} s\n`);
  });

  it('fails over to a named candidate with patroni.failover (POST /failover) and waits until it leads', async () => {
    const before = await roles();
    const r = await run(FAILOVER, [...apis(), '-p', `candidate=${before.replica}`, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = finished().get('failover')?.result as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, operation: 'failover', oldPrimary: before.leader, newPrimary: before.replica, timelineBefore: before.timeline });
    expect(result['timelineAfter']).toBeGreaterThan(before.timeline);
    expect(r.stdout).toContain(`POST ${(cluster as PatroniCluster).nodes[0]?.api ?? ''}/failover {"candidate":"${before.replica}"}`);
    expect((await roles()).leader).toBe(before.replica);
  });

  it('dry-run shows the HTTP calls and calls nothing', async () => {
    const before = await roles();
    const r = await run(SWITCHOVER, [...apis(), '-p', `leader=${before.leader}`, '-p', `candidate=${before.replica}`, '--dry-run']);
    expect(r.code).toBe(0);
    const [a0, a1] = (cluster as PatroniCluster).nodes.map((n) => n.api);
    expect(r.stdout).toContain(`GET ${a0}/cluster (else ${a1}/cluster) (read-only)`);
    expect(r.stdout).toContain(`POST ${a0}/switchover (else ${a1}/switchover) {"leader":"${before.leader}","candidate":"${before.replica}"}`);
    expect(r.stdout).toContain(`until "${before.replica}" is the running leader and "${before.leader}" runs as a replica on its timeline`);
    expect(await roles()).toEqual(before);
  });
});
