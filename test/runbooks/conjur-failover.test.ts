// runbooks/conjur-failover.ts: lint clean, dry-run shows the DR plan's commands and the Kubernetes calls,
// and each tabletop scenario takes its path: failover to the standby, or (standby failing too) the
// restore-from-backup path, asserted from the journal.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { closedPort, makeTestPki, OPENSSL_REQUIREMENT, startReceiver, type Receiver, type TestPki } from '../helpers/servers/http-receiver.js';
import conjurFailover from '../../runbooks/conjur-failover.js';

const RUNBOOK = 'runbooks/conjur-failover.ts';
const SCENARIO = (name: string): string => `runbooks/scenarios/conjur-failover/${name}`;
const FAILOVER = ['failover-to-standby', 'standby-promoted'];
const RESTORE = ['restore-from-backup', 'download-backup', 'backup-downloaded', 'restore-conjur', 'restored-healthy'];
const FOLLOWERS = ['followers-before', 'restart-followers', 'followers-rolled-out', 'followers-ready', 'follower-health'];

interface Ev {
  type: string; stepId?: string; status?: string; attempts?: number; choice?: string; answer?: boolean; by?: string;
  simAtMs?: number; simDurationMs?: number; value?: unknown; reason?: string; scenario?: { name: string } | null; result?: Record<string, unknown>;
}

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-conjur-');
});
afterEach(() => tmp.cleanup());

