// runbooks/conjur-failover.ts: lint clean, dry-run shows the DR plan's commands and the Kubernetes calls,
// and each tabletop scenario takes its path: failover to the standby, or (standby failing too) the
// restore-from-backup path, asserted from the journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires } from '../helpers/requires.js';
import { dryRun, expectLintClean, expectPlanShape, finished, notifyMessage, probe, simulate, statuses, useTempDir, type Ev } from '../helpers/runbooks.js';
import { closedPort, makeTestPki, OPENSSL_REQUIREMENT, startReceiver, type Receiver, type TestPki } from '../helpers/servers/http-receiver.js';
import conjurFailover from '../../runbooks/conjur-failover.js';

const ID = 'conjur-failover';
const FAILOVER = ['failover-to-standby', 'standby-promoted'];
const RESTORE = ['restore-from-backup', 'download-backup', 'backup-downloaded', 'restore-conjur', 'restored-healthy'];
const FOLLOWERS = ['followers-before', 'restart-followers', 'followers-rolled-out', 'followers-ready', 'follower-health'];

const tmp = useTempDir('runbook-conjur-');

describe('conjur-failover: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('RTO 10 minutes; the failover and the restore are each guarded, and every step has an estimate', () => {
    const plan = conjurFailover.toPlan();
    expect(plan.rtoMs).toBe(10 * 60_000);
    const ids = plan.steps.map((s) => s.id);
    // a person confirms the primary is really failing before either path changes anything
    expect(ids.indexOf('primary-really-failing')).toBeLessThan(ids.indexOf('failover-to-standby'));
    expect(ids.indexOf('restore-from-backup')).toBeLessThan(ids.indexOf('download-backup'));
    for (const id of [...FAILOVER, ...RESTORE]) expect(plan.steps.find((s) => s.id === id)?.options.when, `${id} is conditional`).toBeTypeOf('function');
    expectPlanShape(plan);
  });

  it('dry-run shows the health checks, the DR plan\'s commands and the follower calls', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('GET https://primary-conjur.example.com/health (expect $.ok = true) (timeout 5s) (CA: /etc/conjur/ssl/conjur-ca.pem)');
    expect(out).toContain('sh: conjur-cli failover --force');
    expect(out).toContain('sh: mkdir -p /restore/conjur && aws s3 cp s3://payment-api-backups/conjur/latest/ /restore/conjur/ --recursive');
    expect(out).toContain('sh: conjur-restore.sh --input-dir /restore/conjur --accept-eula');
    expect(out).toContain('GET /api/v1/namespaces/conjur-system/pods?labelSelector=app%3Dconjur [context prod-primary]');
    expect(out).toContain('PATCH /apis/apps/v1/namespaces/conjur-system/deployments/conjur-follower (strategic-merge-patch)');
    expect(out).toContain('sh: conjur list');
    expect(out).toContain('nothing was run');
  });
});

