// runbooks/vault-failover.ts: lint clean, dry-run shows the document's commands, and each tabletop
// scenario takes its path (asserted from the journal: steps, polls, decisions, simulated RTO):
// standby not caught up, primary unreachable when it must be stopped, DNS propagation slow.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires } from '../helpers/requires.js';
import { dryRun, expectLintClean, expectPlanShape, finished, probe, simulate, statuses, useTempDir, type Ev } from '../helpers/runbooks.js';
import { closedPort, makeTestPki, OPENSSL_REQUIREMENT, startReceiver, type Receiver, type TestPki } from '../helpers/servers/http-receiver.js';
import vaultFailover, { digAnswers, replicationLagSeconds } from '../../runbooks/vault-failover.js';

const ID = 'vault-failover';
const tmp = useTempDir('runbook-vault-');

describe('vault-failover: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('follows the document: RTO 15 minutes, its phases in order, a confirm before the interactive promotion', () => {
    const plan = vaultFailover.toPlan();
    expect(plan.rtoMs).toBe(15 * 60_000);
    const phases = [...new Set(plan.steps.map((s) => s.phase))];
    expect(phases).toEqual(['Pre-failover checklist', 'Stop primary (if accessible)', 'Verify standby readiness', 'Promote standby', 'Update load balancer / DNS', 'Verify services', 'Notify applications', 'Post-failover']);
    const ids = plan.steps.map((s) => s.id);
    const promote = plan.steps.find((s) => s.id === 'promote-standby');
    expect(promote?.options.interactive).toBe(true);
    expect(ids.indexOf('go-for-promotion')).toBe(ids.indexOf('promote-standby') - 1);
    expect(ids.indexOf('replication-caught-up')).toBeLessThan(ids.indexOf('promote-standby'));
    expect(ids.indexOf('fence-primary')).toBeLessThan(ids.indexOf('promote-standby'));
    expectPlanShape(plan);
  });

  it('reads the replication lag and the DNS answers the way the checks need', () => {
    expect(replicationLagSeconds('Vault role: Standby\nReplication lag: 4 s')).toBe(4);
    expect(replicationLagSeconds('replication LAG = 540 seconds')).toBe(540);
    expect(replicationLagSeconds('Vault role: Standby')).toBe(Number.POSITIVE_INFINITY); // unknown → the check fails
    expect(digAnswers('vault-lb.example.com.\n10.0.2.10\n\n')).toEqual(['vault-lb.example.com.', '10.0.2.10']);
  });

  it('dry-run shows the document\'s commands on their hosts and touches nothing', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(' DRY-RUN ');
    expect(out).toContain('ssh ops@primary-vault.example.com: sudo systemctl stop PrivateArk cyberark-vault');
    expect(out).toContain('ssh ops@standby-vault.example.com: sudo /opt/CyberArk/Vault/tools/CheckVaultStatus.sh');
    expect(out).toContain('sh: ssh -t ops@standby-vault.example.com sudo /opt/CyberArk/Vault/tools/PromoteStandby.sh');
    expect(out).toContain('interactive (gets the terminal)');
    expect(out).toContain('aws elbv2 register-targets --target-group-arn arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pam-vault/0123456789abcdef --targets Id=i-0bbbbbbbbbbbbbbb2');
    expect(out).toContain('aws route53 change-resource-record-sets --hosted-zone-id Z0123456789EXAMPLE --change-batch file://failover-dns.json');
    expect(out).toContain('aws route53 get-change --id <steps.switch-dns.value>');
    expect(out).toContain('GET https://pvwa.example.com/PasswordVault/v10/logon');
    expect(out).toContain('ssh ops@cpm.example.com: systemctl status cyberark-cpm');
    expect(out).toContain('ssh ops@psm.example.com: systemctl status cyberark-psm');
    expect(out).toContain('nothing was run');
  });
});