async function simulate(scenario: string): Promise<{ code: number | null; stdout: string; stderr: string; events: Ev[] }> {
  const store = join(tmp.dir, 'store');
  const r = await runCli(['run', RUNBOOK, '--simulate', SCENARIO(scenario), '--auto', '--ui', 'plain', '--store', store]);
  const runs = existsSync(join(store, 'runs')) ? readdirSync(join(store, 'runs')).filter((f) => f.endsWith('.ndjson')) : [];
  const events = runs.length === 1 ? readFileSync(join(store, 'runs', runs[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev) : [];
  return { ...r, events };
}

const statuses = (events: Ev[]): Record<string, string | undefined> =>
  Object.fromEntries(events.filter((e) => e.type === 'step-finished').map((e) => [e.stepId!, e.status]));
const messageOf = (events: Ev[], id: string): string =>
  String((events.find((e) => e.type === 'step-finished' && e.stepId === id)?.result as { message?: string } | undefined)?.message ?? '');

describe('conjur-failover: the runbook as written', () => {
  it('is lint clean', async () => {
    const r = await runCli(['lint', RUNBOOK]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('no problems');
    expect(r.code).toBe(0);
  });

  it('RTO 10 minutes; the failover and the restore are each guarded, and every step has an estimate', () => {
    const plan = conjurFailover.toPlan();
    expect(plan.rtoMs).toBe(10 * 60_000);
    const ids = plan.steps.map((s) => s.id);
    // a person confirms the primary is really failing before either path changes anything
    expect(ids.indexOf('primary-really-failing')).toBeLessThan(ids.indexOf('failover-to-standby'));
    expect(ids.indexOf('restore-from-backup')).toBeLessThan(ids.indexOf('download-backup'));
    for (const id of [...FAILOVER, ...RESTORE]) expect(plan.steps.find((s) => s.id === id)?.options.when, `${id} is conditional`).toBeTypeOf('function');
    for (const s of plan.steps) expect(s.options.estimateMs, `${s.id} has an estimate`).toBeGreaterThan(0);
    for (const s of plan.steps.filter((s) => s.kind === 'confirm')) expect(s.options.description, `${s.id} has a description`).toBeTruthy();
  });

  it('dry-run shows the health checks, the DR plan\'s commands and the follower calls', async () => {
    const r = await runCli(['run', RUNBOOK, '--dry-run', '--ui', 'plain', '--store', join(tmp.dir, 'store')]);
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
    const r = await simulate('tabletop.yaml');
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
    expect(messageOf(ev, 'status-update')).toContain('Conjur failed over to the standby');
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeLessThanOrEqual(10 * 60_000);
    expect(r.stdout).toMatch(/DONE · simulated 6m06s of RTO 10m00s \([\d.]+%, within RTO\)/);
  });

  it('standby also failing: the failover is skipped, the restore-from-backup path is taken after its confirm; RTO exceeded', async () => {
    const r = await simulate('standby-also-failing.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    const s = statuses(ev);
    // the standby's health is recorded (the check passes) and decides the path
    expect(ev.find((e) => e.type === 'step-finished' && e.stepId === 'standby-health')).toMatchObject({ status: 'ok', value: { ok: false, timedOut: true } });
    for (const id of FAILOVER) expect(s[id], id).toBe('skipped');
    expect(ev.find((e) => e.type === 'step-finished' && e.stepId === 'failover-to-standby')?.reason).toContain('condition');
    for (const id of RESTORE) expect(s[id], id).toBe('ok');
    expect(ev.find((e) => e.type === 'confirm-answered' && e.stepId === 'restore-from-backup')).toMatchObject({ answer: true, by: 'scenario' });
    expect(ev.find((e) => e.type === 'step-finished' && e.stepId === 'backup-downloaded')).toMatchObject({ status: 'ok', value: 2 });
    // the restore runs before the leader is verified and before the followers are touched
    const order = ev.filter((e) => e.type === 'step-started').map((e) => e.stepId);
    expect(order.indexOf('restore-conjur')).toBeLessThan(order.indexOf('service-healthy'));
    expect(order.indexOf('restored-healthy')).toBeLessThan(order.indexOf('restart-followers'));
    for (const id of FOLLOWERS) expect(s[id], id).toBe('ok');
    expect(messageOf(ev, 'status-update')).toContain('Conjur restored from backup');
    expect(messageOf(ev, 'recovered')).toContain('secrets changed since the backup must be re-entered');
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

  let probes = 0;
  async function probe(step: string, ...params: string[]): Promise<Ev | undefined> {
    const store = join(tmp.dir, `probe-${++probes}`);
    await runCli(['run', RUNBOOK, '--dry-run', '--probe', '--only', step, '-p', `conjurCa=${pki.caFile}`, ...params.flatMap((p) => ['-p', p]), '--ui', 'plain', '--store', store]);
    const runs = readdirSync(join(store, 'runs')).filter((f) => f.endsWith('.ndjson'));
    expect(runs).toHaveLength(1);
    const events = readFileSync(join(store, 'runs', runs[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
    return events.find((e) => e.type === 'step-finished' && e.stepId === step);
  }

  it('a primary whose /health says ok is not failed over; one that says "ok": false, or refuses, is', async () => {
    conjur.answer({ status: 200, body: '{"ok":true,"database":{"ok":true}}' });
    expect(await probe('primary-failing', `primaryUrl=${conjur.url}`)).toMatchObject({ status: 'failed' });
    conjur.answer({ status: 200, body: '{"ok":false,"database":{"ok":false,"error":"connection refused"}}' });
    expect(await probe('primary-failing', `primaryUrl=${conjur.url}`)).toMatchObject({ status: 'ok' });
    expect(await probe('primary-failing', `primaryUrl=https://127.0.0.1:${await closedPort()}`)).toMatchObject({ status: 'ok' });
    expect(conjur.requests.map((r) => r.url)).toEqual(['/health', '/health']);
  });

  it('the standby check records its health either way: ok → the failover path, refused → the restore path', async () => {
    conjur.answer({ status: 200, body: '{"ok":true}' });
    expect(await probe('standby-health', `standbyUrl=${conjur.url}`)).toMatchObject({ status: 'ok', value: { ok: true, status: 200 } });
    const down = await probe('standby-health', `standbyUrl=https://127.0.0.1:${await closedPort()}`);
    expect(down).toMatchObject({ status: 'ok', value: { ok: false, status: null, error: { code: 'ECONNREFUSED' } } });
  });
});
