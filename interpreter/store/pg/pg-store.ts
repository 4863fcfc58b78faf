// The team store: every CLI of a team points at one PostgreSQL (`--store postgres://…` or
// RUNBOOK_STORE). Loaded only when such a store is used (a dynamic import): a run on the file store
// never loads the driver.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { stepMedians, type PastRunSteps, type StepHistory, HISTORY_RUNS, NO_HISTORY } from '../../cli/step-history.js';
import { LockHeldError, UsageError } from '../../errors.js';
import type { EventBody, JournalEvent } from '../../events.js';
import { parseJournal } from '../journal-reader.js';
import { processAlive } from '../process-alive.js';
import { leaseTiming } from '../lease-timing.js';
import type { Actor, JournalSink, Lease, LeaseHolder, LeaseInfo, LeaseLoss, RawJournal, ReadJournal, RunStore, UnlockResult, Vote } from '../run-store.js';
import { connectError } from './connect-error.js';
import { PgListener } from './listener.js';
import { migrate, type MigrationReport } from './migrations.js';
import { PgJournal } from './pg-journal.js';
import { parseStoreUrl, type PgStoreUrl } from './store-url.js';

interface LeaseRow {
  key: string;
  run_id: string;
  operator: string;
  host: string;
  pid: number;
  started_at: Date;
  token: string;
  heartbeat_at: Date;
  expires_at: Date;
  unlock: { by: string; host: string; reason: string; at: string; previous: Record<string, unknown> } | null;
  alive: boolean;
}

const holderOf = (r: LeaseRow): LeaseHolder => ({ key: r.key, runId: r.run_id, operator: r.operator, host: r.host, pid: r.pid, startedAt: r.started_at.toISOString() });

export class PgStore implements RunStore {
  readonly kind = 'postgres' as const;
  readonly label: string;
  readonly flag: string;
  readonly reportsDir: string;
  #listener: PgListener | undefined;
  /** Set when the pool reports a broken idle connection. */
  #broken: Error | undefined;

  private constructor(private readonly pool: pg.Pool, readonly url: PgStoreUrl, readonly migration: MigrationReport, private readonly env: NodeJS.ProcessEnv) {
    this.label = url.shown;
    this.flag = url.shown;
    this.reportsDir = join(process.cwd(), '.runbook', 'reports');
    pool.on('error', (e) => {
      this.#broken = e;
    });
  }

  /** Connects and brings the schema up to date; any problem is a clear UsageError (exit 2) and nothing is written. */
  static async open(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<PgStore> {
    const url = parseStoreUrl(spec);
    const timeout = Number(env['RUNBOOK_STORE_CONNECT_TIMEOUT_MS'] ?? 5000);
    const pool = new pg.Pool({
      connectionString: url.url, max: 4, connectionTimeoutMillis: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
      application_name: 'runbook', allowExitOnIdle: true,
    });
    pool.on('error', () => {}); // replaced by the store's handler once open
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      const migration = await migrate(client, url.shown);
      client.release();
      client = undefined;
      return new PgStore(pool, url, migration, env);
    } catch (e) {
      client?.release(true);
      await pool.end().catch(() => {});
      throw connectError(e, url, passwordOf(url.url));
    }
  }

  async listRuns(): Promise<string[]> {
    const r = await this.#q<{ run_id: string }>('SELECT run_id FROM runbook.runs ORDER BY started_at DESC, run_id DESC');
    return r.map((x) => x.run_id);
  }

