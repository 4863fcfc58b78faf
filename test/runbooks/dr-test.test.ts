// runbooks/dr-test.ts without touching anything: lint, dry-run (the checklist, the Vault commands of
// automated-dr-test.sh, the Patroni switchover or the streaming failover, the RPO marker, the measuring
// checks), and its tabletop scenarios with --auto: the measured times per failover, the verdicts in the
// results message, the report's RTO line, and the path each scenario takes.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dryRun, expectLintClean, simulate, statuses, useTempDir } from '../helpers/runbooks.js';

const ID = 'dr-test';
const tmp = useTempDir('runbook-drtest-', 'file');

const VAULT = ['vault-stop-primary', 'vault-standby-promoted', 'vault-pvwa-answers'];
const DB = ['db-switchover', 'db-new-leader', 'db-marker-present', 'db-conjur-healthy'];

describe(`${ID}: review`, () => {
  it('is lint clean', () => expectLintClean(ID));

  it('dry-run shows the checklist, the script\'s Vault commands, the Patroni switchover and the RPO marker; exit 0', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    for (const q of ['Were stakeholders notified 48 hours in advance?', 'Was backup integrity verified', 'Are the DR site resources available?', 'Is the rollback plan prepared and at hand?', 'Go for the DR test?']) expect(out).toContain(q);
    expect(out).toContain('ssh ops@primary-vault.example.com: systemctl stop PrivateArk');
    expect(out).toContain('ssh ops@standby-vault.example.com: /opt/CyberArk/Vault/tools/CheckVaultStatus.sh');
    expect(out).toContain('wait up to 20m, polling every 15s');
    expect(out).toContain('ssh ops@primary-vault.example.com: systemctl start PrivateArk');
    expect(out).toContain("insert into runbook_dr_probe (run_id, note) values ($1, 'dr-test RPO marker') returning id");
    expect(out).toContain('POST http://patroni-0.patroni.conjur-system.svc:8008/switchover (else http://patroni-1.patroni.conjur-system.svc:8008/switchover) {"leader":"patroni-0","candidate":"patroni-1"}');
    expect(out).toContain('sh: ssh ops@pg-primary.internal sudo systemctl stop postgresql@15-main');
    expect(out).toContain('select pg_promote(true, 60) as promoted');
    expect(out).toContain('RTO 20m00s');
  });
});

describe(`${ID}: tabletop scenarios (--simulate --auto)`, () => {
  it('tabletop: both failovers pass; each is timed from its steps; the results and the report say so', async () => {
    const s = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const st = statuses(s.events);
    // Patroni is the default database method: the streaming steps are skipped.
    for (const id of ['db-standby-ready', 'db-simulate-failure', 'db-primary-down', 'db-promote', 'db-new-primary', 'db-rebuild-planned']) expect(st[id], id).toBe('skipped');
    expect(Object.entries(st).filter(([, v]) => v !== 'skipped').every(([, v]) => v === 'ok')).toBe(true);
    // The vault standby was polled until it reported Primary (failUntil 6m30s).
    expect(s.finished.get('vault-standby-promoted')?.durationMs).toBeGreaterThan(4 * 60_000);
    // The measured times are the sums of the failover steps' (simulated) durations.
    const sum = (ids: string[]): number => ids.reduce((ms, id) => ms + (s.finished.get(id)?.durationMs ?? 0), 0);
    const vaultMs = sum(VAULT);
    const dbMs = sum(DB);
    const fmt = (ms: number): string => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(Math.round(ms / 1000) / 60)}m${String(Math.round(ms / 1000) % 60).padStart(2, '0')}s`);
    const message = (s.finished.get('results')?.result as { message: string }).message;
    expect(message).toContain(`- Vault failover: achieved ${fmt(vaultMs)} of RTO 15m00s — PASSED`);
    expect(message).toContain(`- Database failover (Patroni switchover): achieved ${fmt(dbMs)} of RTO 5m00s; RPO: the row committed just before the failure is on the new primary (nothing committed was lost) — PASSED`);
    expect(message).toContain('Overall: PASSED');
    expect(s.finished.get('success-criteria')?.status).toBe('ok');
    expect(s.end).toMatchObject({ status: 'done', exitCode: 0 });
    // runbook report: the run against its RTO (simulated clock), and the results among the notifications.
    const runId = s.events[0]?.runId ?? '';
    const rep = await runCli(['report', runId, '--store', s.store], { cwd: tmp.dir });
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/^- \*\*RTO:\*\* target 20m00s · achieved 11m31s \(simulated time\) · \*\*within target\*\* \(8m29s to spare\)$/m);
    expect(rep.stdout).toContain(`Vault failover: achieved ${fmt(vaultMs)} of RTO 15m00s — PASSED`);
  });

  it('Vault slower than its RTO: polled past 15 minutes, measured at over 15, Vault FAILED, database PASSED, the run fails', async () => {
    const s = await simulate(ID, 'vault-rto-exceeded.yaml', tmp.dir);
    expect(s.code).toBe(3);
    const promoted = s.finished.get('vault-standby-promoted');
    expect(promoted?.status).toBe('ok');
    expect(promoted?.durationMs).toBeGreaterThan(15 * 60_000);
    expect(s.finished.get('vault-rto-met')).toMatchObject({ status: 'failed', continued: true });
    expect(s.finished.get('vault-restore-go')?.value).toBe(false);
    expect(s.finished.get('vault-restore-primary')?.status).toBe('skipped');
    expect(s.finished.get('db-rto-met')?.status).toBe('ok');
    const message = (s.finished.get('results')?.result as { message: string }).message;
    expect(message).toMatch(/- Vault failover: achieved 1[5-9]m\d\ds of RTO 15m00s — FAILED/);
    expect(message).toMatch(/- Database failover \(Patroni switchover\): achieved .* — PASSED/);
    expect(message).toContain('Overall: FAILED');
    expect(s.finished.get('success-criteria')?.status).toBe('failed');
    expect(s.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([['success-criteria', 'abort']]);
    expect(s.end).toMatchObject({ status: 'aborted', exitCode: 3 });
  });

  it('Patroni switchover refused: recorded and carried on (continueOnError), the leader did not change, the database test FAILS, the Vault test passes', async () => {
    const s = await simulate(ID, 'db-switchover-refused.yaml', tmp.dir);
    expect(s.code).toBe(3);
    expect(s.finished.get('db-switchover')).toMatchObject({ status: 'failed', continued: true, error: 'action failed: Patroni refused the switchover (412): switchover is not possible: no good candidates have been found' });
    expect(s.finished.get('db-new-leader')).toMatchObject({ status: 'failed', continued: true });
    expect(s.finished.get('db-new-leader')?.error).toMatch(/^still not met after waiting 1m00s \(\d+ polls\): the leader is still patroni-0$/);
    expect(s.finished.get('vault-rto-met')?.status).toBe('ok');
    expect(s.finished.get('db-rto-met')).toMatchObject({ status: 'failed', continued: true });
    const message = (s.finished.get('results')?.result as { message: string }).message;
    expect(message).toMatch(/- Vault failover: achieved \dm\d\ds of RTO 15m00s — PASSED/);
    expect(message).toMatch(/- Database failover \(Patroni switchover\): did not complete \(db-switchover, db-new-leader failed\) after \dm\d\ds; RTO 5m00s not achieved — FAILED/);
    expect(message).toContain('Overall: FAILED');
    expect(s.finished.get('success-criteria')?.status).toBe('failed');
    expect(s.end).toMatchObject({ status: 'aborted', exitCode: 3 });
  });
});
