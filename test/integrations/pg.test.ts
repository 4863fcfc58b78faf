// PostgreSQL through the CLI against real servers: a primary (initdb) and two streaming standbys
// (pg_basebackup -R -X stream), all started by the test on 127.0.0.1. One standby is promoted for real
// by pg.promote; on the other, WAL replay is paused while the primary writes, so the lag bound refuses
// the promotion. Refused connections and bad passwords are data; the password never reaches the
// screen or the journal; dry-run renders the SQL and opens no connection.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { onlyRun } from '../helpers/store.js';
import { freePort } from '../helpers/servers/redis.js';
import { PG_REQUIREMENT, startPrimary, startStandby, stopAll, type PgPrimary, type PgServer } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT);
const FAILOVER = fileURLToPath(new URL('../fixtures/pg/failover.ts', import.meta.url));
const REFUSED = fileURLToPath(new URL('../fixtures/pg/refused.ts', import.meta.url));
const TWO_PRIMARIES = fileURLToPath(new URL('../fixtures/pg/two-primaries.ts', import.meta.url));
const FENCED = fileURLToPath(new URL('../fixtures/pg/fenced.ts', import.meta.url));
const PRIMARY_DOWN = fileURLToPath(new URL('../fixtures/pg/primary-down.ts', import.meta.url));

interface Ev { type: string; stepId?: string; status?: string; result?: unknown; value?: unknown; error?: string; text?: string; action?: { text: string; effect: string } | null }

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-pg-it-');
});
afterEach(() => tmp.cleanup());

const store = (): string => join(tmp.dir, 'store');
function events(): Ev[] {
  return readFileSync(onlyRun(store()), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
}
function finished(): Map<string, Ev> {
  return new Map(events().filter((e) => e.type === 'step-finished').map((e) => [e.stepId ?? '', e]));
}
function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['run', file, '--store', store(), '--ui', 'plain', ...args], { cwd: tmp.dir, env, timeoutMs: 90_000 });
}

