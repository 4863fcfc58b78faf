// The DR test runbook (runbooks/dr-test.ts), database part, run LIVE through the CLI (`--yes` answers the
// checklist confirmations) against a real PostgreSQL 15 primary + streaming standby on 127.0.0.1:
// dbMethod=streaming stops the primary for real (pg_ctl stop -m fast, the simulated failure), the standby
// is promoted, the RPO marker committed just before the failure is found on it. Then `runbook report
// <run-id>` is asked for the report: its RTO line holds the real run's achieved time against the target,
// and its notifications hold the measured database failover time, which the test recomputes from the
// journal's step durations (the failover's own timeline) and checks against the servers' end state.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { runRunbook, type Ev } from '../helpers/runbooks.js';
import { PG_BIN, PG_REQUIREMENT, startPrimary, startStandby, stopAll, type PgPrimary, type PgServer } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT);
const ID = 'dr-test';
const AS_PG = process.getuid?.() === 0 ? 'runuser -u postgres -- ' : '';
const DB_FAILOVER = ['db-simulate-failure', 'db-primary-down', 'db-promote', 'db-switchover', 'db-new-primary', 'db-new-leader', 'db-marker-present', 'db-conjur-healthy'];

describe.skipIf(!HAVE)('dr-test LIVE: database failover against a real PostgreSQL 15 primary + standby, then runbook report', () => {
  let primary: PgPrimary | undefined;
  let standby: PgServer | undefined;
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    tmp = tempDir('runbook-drtest-live-');
    primary = await startPrimary();
    standby = await startStandby(primary, 'standby');
  }, 120_000);
  afterAll(async () => {
    await stopAll(primary, [standby]);
    tmp?.cleanup();
  });

  it('fails the database over for real, measures it, and the report states the achieved RTO against the target', async () => {
    const p = primary as PgPrimary;
    const s = standby as PgServer;
    const store = join(tmp.dir, 'store');
    const t0 = Date.now();
    const r = await runRunbook(ID, store, ['--yes',
      '-p', 'vault=false', '-p', 'conjur=false', '-p', 'dbMethod=streaming', '-p', 'site=lab',
      '-p', `dbPrimary=postgres://ops@127.0.0.1:${p.port}/postgres`,
      '-p', `dbStandby=postgres://ops@127.0.0.1:${s.port}/postgres`,
      '-p', `dbStopPrimaryCommand=${AS_PG}${PG_BIN}/pg_ctl stop -D ${p.dataDir} -m fast -w -t 30`,
    ], { cwd: tmp.dir, env: { PGPASSWORD: p.password }, timeoutMs: 120_000 });
    process.stderr.write(`dr-test live run: ${Date.now() - t0} ms\n`);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);

    const evs = r.events;
    const fin = r.finished;
    for (const id of ['db-standby-ready', 'db-marker', 'db-simulate-failure', 'db-primary-down', 'db-promote', 'db-new-primary', 'db-marker-present', 'db-rto-met', 'success-criteria']) {
      expect(fin.get(id)?.status, id).toBe('ok');
    }
    for (const id of ['vault-stop-primary', 'db-switchover', 'db-new-leader', 'db-conjur-healthy']) expect(fin.get(id)?.status, id).toBe('skipped');
    expect(fin.get('db-promote')?.value).toMatchObject({ timelineBefore: 1, timelineAfter: 2 });

    // The real end state: the primary was stopped, the standby promoted, the marker survived.
    expect(p.alive()).toBe(false);
    expect(await s.query('select pg_is_in_recovery() as r')).toEqual([{ r: false }]);
    const runId = evs[0]?.runId ?? '';
    expect(await s.query('select note from runbook_dr_probe where run_id = $1', [runId])).toEqual([{ note: 'dr-test RPO marker' }]);

    // The failover's own time: the sum of the failover steps' durations in the journal.
    const dbMs = DB_FAILOVER.reduce((ms, id) => ms + (fin.get(id)?.status === 'skipped' ? 0 : (fin.get(id)?.durationMs ?? 0)), 0);
    const dbText = dbMs < 60_000 ? `${(dbMs / 1000).toFixed(1)}s` : 'over a minute';
    const results = `Database failover (streaming replication, primary stopped): achieved ${dbText} of RTO 5m00s; RPO: the row committed just before the failure is on the new primary (nothing committed was lost) — PASSED`;
    expect(r.stdout).toContain(results);
    expect((fin.get('db-rto-met')?.value as { achievedMs: number }).achievedMs).toBe(dbMs);

    // runbook report <run-id>: the RTO line holds the achieved time of this real run against its target.
    const rep = await runCli(['report', runId, '--store', store], { cwd: tmp.dir });
    expect(rep.stderr).toBe('');
    expect(rep.code).toBe(0);
    const end = evs.at(-1) as Ev & { durationMs: number };
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    const rto = /^- \*\*RTO:\*\* target 20m00s · achieved (\S+) \(real time\) · \*\*within target\*\* \((\S+) to spare\)$/m.exec(rep.stdout);
    expect(rto, rep.stdout).not.toBeNull();
    const achievedText = rto?.[1] ?? '';
    // The achieved time is the live run's (start to finish), which contains the failover itself.
    const seconds = achievedText.endsWith('ms') ? Number(achievedText.slice(0, -2)) / 1000 : Number(achievedText.replace(/s$/, ''));
    expect(seconds * 1000).toBeGreaterThanOrEqual(dbMs - 50);
    expect(Math.abs(seconds * 1000 - end.durationMs)).toBeLessThan(1000);
    // The report's notifications carry the results message with the measured failover time.
    expect(rep.stdout).toContain(`achieved ${dbText} of RTO 5m00s`);
    expect(rep.stdout).toContain('Overall: PASSED');
  }, 150_000);
});