describe('conjur-failover: tabletop scenarios', () => {
  it('tabletop: the standby is healthy, so the failover path runs, the restore path is skipped, followers recover; within RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    expect(ev[0]).toMatchObject({ type: 'run-started', mode: 'simulate', scenario: { name: 'Conjur primary lost, failover to the standby' } });
    const s = statuses(ev);
    for (const id of FAILOVER) expect(s[id], id).toBe('ok');
    for (const id of RESTORE) expect(s[id], id).toBe('skipped');
    for (const id of FOLLOWERS) expect(s[id], id).toBe('ok');
    expect(s['service-healthy']).toBe('ok');
    expect(s['conjur-list']).toBe('ok');
    expect(ev.filter((e) => e.type === 'decision')).toEqual([]);
    expect(notifyMessage(ev, 'status-update')).toContain('Conjur failed over to the standby');
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeLessThanOrEqual(10 * 60_000);
    expect(r.stdout).toMatch(/DONE · simulated 6m06s of RTO 10m00s \([\d.]+%, within RTO\)/);
  });

  it('standby also failing: the failover is skipped, the restore-from-backup path is taken after its confirm; RTO exceeded', async () => {
    const r = await simulate(ID, 'standby-also-failing.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    const s = statuses(ev);
    // the standby's health is recorded (the check passes) and decides the path
    expect(finished(ev, 'standby-health')).toMatchObject({ status: 'ok', value: { ok: false, timedOut: true } });
    for (const id of FAILOVER) expect(s[id], id).toBe('skipped');
    expect(finished(ev, 'failover-to-standby')?.reason).toContain('condition');
    for (const id of RESTORE) expect(s[id], id).toBe('ok');
    expect(ev.find((e) => e.type === 'confirm-answered' && e.stepId === 'restore-from-backup')).toMatchObject({ answer: true, by: 'scenario' });
    expect(finished(ev, 'backup-downloaded')).toMatchObject({ status: 'ok', value: 2 });
    // the restore runs before the leader is verified and before the followers are touched
    const order = ev.filter((e) => e.type === 'step-started').map((e) => e.stepId);
    expect(order.indexOf('restore-conjur')).toBeLessThan(order.indexOf('service-healthy'));
    expect(order.indexOf('restored-healthy')).toBeLessThan(order.indexOf('restart-followers'));
    for (const id of FOLLOWERS) expect(s[id], id).toBe('ok');
    expect(notifyMessage(ev, 'status-update')).toContain('Conjur restored from backup');
    expect(notifyMessage(ev, 'recovered')).toContain('secrets changed since the backup must be re-entered');
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeGreaterThan(10 * 60_000);
    expect(r.stdout).toMatch(/of RTO 10m00s \([\d.]+%, over RTO\)/);
  });
});

// The health checks that decide the path run for real (--dry-run --probe --only <check>) against HTTPS
// endpoints on 127.0.0.1 with a test CA, answering Conjur's /health JSON.
describe.runIf(requires(OPENSSL_REQUIREMENT))('conjur-failover: the health checks against real endpoints (probe)', () => {
  let pki: TestPki;
  let conjur: Receiver;
  beforeAll(async () => {
    pki = makeTestPki();
    conjur = await startReceiver({ status: 200, body: '{"ok":true}' }, { key: pki.key, cert: pki.cert });
  });
  afterAll(async () => {
    await conjur.close();
    pki.cleanup();
  });

  async function check(step: string, ...params: string[]): Promise<Ev | undefined> {
    const { events } = await probe(ID, step, tmp.dir, ['-p', `conjurCa=${pki.caFile}`, ...params.flatMap((p) => ['-p', p])]);
    return finished(events, step);
  }

  it('a primary whose /health says ok is not failed over; one that says "ok": false, or refuses, is', async () => {
    conjur.answer({ status: 200, body: '{"ok":true,"database":{"ok":true}}' });
    expect(await check('primary-failing', `primaryUrl=${conjur.url}`)).toMatchObject({ status: 'failed' });
    conjur.answer({ status: 200, body: '{"ok":false,"database":{"ok":false,"error":"connection refused"}}' });
    expect(await check('primary-failing', `primaryUrl=${conjur.url}`)).toMatchObject({ status: 'ok' });
    expect(await check('primary-failing', `primaryUrl=https://127.0.0.1:${await closedPort()}`)).toMatchObject({ status: 'ok' });
    expect(conjur.requests.map((r) => r.url)).toEqual(['/health', '/health']);
  });

  it('the standby check records its health either way: ok → the failover path, refused → the restore path', async () => {
    conjur.answer({ status: 200, body: '{"ok":true}' });
    expect(await check('standby-health', `standbyUrl=${conjur.url}`)).toMatchObject({ status: 'ok', value: { ok: true, status: 200 } });
    const down = await check('standby-health', `standbyUrl=https://127.0.0.1:${await closedPort()}`);
    expect(down).toMatchObject({ status: 'ok', value: { ok: false, status: null, error: { code: 'ECONNREFUSED' } } });
  });
});
