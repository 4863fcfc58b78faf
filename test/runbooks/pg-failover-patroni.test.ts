// runbooks/pg-failover-patroni.ts without touching anything: lint, dry-run (patronictl list, the REST
// switchover with its lag bound, the verification and the Conjur checks), and its tabletop scenarios with
// --auto, asserting the path each one takes from the journal.
import { describe, expect, it } from 'vitest';
import { dryRun, expectLintClean, simulate, statuses, took, useTempDir } from '../helpers/runbooks.js';

const ID = 'pg-failover-patroni';
const tmp = useTempDir('runbook-pgfo-patroni-', 'file');

describe(`${ID}: review`, () => {
  it('is lint clean', () => expectLintClean(ID));

  it('dry-run shows patronictl list as the guide runs it, the REST switchover with the 1 MiB bound, and the checks after it; exit 0', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('sh: kubectl exec -n conjur-system patroni-0 -- patronictl list');
    expect(out).toContain('precheck: GET http://patroni-0.patroni.conjur-system.svc:8008/cluster (else http://patroni-1.patroni.conjur-system.svc:8008/cluster): the leader is "patroni-0"; "patroni-1" is a replica, running or streaming, lag ≤ 1048576 bytes');
    expect(out).toContain('promote:  POST http://patroni-0.patroni.conjur-system.svc:8008/switchover (else http://patroni-1.patroni.conjur-system.svc:8008/switchover) {"leader":"patroni-0","candidate":"patroni-1"}');
    expect(out).toContain('promote:  POST http://patroni-0.patroni.conjur-system.svc:8008/failover (else http://patroni-1.patroni.conjur-system.svc:8008/failover) {"candidate":"patroni-1"}');
    expect(out).toContain('sh: kubectl logs -n conjur-system -l app=conjur --tail=100 | grep -i database');
    expect(out).toContain('GET https://conjur.internal/health (expect $.database.ok = true)');
    expect(out).toContain('nothing was run');
  });

  it('dry-run against a local cluster: patronictl from a config file, the API list from the param', async () => {
    const r = await dryRun(ID, tmp.dir, ['-p', 'patronictl=patronictl -c /etc/patroni/pg0.yml', '-p', 'api=http://127.0.0.1:8008,http://127.0.0.1:8009', '-p', 'leader=pg0', '-p', 'candidate=pg1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sh: patronictl -c /etc/patroni/pg0.yml list');
    expect(r.stdout).toContain('POST http://127.0.0.1:8008/switchover (else http://127.0.0.1:8009/switchover) {"leader":"pg0","candidate":"pg1"}');
  });
});

describe(`${ID}: tabletop scenarios (--simulate --auto)`, () => {
  it('tabletop: planned switchover, every step passes, the failover variant is skipped, within the 5-minute RTO', async () => {
    const s = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const st = statuses(s.events);
    expect(st['failover']).toBe('skipped');
    expect(Object.entries(st).filter(([id]) => id !== 'failover').every(([, v]) => v === 'ok')).toBe(true);
    // patronictl list as the people on the bridge see it, parsed as the guide's `grep Leader | awk '{print $2}'`.
    expect(s.finished.get('patronictl-list-before')?.value).toBe('patroni-0');
    expect(s.finished.get('patronictl-list-after')?.value).toBe('patroni-1');
    expect(s.events.filter((e) => e.type === 'confirm-answered').map((e) => [e.stepId, e.answer, e.by])).toEqual([['go', true, 'scenario']]);
    expect(s.finished.get('switchover')?.result).toMatchObject({ ok: true, oldPrimary: 'patroni-0', newPrimary: 'patroni-1' });
    expect(s.end).toMatchObject({ status: 'done', exitCode: 0 });
    expect(s.end.simDurationMs).toBeLessThanOrEqual(300_000);
    expect(s.stdout).toMatch(/DONE · simulated 1m49s of RTO 5m00s \(\d+\.\d%, within RTO\)/);
  });

  it('candidate not caught up: the lag check waits until the replica catches up at 1m30s, then the switchover is asked for', async () => {
    const s = await simulate(ID, 'candidate-lagging.yaml', tmp.dir);
    expect(s.code).toBe(0);
    expect(s.events.find((e) => e.type === 'sim-event')).toMatchObject({ atMs: 90_000, message: 'patroni-1 has caught up (lag 0 MB)' });
    expect(s.finished.get('candidate-caught-up')?.status).toBe('ok');
    expect(took(s, 'candidate-caught-up')).toBeGreaterThanOrEqual(60_000);
    const order = s.events.map((e) => (e.type === 'sim-event' ? 'EVENT' : e.type === 'step-started' ? e.stepId : null)).filter(Boolean);
    expect(order.indexOf('EVENT')).toBeLessThan(order.indexOf('go'));
    expect(s.finished.get('switchover')?.status).toBe('ok');
    expect(s.end).toMatchObject({ status: 'done' });
  });

  it('Patroni switchover refused: refused twice (retry, then abort), nothing after it runs, the run is aborted', async () => {
    const s = await simulate(ID, 'switchover-refused.yaml', tmp.dir);
    expect(s.code).toBe(3);
    const sw = s.finished.get('switchover');
    expect(sw).toMatchObject({ status: 'failed', attempts: 2 });
    expect(sw?.error).toBe('action failed: Patroni refused the switchover (412): switchover is not possible: no good candidates have been found');
    expect(s.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice, e.by])).toEqual([['switchover', 'retry', 'scenario'], ['switchover', 'abort', 'scenario']]);
    expect(s.started.at(-1)).toBe('switchover');
    for (const id of ['failover', 'patronictl-list-after', 'cluster-after', 'write-probe', 'complete']) expect(s.started).not.toContain(id);
    expect(s.end).toMatchObject({ status: 'aborted', exitCode: 3 });
    expect(s.stdout).toMatch(/ABORTED · simulated .* RTO 5m00s not achieved/);
  });
});
