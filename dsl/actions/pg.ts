import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import { lazy, type LazyValue, type PgNode, type PromoteNode } from '../nodes.js';
import type { PgPromoteResult, PgReplicationLag, PgResult, PgValueResult } from '../results.js';
import { actionNode, makeAction, type Action } from './action.js';
import { connProblem, type PgConnection } from './pg-conn.js';
import { PG_SQL, REPLICATION_LAG_SUMMARY } from './pg-sql.js';

/** Where to connect: a DSN (`postgres://user:pass@host:5432/db`), `{ host, port, user, password, database }` (fields may be `c => …`), or `c => either`. */
export type PgConn<C> = PgConnection<C> | ((c: C) => PgConnection);
/** A value for $n as node-postgres sends it (objects and arrays as JSON / arrays). */
export type PgValue = string | number | boolean | bigint | null | undefined | Date | Uint8Array | readonly unknown[] | { readonly [key: string]: unknown };
/** Values for $1, $2…: an array (items may be `c => value`) or `c => array`. */
export type PgParams<C> = readonly (PgValue | ((c: C) => unknown))[] | ((c: C) => readonly unknown[]);

export interface PgPromoteOptions<C> {
  /** The standby to promote. */
  readonly standby: PgConn<C>;
  /** The old primary. When it answers, the lag is measured from it and the standby must be streaming; when it is down, the standby's received − replayed lag is used (and the result says so). */
  readonly primary?: PgConn<C>;
  /** Refuse to promote when the standby is further behind than this (bytes). No bound when omitted. */
  readonly maxLagBytes?: number | ((c: C) => number);
  /** Isolate the old primary before promoting (any action: ssh`systemctl stop postgresql`, sh`…`). */
  readonly fence?: Action<unknown, C>;
  /** How long pg_promote waits for the promotion to complete (default 60s). */
  readonly timeout?: Duration;
  /**
   * With `primary` given, pg_promote runs only when the old primary no longer answers as a primary
   * (the fence stopped it, or it is down): otherwise there would be two primaries. `true` allows it —
   * only when the fence cuts the old primary off from its clients while this host can still reach it.
   */
  readonly allowOldPrimaryUp?: boolean;
}

const CONN_KEYS = ['host', 'port', 'user', 'password', 'database', 'sslmode'];
const PROMOTE_KEYS = ['standby', 'primary', 'maxLagBytes', 'fence', 'timeout', 'allowOldPrimaryUp'];

/** Validates what can be validated now (a literal DSN or object); lazy targets are checked when the step runs. */
function connValue(conn: unknown, where: string): LazyValue {
  if (typeof conn === 'function') return lazy(conn);
  if (typeof conn === 'object' && conn !== null && !Array.isArray(conn)) {
    const o = conn as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !CONN_KEYS.includes(k));
    if (unknown.length > 0) throw new RunbookDefinitionError(`${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the PostgreSQL target; use { ${CONN_KEYS.join(', ')} }.`);
    // Lazy fields are checked when they are known; stand-ins let the static ones be checked now.
    const sample: Record<string, unknown> = { ...o };
    for (const [k, v] of Object.entries(o)) if (typeof v === 'function') sample[k] = k === 'port' ? 5432 : k === 'sslmode' ? 'disable' : 'x';
    const problem = connProblem(sample);
    if (problem) throw new RunbookDefinitionError(`${where}: ${problem}.`);
    return lazy(Object.freeze({ ...o }));
  }
  const problem = connProblem(conn);
  if (problem) throw new RunbookDefinitionError(`${where}: ${problem}.`);
  return lazy(conn);
}

function sqlText(sql: unknown, where: string): string {
  if (typeof sql !== 'string' || sql.trim() === '') {
    throw new RunbookDefinitionError(`${where}: the SQL must be a non-empty string; pass values as params ($1, $2…): pg.query(conn, 'select * from t where id = $1', [c => c.params.id]).`);
  }
  return sql;
}

function paramsValue(params: unknown, where: string): LazyValue | undefined {
  if (params === undefined) return undefined;
  if (typeof params === 'function') return lazy(params);
  if (!Array.isArray(params)) throw new RunbookDefinitionError(`${where}: params must be an array of values for $1, $2… (items may be c => value), or c => array.`);
  return lazy(Object.freeze([...params]));
}

function node(op: PgNode['op'], conn: LazyValue, sql: string, extra: Partial<Pick<PgNode, 'params' | 'primary' | 'maxLagBytes'>> = {}): PgNode {
  return Object.freeze({
    type: 'pg', op, conn, sql, readOnly: op !== 'exec' && op !== 'promote' && op !== 'promote-verify',
    params: extra.params, primary: extra.primary, maxLagBytes: extra.maxLagBytes,
  });
}

