// runbooks/redis-cache-failover.ts as written: lint clean, the dry-run shows the Redis commands and the
// Kubernetes/SSH steps of each branch, and each tabletop scenario takes its path — promote the replica; replica
// down too → rebuild empty (Kubernetes); replica down too → restore the hourly RDB snapshot (hosts) — asserted from
// the journal with the simulated RTO. The live run is in redis-cache-failover.live.test.ts (real redis-server).
import { describe, expect, it } from 'vitest';
import { actionText, dryRun, each, expectLintClean, expectPlanShape, finished, runFinished, simulate, statuses, useTempDir } from '../helpers/runbooks.js';
import failover from '../../runbooks/redis-cache-failover.js';

const ID = 'redis-cache-failover';
const DIAGNOSE = ['announce', 'redis-pods', 'primary-down', 'replica-state', 'primary-really-down'];
const PROMOTE = ['promote-replica', 'new-primary-role', 'repoint-service', 'service-selects-primary', 'repoint-command'];
const RESTORE = ['latest-rdb', 'download-rdb', 'stop-redis', 'replace-rdb', 'start-redis'];
const VERIFY = ['verify-ping', 'verify-keyspace', 'canary-write', 'canary-read', 'canary-ttl', 'recovered'];

const tmp = useTempDir('runbook-redis-rb-');

describe('redis-cache-failover: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('RTO 1 hour; a person confirms before the promotion and before the rebuild; every branch step is conditional and estimated', () => {
    const plan = failover.toPlan();
    expect(plan.rtoMs).toBe(3_600_000);
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf('primary-really-down')).toBeLessThan(ids.indexOf('promote-replica'));
    expect(ids.indexOf('rebuild-cache')).toBeLessThan(ids.indexOf('delete-redis-pods'));
    expect(ids.indexOf('rebuild-cache')).toBeLessThan(ids.indexOf('stop-redis'));
    expect(ids.indexOf('promote-replica')).toBeLessThan(ids.indexOf('new-primary-role'));
    for (const id of [...PROMOTE, ...RESTORE, 'rebuild-cache', 'restore-rdb', 'restart-empty', 'delete-redis-pods', 'replica-resynced']) {
      expect(plan.steps.find((s) => s.id === id)?.options.when, `${id} is conditional`).toBeTypeOf('function');
    }
    expectPlanShape(plan, { questions: true });
  });

  it('dry-run shows the diagnosis, REPLICAOF NO ONE, the Service repoint, both rebuild variants and the canary, password masked', async () => {
    const r = await dryRun(ID, tmp.dir, [], { REDIS_PASSWORD: 's3cret-redis-pass' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('GET /api/v1/namespaces/payment-system/pods?labelSelector=app%3Dredis [context prod-eu]');
    expect(out).toContain('redis redis://:***@redis-0.redis.payment-system.svc.cluster.local:6379: INFO replication (read-only)');
    expect(out).toContain('redis redis://:***@redis-0.redis.payment-system.svc.cluster.local:6379: PING (read-only)');
    expect(out).toContain('redis redis://:***@redis-1.redis.payment-system.svc.cluster.local:6379: INFO replication (read-only)');
    expect(out).toContain('promote:  redis redis://:***@redis-1.redis.payment-system.svc.cluster.local:6379: REPLICAOF NO ONE');
    expect(out).toContain('Service redis-primary: PATCH /api/v1/namespaces/payment-system/services/redis-primary?fieldManager=runbook&force=true (apply-patch+yaml) {"apiVersion":"v1","kind":"Service","metadata":{"name":"redis-primary"},"spec":{"selector":{"app":"redis","statefulset.kubernetes.io/pod-name":"redis-1"}}}');
    expect(out).toContain('ssh ops@redis-0.internal: aws s3 ls s3://payment-api-backups/redis/');
    expect(out).toContain("ssh ops@redis-0.internal: sudo cp '/restore/redis/<steps.latest-rdb.value>' /var/lib/redis/dump.rdb && sudo chown redis:redis /var/lib/redis/dump.rdb");
    expect(out).toContain('sh: kubectl delete pods --context prod-eu -n payment-system -l app=redis --wait=false');
    expect(out).toMatch(/redis redis:\/\/:\*\*\*@redis-1\.redis\.payment-system\.svc\.cluster\.local:6379: SET runbook:canary:\S+ \S+ EX 300/);
    expect(out).toContain('nothing was run');
    expect(out).not.toContain('s3cret-redis-pass');
  });
});