  async findRun(arg: string): Promise<string> {
    if (arg === 'last') {
      const r = await this.#q<{ run_id: string }>('SELECT run_id FROM runbook.runs ORDER BY started_at DESC, run_id DESC LIMIT 1');
      if (r[0]) return r[0].run_id;
    } else {
      const like = `${arg.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const r = await this.#q<{ run_id: string }>('SELECT run_id FROM runbook.runs WHERE run_id LIKE $1 ORDER BY started_at DESC, run_id DESC LIMIT 4', [like]);
      const exact = r.find((x) => x.run_id === arg);
      if (exact) return exact.run_id;
      if (r.length === 1 && r[0]) return r[0].run_id;
      if (r.length > 1) throw new UsageError(`Run id "${arg}" is ambiguous: it starts several runs (${r.slice(0, 3).map((x) => x.run_id).join(', ')}…). Give more of it.`);
    }
    const n = Number((await this.#q<{ n: string }>('SELECT count(*) AS n FROM runbook.runs'))[0]?.n ?? 0);
    const hint = n > 0 ? `"runbook runs" lists the ${n} run${n > 1 ? 's' : ''} in ${this.label}.` : `The store ${this.label} has no runs yet.`;
    throw new UsageError(`No run "${arg}" in the store. ${hint}`);
  }

  async readRun(runId: string): Promise<ReadJournal> {
    const rows = await this.#q<{ body: string }>('SELECT body FROM runbook.events WHERE run_id = $1 ORDER BY seq', [runId]);
    return parseJournal(rows.map((r) => r.body), true, `of run ${runId} in ${this.label}`);
  }

  async rawRun(runId: string): Promise<RawJournal> {
    const rows = await this.#q<{ body: string }>('SELECT body FROM runbook.events WHERE run_id = $1 ORDER BY seq', [runId]);
    const run = await this.#q<{ last_seq: number; last_h: string | null }>('SELECT last_seq, last_h FROM runbook.runs WHERE run_id = $1', [runId]);
    const end = run[0];
    return { lines: rows.map((r) => r.body), tornTail: false, ...(end ? { recordedEnd: { seq: end.last_seq, h: end.last_h } } : {}) };
  }

  async openJournal(runId: string): Promise<JournalSink> {
    const tail = await this.#tail(runId);
    return new PgJournal(this.pool, runId, tail, this.label);
  }

  async #tail(runId: string): Promise<string | undefined> {
    const r = await this.#q<{ body: string }>('SELECT body FROM runbook.events WHERE run_id = $1 ORDER BY seq DESC LIMIT 1', [runId]);
    return r[0]?.body;
  }

  async appendEvents(runId: string, events: readonly EventBody[]): Promise<void> {
    const tail = await this.#tail(runId);
    if (tail === undefined) throw new UsageError(`Run ${runId} is not in the store ${this.label}.`);
    let seq = (JSON.parse(tail) as { seq: number }).seq;
    const j = new PgJournal(this.pool, runId, tail, this.label);
    for (const e of events) j.write({ ...e, seq: ++seq, t: new Date().toISOString() } as JournalEvent);
    await j.close();
  }

  async follow(runId: string, afterSeq: number, onEvent: (e: JournalEvent) => void, signal: AbortSignal): Promise<void> {
    let seen = afterSeq;
    await this.#listen().ready();
    while (!signal.aborted) {
      // Listening starts before looking, so an event committed in between still wakes us.
      const wake = this.changed(runId, 2000, signal);
      const rows = await this.#q<{ seq: number; body: string }>('SELECT seq, body FROM runbook.events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000', [runId, seen]);
      let last: JournalEvent | undefined;
      for (const r of rows) {
        seen = r.seq;
        try {
          last = JSON.parse(r.body) as JournalEvent;
        } catch {
          continue;
        }
        onEvent(last);
      }
      // The end of the run as far as written (a resumed run has a run-finished per session: go on past those).
      if (rows.length < 5000 && last?.type === 'run-finished') return;
      if (rows.length === 0) await wake;
    }
  }

  async history(runbookId: string, exclude: string): Promise<StepHistory> {
    try {
      const rows = await this.#q<{ run_id: string; body: string }>(
        `SELECT e.run_id, e.body FROM runbook.events e JOIN (
           SELECT run_id FROM runbook.runs WHERE runbook_id = $1 AND mode = 'live' AND run_id <> $2 AND status IS NOT NULL ORDER BY started_at DESC LIMIT $3
         ) r USING (run_id) WHERE e.type = 'step-finished' ORDER BY e.run_id, e.seq`,
        [runbookId, exclude, HISTORY_RUNS],
      );
      const runs = new Map<string, PastRunSteps & { steps: Map<string, { status: string; durationMs: number }> }>();
      for (const r of rows) {
        const e = JSON.parse(r.body) as { stepId: string; status: string; durationMs: number };
        let run = runs.get(r.run_id);
        if (!run) runs.set(r.run_id, (run = { runId: r.run_id, steps: new Map() }));
        run.steps.set(e.stepId, { status: e.status, durationMs: e.durationMs });
      }
      const list = [...runs.values()];
      return { runs: list.length, medians: stepMedians(list) };
    } catch {
      return NO_HISTORY;
    }
  }

  async acquireLease(holder: LeaseHolder): Promise<Lease> {
    const { ttlMs } = leaseTiming(this.env);
    const token = randomBytes(8).toString('hex');
    for (let tries = 0; tries < 5; tries++) {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        const cur = await c.query<LeaseRow>('SELECT *, expires_at > now() AS alive FROM runbook.leases WHERE key = $1 FOR UPDATE', [holder.key]);
        const row = cur.rows[0];
        if (row === undefined) {
          const ins = await c.query(
            `INSERT INTO runbook.leases (key, run_id, operator, host, pid, started_at, token, heartbeat_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8::double precision / 1000)) ON CONFLICT (key) DO NOTHING`,
            [holder.key, holder.runId, holder.operator, holder.host, holder.pid, holder.startedAt, token, ttlMs],
          );
          await c.query('COMMIT');
          if (ins.rowCount === 1) return this.#lease(holder.key, token, undefined);
          continue; // someone inserted it meanwhile: look again
        }
        // Resuming a run whose process died on this very host: no need to wait for its lease to expire.
        const ownCrashed = row.run_id === holder.runId && row.host === holder.host && row.pid !== holder.pid && !processAlive(row.pid);
        if (row.alive && !ownCrashed) {
          await c.query('ROLLBACK');
          const age = Math.max(0, Math.round((Date.now() - row.heartbeat_at.getTime()) / 1000));
          throw new LockHeldError(
            `Another live run holds the lease "${holder.key}" in ${this.label}: run ${row.run_id} by ${row.operator} on ${row.host} (pid ${row.pid}), started ${row.started_at.toISOString()}, last heartbeat ${age}s ago. ` +
              `Wait for it to finish, or watch it with "runbook watch ${row.run_id}". If that process is truly gone, its lease expires ${Math.round(ttlMs / 1000)}s after its last heartbeat, or "runbook unlock ${holder.key} --reason TEXT" frees it now (recorded in its journal).`,
          );
        }
        await c.query(
          `UPDATE runbook.leases SET run_id = $2, operator = $3, host = $4, pid = $5, started_at = $6, token = $7, heartbeat_at = now(),
             expires_at = now() + make_interval(secs => $8::double precision / 1000), unlock = NULL WHERE key = $1`,
          [holder.key, holder.runId, holder.operator, holder.host, holder.pid, holder.startedAt, token, ttlMs],
        );
        await c.query('COMMIT');
        return this.#lease(holder.key, token, holderOf(row));
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    }
    throw new LockHeldError(`Could not take the lease "${holder.key}" in ${this.label}: other runs keep taking it. Try again.`);
  }

  #lease(key: string, token: string, tookOverFrom: LeaseHolder | undefined): Lease {
    const { ttlMs } = leaseTiming(this.env);
    return {
      key, tookOverFrom,
      heartbeat: async (): Promise<LeaseLoss | undefined> => {
        const r = await this.pool.query(
          'UPDATE runbook.leases SET heartbeat_at = now(), expires_at = now() + make_interval(secs => $3::double precision / 1000) WHERE key = $1 AND token = $2',
          [key, token, ttlMs],
        );
        if (r.rowCount === 1) return undefined;
        const now = await this.#q<LeaseRow>('SELECT *, expires_at > now() AS alive FROM runbook.leases WHERE key = $1', [key]);
        const row = now[0];
        if (row === undefined) return { key };
        const u = row.unlock;
        if (u && u.previous['token'] === token) return { key, unlock: { by: u.by, host: u.host, reason: u.reason, at: u.at }, holder: holderOf(row) };
        return { key, holder: holderOf(row) };
      },
      release: async (): Promise<void> => {
        await this.pool.query('DELETE FROM runbook.leases WHERE key = $1 AND token = $2', [key, token]).catch(() => {});
      },
    };
  }

  async readLease(key: string): Promise<LeaseInfo | undefined> {
    const r = await this.#q<LeaseRow>('SELECT *, expires_at > now() AS alive FROM runbook.leases WHERE key = $1', [key]);
    return r[0] && { holder: holderOf(r[0]), maybeAlive: r[0].alive, heartbeatAt: r[0].heartbeat_at.toISOString() };
  }

  async listLeases(): Promise<LeaseInfo[]> {
    const r = await this.#q<LeaseRow>('SELECT *, expires_at > now() AS alive FROM runbook.leases ORDER BY key');
    return r.map((x) => ({ holder: holderOf(x), maybeAlive: x.alive, heartbeatAt: x.heartbeat_at.toISOString() }));
  }

  async unlock(key: string, by: Actor, reason: string): Promise<UnlockResult | undefined> {
    const { ttlMs } = leaseTiming(this.env);
    const token = randomBytes(8).toString('hex');
    const c = await this.pool.connect();
    let result: { holder: LeaseHolder; maybeAlive: boolean };
    try {
      await c.query('BEGIN');
      const cur = await c.query<LeaseRow>('SELECT *, expires_at > now() AS alive FROM runbook.leases WHERE key = $1 FOR UPDATE', [key]);
      const row = cur.rows[0];
      if (row === undefined) {
        await c.query('ROLLBACK');
        return undefined;
      }
      const { alive, ...previous } = row;
      const unlock = { by: by.operator, host: by.host, reason, at: new Date().toISOString(), previous };
      await c.query(
        `UPDATE runbook.leases SET operator = $2, host = $3, pid = $4, started_at = now(), token = $5, heartbeat_at = now(),
           expires_at = now() + make_interval(secs => $6::double precision / 1000), unlock = $7 WHERE key = $1`,
        [key, by.operator, by.host, by.pid, token, ttlMs, JSON.stringify(unlock)],
      );
      await c.query('COMMIT');
      result = { holder: holderOf(row), maybeAlive: alive };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
    return { ...result, release: () => this.#lease(key, token, undefined).release() };
  }

  async castVote(v: Vote): Promise<void> {
    await this.pool.query(
      'INSERT INTO runbook.votes (vote_id, run_id, step_id, request_id, by_operator, host, pid, reject, reason, cast_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [v.voteId, v.runId, v.stepId, v.requestId, v.by, v.host, v.pid, v.reject, v.reason ?? null, v.at],
    );
  }

  async votes(runId: string, requestId: string): Promise<Vote[]> {
    const r = await this.#q<{ vote_id: string; step_id: string; by_operator: string; host: string; pid: number; reject: boolean; reason: string | null; cast_at: Date }>(
      'SELECT * FROM runbook.votes WHERE run_id = $1 AND request_id = $2 ORDER BY cast_at, vote_id',
      [runId, requestId],
    );
    return r.map((x) => ({
      voteId: x.vote_id, runId, stepId: x.step_id, requestId, by: x.by_operator, host: x.host, pid: x.pid, reject: x.reject,
      ...(x.reason === null ? {} : { reason: x.reason }), at: x.cast_at.toISOString(),
    }));
  }

  changed(runId: string, ms: number, signal: AbortSignal): Promise<void> {
    return this.#listen().wait(runId, ms, signal);
  }

  #listen(): PgListener {
    this.#listener ??= new PgListener(this.url.url, Number(this.env['RUNBOOK_STORE_CONNECT_TIMEOUT_MS'] ?? 5000));
    return this.#listener;
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    await this.pool.end().catch(() => {});
  }

  async #q<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]> {
    if (this.#broken) {
      const e = this.#broken;
      this.#broken = undefined;
      throw connectError(e, this.url, passwordOf(this.url.url));
    }
    try {
      return (await this.pool.query<T>(sql, values)).rows;
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof e.code === 'string' && /^(E|08|28|3D|57P)/.test(e.code)) throw connectError(e, this.url, passwordOf(this.url.url));
      throw e;
    }
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p === '' ? undefined : decodeURIComponent(p);
  } catch {
    return undefined;
  }
}