export const pg = {
  /**
   * A read-only statement: it runs inside BEGIN READ ONLY … ROLLBACK, as one statement (the extended
   * protocol refuses `select 1; commit; …`), so a check cannot write. It runs for real in `--probe`.
   * `expect` sees the result: `{ expect: r => r.rows[0]?.r === true }`.
   */
  query<C>(conn: PgConn<C>, sql: string, params?: PgParams<C>): Action<PgResult, C> {
    const where = 'pg.query';
    return makeAction(node('query', connValue(conn, `${where} target`), sqlText(sql, where), { params: paramsValue(params, where) }));
  },
  /** A statement that changes things (DDL, DML, admin functions), run as given. Without params several statements may be sent at once. */
  exec<C>(conn: PgConn<C>, sql: string, params?: PgParams<C>): Action<PgResult, C> {
    const where = 'pg.exec';
    return makeAction(node('exec', connValue(conn, `${where} target`), sqlText(sql, where), { params: paramsValue(params, where) }));
  },
  /** `select pg_is_in_recovery()`: `value` is true on a standby, false on a primary (null when it could not ask). */
  inRecovery<C>(conn: PgConn<C>): Action<PgValueResult<boolean>, C> {
    return makeAction(node('in-recovery', connValue(conn, 'pg.inRecovery target'), PG_SQL.inRecovery));
  },
  /**
   * Replication lag. On a standby: WAL received but not replayed (bytes), seconds since the last replayed
   * transaction, whether the WAL receiver streams. On a primary: each replica from pg_stat_replication.
   */
  replicationLag<C>(conn: PgConn<C>): Action<PgValueResult<PgReplicationLag>, C> {
    return makeAction(node('replication-lag', connValue(conn, 'pg.replicationLag target'), REPLICATION_LAG_SUMMARY));
  },
  /**
   * For a `promote` step: precheck (the standby is in recovery, its WAL receiver streams while the
   * primary is up, lag ≤ maxLagBytes) → fence? → `select pg_promote(true, <timeout>)` → verify
   * (pg_is_in_recovery() is false and a write succeeds, rolled back). The result records old → new
   * primary, the timelines before and after and the lag at promotion.
   */
  promote<C>(o: PgPromoteOptions<C>): Action<PgPromoteResult, C> {
    if (typeof o !== 'object' || o === null || o.standby === undefined) {
      throw new RunbookDefinitionError('pg.promote({ standby, primary?, maxLagBytes?, fence?, timeout? }) needs the standby to promote: pg.promote({ standby: "postgres://postgres@10.0.0.6:5432/postgres" }).');
    }
    const unknown = Object.keys(o).filter((k) => !PROMOTE_KEYS.includes(k));
    if (unknown.length > 0) throw new RunbookDefinitionError(`pg.promote: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${PROMOTE_KEYS.join(', ')}.`);
    const max = o.maxLagBytes;
    if (max !== undefined && typeof max !== 'function' && (typeof max !== 'number' || !Number.isFinite(max) || max < 0)) {
      throw new RunbookDefinitionError(`pg.promote: maxLagBytes must be a number of bytes ≥ 0 (e.g. 1_048_576 for 1 MiB) or c => number, got ${JSON.stringify(max)}.`);
    }
    const waitMs = o.timeout === undefined ? 60_000 : parseDuration(o.timeout, 'pg.promote timeout');
    const waitSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    const standby = connValue(o.standby, 'pg.promote standby');
    const promotion: PromoteNode = {
      type: 'promote',
      driver: 'postgres',
      precheck: node('promote-precheck', standby, PG_SQL.standbyLag, {
        primary: o.primary === undefined ? undefined : connValue(o.primary, 'pg.promote primary'),
        maxLagBytes: max === undefined ? undefined : lazy(max),
      }),
      fence: o.fence === undefined ? undefined : actionNode(o.fence, 'pg.promote fence'),
      // The old primary goes to the promote stage too: it must not accept connections as a primary any more
      // (the fence worked, or it is down) when pg_promote runs, or there would be two primaries.
      action: node('promote', standby, PG_SQL.promote, {
        params: lazy(Object.freeze([waitSeconds])),
        primary: o.primary === undefined || o.allowOldPrimaryUp === true ? undefined : connValue(o.primary, 'pg.promote primary'),
      }),
      verify: node('promote-verify', standby, PG_SQL.verifyWrite.join('; ')),
    };
    return makeAction(promotion);
  },
};