describe('redis-cache-failover: tabletop scenarios', () => {
  it('tabletop: the replica is alive → promoted, the Service repointed, verified; the rebuild branch is skipped; within RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = statuses(r.events);
    expect(s).toMatchObject({ ...each(DIAGNOSE, 'ok'), 'promote-replica': 'ok', 'new-primary-role': 'ok', 'repoint-service': 'ok', 'service-selects-primary': 'ok', 'repoint-command': 'skipped', ...each(VERIFY, 'ok') });
    for (const id of ['rebuild-cache', 'restore-rdb', ...RESTORE, 'restart-empty', 'delete-redis-pods', 'redis-pods-ready', 'rebuilt-primary-up', 'restored-keyspace', 'start-replica', 'replica-resynced']) {
      expect(s[id], id).toBe('skipped');
    }
    // the canary and the checks after the promotion talk to the promoted node
    expect(actionText(r.events, 'canary-write')).toContain('redis://redis-1.redis.payment-system.svc.cluster.local:6379: SET runbook:canary:');
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0, simDurationMs: 5 * 60_000 + 40_000 });
    expect(r.stdout).toMatch(/DONE · simulated 5m40s of RTO 1h00m \(9\.4%, within RTO\)/);
  });

  it('replica down too (Kubernetes): no promotion; the rebuild is confirmed, the pods recreated empty, waited for, the replica re-syncs; within RTO', async () => {
    const r = await simulate(ID, 'replica-down.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = statuses(r.events);
    expect(s).toMatchObject({
      ...each(DIAGNOSE, 'ok'), ...each(PROMOTE, 'skipped'),
      'rebuild-cache': 'ok', 'restore-rdb': 'skipped', ...each(RESTORE, 'skipped'), 'restart-empty': 'skipped',
      'delete-redis-pods': 'ok', 'redis-pods-ready': 'ok', 'rebuilt-primary-up': 'ok', 'restored-keyspace': 'skipped', 'start-replica': 'skipped', 'replica-resynced': 'ok',
      ...each(VERIFY, 'ok'),
    });
    expect(r.events.filter((e) => e.type === 'confirm-answered').map((e) => [e.stepId, e.answer])).toEqual([['primary-really-down', true], ['rebuild-cache', true]]);
    // the pods took until 12m to be Ready: the check polled (every 10s) until then
    const ready = finished(r.events, 'redis-pods-ready');
    expect(ready?.simAtMs).toBeGreaterThanOrEqual(12 * 60_000);
    expect(ready?.simAtMs).toBeLessThan(12 * 60_000 + 20_000);
    // after a rebuild the verification talks to the rebuilt primary, not the replica
    expect(actionText(r.events, 'canary-write')).toContain('redis://redis-0.redis.payment-system.svc.cluster.local:6379: SET runbook:canary:');
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(r.stdout).toMatch(/DONE · simulated 14m45s of RTO 1h00m \(24\.6%, within RTO\)/);
  });

  it('replica down too (hosts): the newest hourly RDB snapshot is restored as the document says, the failed download retried; within RTO', async () => {
    const r = await simulate(ID, 'replica-down-restore.yaml', tmp.dir, ['-p', 'platform=hosts']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toMatchObject({
      ...each(PROMOTE, 'skipped'), 'redis-pods': 'skipped', 'rebuild-cache': 'ok', 'restore-rdb': 'ok', ...each(RESTORE, 'ok'), 'restart-empty': 'skipped',
      'delete-redis-pods': 'skipped', 'redis-pods-ready': 'skipped', 'rebuilt-primary-up': 'ok', 'restored-keyspace': 'ok', 'start-replica': 'ok', 'replica-resynced': 'ok',
      ...each(VERIFY, 'ok'),
    });
    expect(finished(r.events, 'latest-rdb')?.value).toBe('dump_20261123_14.rdb');
    expect(actionText(r.events, 'download-rdb')).toContain("aws s3 cp s3://payment-api-backups/redis/dump_20261123_14.rdb /restore/redis/");
    expect(actionText(r.events, 'replace-rdb')).toContain('sudo cp /restore/redis/dump_20261123_14.rdb /var/lib/redis/dump.rdb');
    expect(r.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([['download-rdb', 'retry']]);
    expect(finished(r.events, 'restored-keyspace')?.value).toBe(17811);
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(r.stdout).toMatch(/within RTO\)/);
  });
});