// The tests share one primary and run in order: the last two stop the primary (a fence, then "it is down").
describe.skipIf(!HAVE)('pg: failover with pg.promote (real PostgreSQL 15 primary + streaming standbys)', () => {
  let primary: PgPrimary | undefined;
  let standby: PgServer | undefined;
  let lagging: PgServer | undefined;
  let third: PgServer | undefined;

  beforeAll(async () => {
    primary = await startPrimary();
    standby = await startStandby(primary, 'standby1');
    lagging = await startStandby(primary, 'standby2');
    third = await startStandby(primary, 'standby3');
  }, 120_000);
  afterAll(async () => {
    await stopAll(primary, [standby, lagging, third]);
  });

  const params = (s: PgServer): string[] => ['-p', `primaryPort=${primary?.port ?? 0}`, '-p', `standbyPort=${s.port}`];

  it('--dry-run --probe runs the read-only checks for real and renders the promotion and the writes', async () => {
    const p = primary as PgPrimary;
    const s = standby as PgServer;
    const r = await run(FAILOVER, [...params(s), '--dry-run', '--probe'], { RUNBOOK_IT_PG_PASSWORD: p.password });
    const f = finished();
    expect([...f.values()].map((e) => `${e.stepId}:${e.status}`)).toEqual([
      'standby-in-recovery:ok', 'standby-lag:ok', 'primary-sees-replica:ok', 'recovery-by-query:ok',
      'promote-standby:planned', 'create-table:planned', 'write:planned',
      'read-back:failed', // read-only, so it ran: the table does not exist, nothing wrote it
      'new-primary:failed', // read-only, so it ran: still in recovery
    ]);
    expect(f.get('read-back')?.error).toContain('42P01 relation "runbook_it" does not exist');
    expect(r.code).toBe(1);
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(true);
  });

  it('refuses to promote a standby whose lag exceeds maxLagBytes (replay paused, primary wrote ~8 MB); it stays in recovery', async () => {
    const p = primary as PgPrimary;
    const s = lagging as PgServer;
    await s.query('select pg_wal_replay_pause()');
    await p.query('create table filler as select g, repeat(md5(g::text), 4) as pad from generate_series(1, 50000) g');
    // Bounded wait until the standby has received (not replayed) that WAL: then the lag is real.
    for (let i = 0; i < 100; i++) {
      const [row] = await s.query<{ bytes: number }>('select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as bytes');
      if ((row?.bytes ?? 0) > 2_000_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run(FAILOVER, [...params(s), '--yes'], { RUNBOOK_IT_PG_PASSWORD: p.password });
    expect(r.code).toBe(1);
    const f = finished();
    expect(f.get('standby-in-recovery')?.status).toBe('ok');
    expect(f.get('promote-standby')?.status).toBe('failed');
    expect(f.get('promote-standby')?.error).toMatch(/^precheck failed: the standby is \d+ bytes behind \(measured on the primary\), more than maxLagBytes 1048576: not promoting/);
    const result = f.get('promote-standby')?.result as Record<string, unknown>;
    expect(result).toMatchObject({ ok: false, failedStage: 'precheck', driver: 'postgres', lagMeasuredOn: 'primary', newPrimary: `postgres://ops:***@127.0.0.1:${s.port}/postgres`, oldPrimary: `postgres://ops:***@127.0.0.1:${p.port}/postgres` });
    expect(result['lagBytesAtPromote']).toBeGreaterThan(1_048_576);
    expect(Object.keys(result['stages'] as object)).toEqual(['precheck']);
    expect(r.stdout).toContain('replay PAUSED');
    expect(f.has('create-table')).toBe(false);
    // Nothing changed: still a standby.
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(true);
    expect(`${r.stdout}${r.stderr}${readFileSync(onlyRun(store()), 'utf8')}`).not.toContain(p.password);
    await s.query('select pg_wal_replay_resume()');
  });

  it('refuses to promote while the old primary still answers as a primary and nothing fenced it (two primaries)', async () => {
    const p = primary as PgPrimary;
    const s = standby as PgServer;
    const r = await run(TWO_PRIMARIES, [...params(s), '--yes'], { RUNBOOK_IT_PG_PASSWORD: p.password });
    expect(r.code).toBe(1);
    const f = finished();
    expect(f.get('promote-standby')).toMatchObject({ status: 'failed' });
    expect(String(f.get('promote-standby')?.error)).toContain('still accepts connections as a primary (no fence, or the fence did not stop it): not promoting, or there would be two primaries');
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(true);
  });

  it('checks recovery and lag, promotes the standby, and the new primary takes a write; old → new is in the output and the journal', async () => {
    const p = primary as PgPrimary;
    const s = standby as PgServer;
    const r = await run(FAILOVER, [...params(s), '--yes'], { RUNBOOK_IT_PG_PASSWORD: p.password });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = finished();
    expect([...f.values()].map((e) => `${e.stepId}:${e.status}`)).toEqual([
      'standby-in-recovery:ok', 'standby-lag:ok', 'primary-sees-replica:ok', 'recovery-by-query:ok', 'promote-standby:ok', 'create-table:ok', 'write:ok', 'read-back:ok', 'new-primary:ok',
    ]);
    const shownStandby = `postgres://ops:***@127.0.0.1:${s.port}/postgres`;
    const shownPrimary = `postgres://ops:***@127.0.0.1:${p.port}/postgres`;
    expect(f.get('standby-in-recovery')?.result).toMatchObject({ ok: true, value: true, target: shownStandby, sql: 'select pg_is_in_recovery() as value', command: 'SELECT', rowCount: 1 });
    expect(f.get('standby-lag')?.result).toMatchObject({ ok: true, value: { role: 'standby', receiving: true, replicas: [], receiver: { status: 'streaming', senderHost: '127.0.0.1', senderPort: p.port } } });
    const lag = (f.get('primary-sees-replica')?.result as { value: { role: string; replicas: { state: string; replayLagBytes: number | null }[] } }).value;
    expect(lag.role).toBe('primary');
    expect(lag.replicas.length).toBe(3);
    const promote = f.get('promote-standby')?.result as Record<string, unknown> & { stages: Record<string, { ok: boolean; text: string }> };
    expect(promote).toMatchObject({ ok: true, driver: 'postgres', oldPrimary: shownPrimary, newPrimary: shownStandby, timelineBefore: 1, timelineAfter: 2, lagMeasuredOn: 'primary' });
    expect(promote['lagBytesAtPromote']).toBeLessThanOrEqual(1_048_576);
    expect(Object.keys(promote.stages)).toEqual(['precheck', 'action', 'verify']);
    expect(promote.stages['action']?.text).toContain('select pg_promote(true, 30)');
    expect(promote.stages['verify']?.text).toContain('not in recovery, timeline 1 → 2, a write was accepted');
    expect(r.stdout).toContain(`[done] primary: ${shownPrimary} → ${shownStandby}`);
    expect(r.stdout).toContain(`pg ${shownStandby}: select pg_is_in_recovery() as value`);
    expect(f.get('read-back')?.result).toMatchObject({ rows: [{ x: 42 }] });
    // For real: the standby is a primary now, on timeline 2, and kept the row.
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(false);
    expect((await s.query<{ x: number }>('select x from runbook_it'))[0]?.x).toBe(42);
    // The password (a secret param) is nowhere: not on screen, not in the journal.
    const journal = readFileSync(onlyRun(store()), 'utf8');
    expect(`${r.stdout}${r.stderr}${journal}`).not.toContain(p.password);
    expect(journal).toContain('postgres://ops:***@127.0.0.1');
  });

  it('a refused connection and a wrong password are data: clear messages, no stack, no password; a check cannot write', async () => {
    const p = primary as PgPrimary;
    const closed = await freePort();
    const r = await run(REFUSED, ['-p', `closedPort=${closed}`, '-p', `port=${p.port}`]);
    expect(r.code).toBe(0); // the failing checks continue on error
    const f = finished();
    expect(f.get('closed-port')?.status).toBe('failed');
    expect(f.get('closed-port')?.error).toBe(`expectation not met: (r) => r.value === true; got ECONNREFUSED connect ECONNREFUSED 127.0.0.1:${closed} (pg postgres://ops@127.0.0.1:${closed}/postgres)`);
    expect(f.get('closed-port')?.result).toMatchObject({ ok: false, value: null, rows: [], error: { code: 'ECONNREFUSED' } });
    expect(f.get('bad-password')?.status).toBe('failed');
    expect(f.get('bad-password')?.error).toBe(`pg postgres://ops:***@127.0.0.1:${p.port}/postgres: 28P01 password authentication failed for user "ops"`);
    expect(f.get('down-is-data')?.status).toBe('ok');
    expect(f.get('read-only')?.status).toBe('failed');
    expect(f.get('read-only')?.error).toContain('25006 cannot execute CREATE TABLE in a read-only transaction');
    expect((await p.query("select to_regclass('public.nope') as t"))[0]?.['t']).toBeNull();
    const all = `${r.stdout}${r.stderr}${readFileSync(onlyRun(store()), 'utf8')}`;
    expect(all).not.toContain('Wr0ng-Literal-Pw');
    expect(all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('a fence stops the old primary between the precheck and pg_promote (planned failover)', async () => {
    const p = primary as PgPrimary;
    const s = lagging as PgServer;
    // caught up again since the replay was resumed
    for (let i = 0; i < 100; i++) {
      const [row] = await s.query<{ bytes: number }>('select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as bytes');
      if (row?.bytes === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run(FENCED, ['-p', `primaryPort=${p.port}`, '-p', `standbyPort=${s.port}`, '-p', `primaryPid=${p.pid}`, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const promote = finished().get('promote-standby')?.result as Record<string, unknown> & { stages: Record<string, { ok: boolean; text: string }> };
    expect(Object.keys(promote.stages)).toEqual(['precheck', 'fence', 'action', 'verify']);
    expect(promote).toMatchObject({ ok: true, lagMeasuredOn: 'primary', timelineBefore: 1, timelineAfter: 2 });
    expect(r.stdout).toContain(`sh: kill -QUIT ${p.pid}`);
    // the fence really stopped it
    for (let i = 0; i < 50 && p.alive(); i++) await new Promise((res) => setTimeout(res, 100));
    expect(p.alive()).toBe(false);
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(false);
  });

  it('with the primary down, the precheck says so, measures the lag on the standby (received − replayed) and promotes', async () => {
    const p = primary as PgPrimary;
    const s = third as PgServer;
    expect(p.alive()).toBe(false);
    const r = await run(PRIMARY_DOWN, ['-p', `primaryPort=${p.port}`, '-p', `standbyPort=${s.port}`, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`old primary postgres://postgres@127.0.0.1:${p.port}/postgres: not reachable (ECONNREFUSED`);
    expect(r.stdout).toContain('lag measured on the standby (received − replayed): WAL the primary never sent is not counted');
    expect(r.stdout).toContain('WAL receiver '); // its state at the time (no longer streaming)
    const promote = finished().get('promote-standby')?.result as Record<string, unknown>;
    expect(promote).toMatchObject({ ok: true, lagMeasuredOn: 'standby', lagBytesAtPromote: 0, oldPrimary: `postgres://postgres@127.0.0.1:${p.port}/postgres` });
    expect((await s.query<{ r: boolean }>('select pg_is_in_recovery() as r'))[0]?.r).toBe(false);
  });
});

describe.skipIf(!HAVE)('pg: dry-run renders the SQL and connects to nothing', () => {
  let listener: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    listener = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('shows each target with the password masked, the exact SQL and the promote stages; no connection arrives', async () => {
    const r = await run(FAILOVER, ['-p', `primaryPort=${port}`, '-p', `standbyPort=${port}`, '--dry-run'], { RUNBOOK_IT_PG_PASSWORD: 'dry-Secret-9' });
    expect(r.code).toBe(0);
    const t = `postgres://ops:***@127.0.0.1:${port}/postgres`;
    expect(r.stdout).toContain(`pg ${t}: select pg_is_in_recovery() as value (read-only)`);
    expect(r.stdout).toContain(`pg ${t}: select pg_is_in_recovery() as r (read-only transaction)`);
    expect(r.stdout).toContain('promote (postgres):');
    expect(r.stdout).toContain(`lag ≤ 1048576 bytes`);
    expect(r.stdout).toContain(`pg ${t}: select pg_promote(true, 30)`);
    expect(r.stdout).toContain('begin; create temp table runbook_verify(x int); insert into runbook_verify values (1); rollback');
    expect(r.stdout).toContain(`pg ${t}: insert into runbook_it (x) values ($1) [$1=42]`);
    expect(r.stdout).not.toContain('dry-Secret-9');
    const refused = await run(REFUSED, ['-p', `closedPort=${port}`, '-p', `port=${port}`, '--dry-run']);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain(`pg postgres://ops:***@127.0.0.1:${port}/postgres: select 1 as one (read-only transaction)`);
    expect(refused.stdout).not.toContain('Wr0ng-Literal-Pw');
    expect(connections).toBe(0);
  });
});