describe('vault-failover: tabletop scenarios', () => {
  it('tabletop: a clean failover by DNS, every step ok, within the 15-minute RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    expect(ev[0]).toMatchObject({ type: 'run-started', mode: 'simulate', scenario: { name: 'Vault primary lost, clean failover' } });
    const s = statuses(ev);
    // the ALB path is not taken when switching by DNS
    expect([s['alb-register-standby'], s['alb-deregister-primary'], s['alb-standby-healthy']]).toEqual(['skipped', 'skipped', 'skipped']);
    expect(Object.entries(s).filter(([, v]) => v !== 'ok').map(([k]) => k)).toEqual(['alb-register-standby', 'alb-deregister-primary', 'alb-standby-healthy']);
    expect(finished(ev, 'replication-caught-up')).toMatchObject({ status: 'ok', value: 4, attempts: 1 });
    expect(finished(ev, 'dns-resolves-to-standby')).toMatchObject({ status: 'ok', value: ['10.0.2.10'] });
    expect(ev.filter((e) => e.type === 'decision')).toEqual([]);
    expect(ev.filter((e) => e.type === 'confirm-answered').map((e) => e.answer)).toEqual([true, true, true, true, true, true, true]);
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeLessThanOrEqual(15 * 60_000);
    expect(r.stdout).toMatch(/DONE · simulated 13m10s of RTO 15m00s \([\d.]+%, within RTO\)/);
  });

  it('tabletop by ALB: the target group is moved and its health awaited; the DNS steps are skipped', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir, ['-p', 'switchVia=alb']);
    expect(r.code).toBe(0);
    const s = statuses(r.events);
    expect([s['alb-register-standby'], s['alb-deregister-primary'], s['alb-standby-healthy']]).toEqual(['ok', 'ok', 'ok']);
    expect([s['switch-dns'], s['dns-change-insync'], s['dns-resolves-to-standby']]).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('standby not caught up: the replication check polls until the standby has applied the backlog at 6m; the promotion waits; RTO exceeded', async () => {
    const r = await simulate(ID, 'standby-not-caught-up.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    // the lag the check saw, poll by poll: 540 s, then 120 s after the 4m event, then 3 s after the 6m one
    const seen = ev.filter((e) => e.type === 'output' && e.stepId === 'replication-caught-up' && /Replication lag/.test(e.text ?? '')).map((e) => replicationLagSeconds(e.text!));
    expect(seen[0]).toBe(540);
    expect(seen).toContain(120);
    expect(seen.at(-1)).toBe(3);
    expect(seen.slice(0, -1).every((lag) => lag > 35)).toBe(true);
    const caughtUp = finished(ev, 'replication-caught-up')!;
    expect(caughtUp).toMatchObject({ status: 'ok', value: 3 });
    const at6m = ev.find((e) => e.type === 'sim-event' && e.atMs === 360_000);
    expect(at6m?.message).toContain('replication lag 3 s');
    expect(caughtUp.simAtMs).toBeGreaterThanOrEqual(360_000);
    // nothing was promoted before the standby caught up
    const promoteStart = ev.findIndex((e) => e.type === 'step-started' && e.stepId === 'promote-standby');
    expect(promoteStart).toBeGreaterThan(ev.indexOf(caughtUp));
    expect(finished(ev, 'promote-standby')!.simAtMs!).toBeGreaterThan(caughtUp.simAtMs!);
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeGreaterThan(15 * 60_000);
    expect(r.stdout).toMatch(/of RTO 15m00s \([\d.]+%, over RTO\)/);
  });

  it('primary unreachable: the stop over SSH times out, the team powers it off and marks the step done by hand; the failover goes on only after that', async () => {
    const r = await simulate(ID, 'primary-unreachable.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    expect(ev.filter((e) => e.type === 'attempt-failed' && e.stepId === 'fence-primary').map((e) => e.error)).toEqual(['ssh: connect to host primary-vault.example.com port 22: Connection timed out']);
    expect(ev.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice, e.by])).toEqual([['fence-primary', 'done', 'scenario']]);
    const fence = finished(ev, 'fence-primary')!;
    expect(fence).toMatchObject({ status: 'done-by-hand' });
    // the health endpoint is checked again after the by-hand stop, and the promotion comes later
    expect(finished(ev, 'primary-stopped')).toMatchObject({ status: 'ok' });
    expect(ev.findIndex((e) => e.type === 'step-started' && e.stepId === 'promote-standby')).toBeGreaterThan(ev.indexOf(fence));
    expect(ev.at(-1)).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(r.stdout).toMatch(/DONE · simulated 14m45s of RTO 15m00s \([\d.]+%, within RTO\)/);
  });

  it('DNS propagation slow: the resolution check gives up after 5 minutes, the team retries, the old answer expires at 16m; RTO exceeded', async () => {
    const r = await simulate(ID, 'dns-propagation-slow.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    // Route 53 said INSYNC at once: the record change alone is not taken as success
    expect(finished(ev, 'dns-change-insync')).toMatchObject({ status: 'ok' });
    const failed = ev.filter((e) => e.type === 'attempt-failed' && e.stepId === 'dns-resolves-to-standby');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain('still not met after waiting 5m00s');
    expect(failed[0]!.error).toContain('10.0.1.10');
    expect(ev.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice, e.by])).toEqual([['dns-resolves-to-standby', 'retry', 'scenario']]);
    const expired = ev.find((e) => e.type === 'sim-event' && e.atMs === 960_000)!;
    const resolved = finished(ev, 'dns-resolves-to-standby')!;
    expect(resolved).toMatchObject({ status: 'ok', attempts: 2, value: ['10.0.2.10'] });
    expect(ev.indexOf(resolved)).toBeGreaterThan(ev.indexOf(expired));
    // services are verified only after the name resolves to the standby
    const pvwa = ev.findIndex((e) => e.type === 'step-started' && e.stepId === 'pvwa-logon');
    expect(pvwa).toBeGreaterThan(ev.indexOf(resolved));
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeGreaterThan(16 * 60_000);
    expect(r.stdout).toMatch(/over RTO/);
    const report = /Report: (\S+)/.exec(r.stdout)?.[1];
    const md = readFileSync(report!, 'utf8');
    expect(md).toContain('**exceeded by');
    expect(md).toMatch(/\| `dns-resolves-to-standby` \| after failure: retry \| scenario/);
  });
});

