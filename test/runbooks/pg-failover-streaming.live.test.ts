// The library runbook runbooks/pg-failover-streaming.ts run LIVE through the CLI (`--yes` answers its
// confirms) against a real PostgreSQL 15 primary and a streaming standby started on 127.0.0.1.
// The failure is a partition: the runbook host reaches the primary at a port where nothing listens
// (ECONNREFUSED), while the primary still runs and streams to the standby — the case the fence is for.
// The end state is asserted on the servers themselves afterwards: the old primary's process is gone
// (stopped by the fence, pg_ctl stop -m fast), the standby is out of recovery on timeline 2, accepts a
// write made by the test, and holds the data written before the failover and the runbook's probe row.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { runRunbook } from '../helpers/runbooks.js';
import { freePort } from '../helpers/servers/redis.js';
import { PG_BIN, PG_REQUIREMENT, startPrimary, startStandby, stopAll, type PgPrimary, type PgServer } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT);
const ID = 'pg-failover-streaming';
/** PostgreSQL's tools refuse to run as root: as the `postgres` user when the tests run as root. */
const AS_PG = process.getuid?.() === 0 ? 'runuser -u postgres -- ' : '';

describe.skipIf(!HAVE)('pg-failover-streaming LIVE (real PostgreSQL 15 primary + streaming standby)', () => {
  let primary: PgPrimary | undefined;
  let standby: PgServer | undefined;
  let tmp: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    tmp = tempDir('runbook-pgfo-live-');
    primary = await startPrimary();
    await primary.query('create table accounts (id int primary key, owner text); insert into accounts select g, \'owner \' || g from generate_series(1, 500) g');
    standby = await startStandby(primary, 'standby');
  }, 120_000);
  afterAll(async () => {
    await stopAll(primary, [standby]);
    tmp?.cleanup();
  });

  it('fences the old primary, promotes the standby (timeline 1 → 2), the new primary takes writes; exit 0', async () => {
    const p = primary as PgPrimary;
    const s = standby as PgServer;
    // The data written before the failure has reached the standby (a planned test, not a lossy one).
    for (let i = 0; i < 100 && (await s.query<{ n: number }>('select count(*)::int as n from accounts').catch(() => [{ n: 0 }]))[0]?.n !== 500; i++) await new Promise((r) => setTimeout(r, 100));
    const unreachable = await freePort();
    const store = join(tmp.dir, 'store');
    const t0 = Date.now();
    const r = await runRunbook(ID, store, ['--yes',
      '-p', `primary=postgres://ops@127.0.0.1:${unreachable}/postgres`,
      '-p', `standby=postgres://ops@127.0.0.1:${s.port}/postgres`,
      '-p', 'fenceVia=local',
      '-p', `fenceCommand=${AS_PG}${PG_BIN}/pg_ctl stop -D ${p.dataDir} -m fast -w -t 30`,
      '-p', 'conjur=false',
    ], { cwd: tmp.dir, env: { PGPASSWORD: p.password }, timeoutMs: 120_000 });
    const ms = Date.now() - t0;
    process.stderr.write(`pg-failover-streaming live run: ${ms} ms\n`);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    // The password never reaches the screen or the journal.
    expect(r.stdout).not.toContain(p.password);
    expect(r.journal).not.toContain(p.password);

    const evs = r.events;
    const fin = r.finished;
    expect(fin.get('primary-down')?.status).toBe('ok');
    expect(fin.get('standby-caught-up')?.status).toBe('ok');
    expect(fin.get('primary-really-down')?.status).toBe('ok');
    const promoted = fin.get('promote-standby');
    expect(promoted?.status).toBe('ok');
    expect(promoted?.value).toMatchObject({ ok: true, timelineBefore: 1, timelineAfter: 2, lagMeasuredOn: 'standby', newPrimary: `postgres://ops:***@127.0.0.1:${s.port}/postgres` });
    expect(Object.keys((promoted?.value as { stages: object }).stages)).toEqual(['precheck', 'fence', 'action', 'verify']);
    expect(fin.get('timeline-advanced')?.value).toBe(2);
    expect(fin.get('conjur-db-logs')?.status).toBe('skipped');
    expect(evs.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });

    // The real end state, asked of the servers directly.
    // 1. The fence stopped the old primary: its postmaster has exited.
    expect(p.alive()).toBe(false);
    await expect(p.query('select 1')).rejects.toThrow();
    // 2. The standby is the primary now, on the new timeline.
    expect(await s.query('select pg_is_in_recovery() as r')).toEqual([{ r: false }]);
    expect(await s.query("select ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int as tl")).toEqual([{ tl: 2 }]);
    // 3. It accepts writes (ours), and kept the data from before and the runbook's probe row.
    await s.query("insert into accounts values (501, 'after failover')");
    expect(await s.query('select count(*)::int as n from accounts')).toEqual([{ n: 501 }]);
    expect(await s.query('select note from runbook_dr_probe')).toEqual([{ note: 'pg-failover-streaming: first write after promotion' }]);
  }, 150_000);
});
