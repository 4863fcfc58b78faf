// runbooks/pg-failover-streaming.ts without touching anything: lint, dry-run (the plan shows the fence,
// the lag bound, pg_promote and the Conjur checks), and its tabletop scenarios with --auto, asserting the
// path each one takes from the journal: which steps ran, waited, failed, were skipped; decisions; RTO.
import { describe, expect, it } from 'vitest';
import { dryRun, expectLintClean, simulate, statuses, took, useTempDir } from '../helpers/runbooks.js';

const ID = 'pg-failover-streaming';
const tmp = useTempDir('runbook-pgfo-stream-', 'file');

describe(`${ID}: review`, () => {
  it('is lint clean', () => expectLintClean(ID));

  it('dry-run shows the checks, the fence over ssh, the 1 MiB bound, pg_promote and the Conjur checks; exit 0', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('pg postgres://ops@pg-primary.internal:5432/postgres: select 1 as up (read-only transaction)');
    expect(out).toContain("fence:    sh: ssh -o BatchMode=yes -o ConnectTimeout=10 ops@pg-primary.internal 'sudo systemctl stop postgresql@15-main'");
    expect(out).toContain('lag ≤ 1048576 bytes');
    expect(out).toContain('select pg_promote(true, 60) as promoted');
    expect(out).toContain('sh: kubectl logs -n conjur-system -l app=conjur --tail=100 | grep -i database');
    expect(out).toContain('GET https://conjur.internal/health (expect $.database.ok = true)');
    // The order: confirmed down (here and by a person) and caught up, re-checked, then fenced and promoted.
    const order = ['primary-down', 'standby-caught-up', 'primary-really-down', 'primary-still-down', 'promote-standby', 'write-readback', 'conjur-healthy', 'recovered'];
    const at = order.map((id) => out.indexOf(` ${id}  `));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out).toContain('nothing was run');
  });

  it('dry-run with a local fence shows the command as given; a password from PGPASSWORD is masked in every DSN', async () => {
    const r = await dryRun(ID, tmp.dir, ['-p', 'fenceVia=local', '-p', 'fenceCommand=pg_ctl stop -D /var/lib/postgresql/15/main -m fast', '-p', 'standby=postgres://ops@10.0.0.6:5432/postgres'], { PGPASSWORD: 's3cret-pw' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fence:    sh: pg_ctl stop -D /var/lib/postgresql/15/main -m fast');
    expect(r.stdout).toContain('promote:  pg postgres://ops:***@10.0.0.6:5432/postgres: select pg_promote(true, 60) as promoted');
    expect(r.stdout).toContain('pg postgres://ops:***@pg-primary.internal:5432/postgres: select 1 as up');
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
  });
});

describe(`${ID}: tabletop scenarios (--simulate --auto)`, () => {
  it('tabletop: every step passes in order, confirms answered by the scenario, within the 5-minute RTO', async () => {
    const s = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    expect(Object.values(statuses(s.events)).every((st) => st === 'ok')).toBe(true);
    expect(s.started).toEqual(['declare', 'primary-down', 'standby-in-recovery', 'standby-caught-up', 'primary-really-down', 'primary-still-down', 'promote-standby', 'new-primary-role', 'timeline-advanced', 'write-probe', 'write-readback', 'status-update', 'clients-repointed', 'conjur-db-logs', 'conjur-healthy', 'recovered']);
    expect(s.events.filter((e) => e.type === 'confirm-answered').map((e) => [e.stepId, e.answer, e.by])).toEqual([['primary-really-down', true, 'scenario'], ['clients-repointed', true, 'scenario']]);
    expect(s.events.filter((e) => e.type === 'decision' || e.type === 'attempt-failed')).toEqual([]);
    expect(s.end).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
    expect(s.end.simDurationMs).toBeLessThanOrEqual(300_000);
    expect(s.stdout).toMatch(/DONE · simulated 3m56s of RTO 5m00s \(78\.7%, within RTO\)/);
    // The Conjur log check judged the scripted log: the newest database line is the reconnect, not the error.
    expect(s.finished.get('conjur-db-logs')?.value).toEqual([
      '2026-11-23T03:13:02Z ERROR PG::ConnectionBad: could not connect to server: Connection refused',
      '2026-11-23T03:14:40Z INFO  Database connection pool re-established (conjur-db)',
    ]);
  });

  it('standby not caught up: the lag check waits (no promotion above 1 MiB) until the standby replays at 2m30s; then the failover completes, over the RTO', async () => {
    const s = await simulate(ID, 'standby-lagging.yaml', tmp.dir);
    expect(s.code).toBe(0);
    const ev = s.events.find((e) => e.type === 'sim-event');
    expect(ev).toMatchObject({ atMs: 150_000, message: 'the standby has replayed the batch load (lag 0)' });
    // The check polled every 10 s while the lag was over the bound, then passed: it started at 28 s, passed at 2m30s+.
    expect(s.finished.get('standby-caught-up')).toMatchObject({ status: 'ok', attempts: 1 });
    expect(took(s, 'standby-caught-up')).toBeGreaterThanOrEqual(150_000 - 28_000);
    // Nothing after it started before the standby had caught up: the promotion comes after the event.
    const order = s.events.map((e) => (e.type === 'sim-event' ? 'EVENT' : e.type === 'step-started' ? e.stepId : null)).filter(Boolean);
    expect(order.indexOf('EVENT')).toBeLessThan(order.indexOf('promote-standby'));
    expect(s.finished.get('promote-standby')?.status).toBe('ok');
    expect(s.end).toMatchObject({ status: 'done' });
    expect(s.end.simDurationMs).toBeGreaterThan(300_000);
    expect(s.stdout).toMatch(/DONE · simulated \d+m\d+s of RTO 5m00s \(\d+\.\d%, over RTO\)/);
  });

  it('standby never catches up: the check fails after waiting 3 minutes, the run is aborted before any fence or promotion', async () => {
    const s = await simulate(ID, 'standby-never-catches-up.yaml', tmp.dir);
    expect(s.code).toBe(3);
    const lag = s.finished.get('standby-caught-up');
    expect(lag?.status).toBe('failed');
    expect(lag?.error).toMatch(/^still not met after waiting 3m00s \(\d+ polls\): standby is 40 MB behind/);
    expect(s.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice, e.by])).toEqual([['standby-caught-up', 'abort', 'scenario']]);
    expect(s.started).toEqual(['declare', 'primary-down', 'standby-in-recovery', 'standby-caught-up']);
    expect(s.started).not.toContain('promote-standby');
    expect(s.end).toMatchObject({ type: 'run-finished', status: 'aborted', exitCode: 3 });
  });
});