// The "primary is down" checks run for real (--dry-run --probe --only <check>) against HTTPS endpoints on
// 127.0.0.1 with a test CA: only a primary that refuses, is unreachable or answers non-2xx counts as down.
describe.runIf(requires(OPENSSL_REQUIREMENT))('vault-failover: the primary-down check against real endpoints (probe)', () => {
  let pki: TestPki;
  let primary: Receiver;
  beforeAll(async () => {
    pki = makeTestPki();
    primary = await startReceiver({ status: 200, body: '{"status":"ok"}' }, { key: pki.key, cert: pki.cert });
  });
  afterAll(async () => {
    await primary.close();
    pki.cleanup();
  });

  async function check(url: string, ca: string): Promise<Ev | undefined> {
    const { events } = await probe(ID, 'primary-unhealthy', tmp.dir, ['-p', `primaryHealthUrl=${url}`, '-p', `pamCa=${ca}`]);
    expect(events[0]).toMatchObject({ type: 'run-started', mode: 'probe' });
    return finished(events, 'primary-unhealthy');
  }

  it('a primary that answers its health check is not failed over: the check fails', async () => {
    primary.answer({ status: 200, body: '{"status":"ok"}' });
    const step = await check(`${primary.url}/health`, pki.caFile);
    expect(step).toMatchObject({ status: 'failed' });
    expect(primary.requests.at(-1)?.url).toBe('/health');
  });

  it('a primary that refuses the connection, or answers 503, is down: the check passes', async () => {
    expect(await check(`https://127.0.0.1:${await closedPort()}/health`, pki.caFile)).toMatchObject({ status: 'ok' });
    primary.answer({ status: 503, body: 'Service Unavailable' });
    expect(await check(`${primary.url}/health`, pki.caFile)).toMatchObject({ status: 'ok' });
  });

  it('a certificate we cannot verify proves nothing about the primary: the check fails and says why', async () => {
    primary.answer({ status: 503, body: 'Service Unavailable' });
    const step = await check(`${primary.url}/health`, pki.otherCaFile);
    expect(step).toMatchObject({ status: 'failed' });
    expect(step?.error).toMatch(/not trusted|certificate/i);
  });
});
