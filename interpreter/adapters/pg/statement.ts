/**
 * Runs statements on a target's session within the step's time and the run's abort signal.
 * Read-only: BEGIN READ ONLY, a snapshot-taking `select set_config('statement_timeout', …, true)` (so
 * the statement can no longer switch the transaction to read-write), the statements one by one over
 * the extended protocol (one statement each: `select 1; commit; insert …` is refused), ROLLBACK.
 * Otherwise: the session's statement_timeout, then the statements as given.
 * The server stops a statement at the step's timeout (statement_timeout); if it does not answer, the
 * client gives up shortly after, sends a cancel request and drops the session. Nothing is thrown.
 */
import type { QueryConfig, QueryResult } from 'pg';
import type { ActionEnv } from '../../modes/types.js';
import { CONNECT_TIMEOUT_MS, cancelStatement, dropSession, pgSession, type PgSession } from './client.js';
import { isConnectionError, pgError, type PgError } from './errors.js';
import type { PgTarget } from './target.js';

export interface Stmt {
  readonly text: string;
  readonly values?: readonly unknown[];
}

export interface RunOptions {
  readonly readOnly: boolean;
  /** Connect timeout (default 10s, never beyond the step's timeout). */
  readonly connectTimeoutMs?: number;
}

export type Ran =
  | { readonly ok: true; readonly results: readonly QueryResult[]; readonly durationMs: number }
  | { readonly ok: false; readonly error: PgError; readonly timedOut: boolean; readonly results: readonly QueryResult[]; readonly durationMs: number };

/** After the step's timeout, how long the client waits for the server's own statement_timeout before giving up. */
const GRACE_MS = 2000;

class Interrupted extends Error {
  constructor(readonly code: 'EABORTED' | 'ETIMEDOUT', message: string) {
    super(message);
  }
}

export async function runStatements(env: ActionEnv, t: PgTarget, stmts: readonly Stmt[], o: RunOptions): Promise<Ran> {
  const started = performance.now();
  const deadline = env.timeoutMs === undefined ? undefined : started + env.timeoutMs;
  const remaining = (): number | undefined => (deadline === undefined ? undefined : Math.max(1, Math.round(deadline - performance.now())));
  const results: QueryResult[] = [];
  const fail = (error: PgError, timedOut = false): Ran => ({ ok: false, error, timedOut, results, durationMs: Math.round(performance.now() - started) });
  if (env.signal.aborted) return fail({ code: 'EABORTED', message: 'interrupted before connecting' });

  const connectMs = Math.min(o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, remaining() ?? Number.POSITIVE_INFINITY);
  let session: PgSession;
  try {
    session = await untilAborted(pgSession(env, t, connectMs), env.signal);
  } catch (e) {
    if (e instanceof Interrupted) return fail({ code: e.code, message: e.message });
    const err = pgError(e, t);
    const timedOut = performance.now() - started >= connectMs - 50 && /timeout|terminated/i.test(err.message);
    return timedOut ? fail({ code: 'ETIMEDOUT', message: `no connection within ${connectMs} ms` }, true) : fail(err);
  }

  const run = async (text: string, values: readonly unknown[] | undefined, extended: boolean): Promise<QueryResult | QueryResult[]> => {
    const config = { text, ...(values === undefined ? {} : { values: [...values] }), ...(extended ? { queryMode: 'extended' } : {}) } as QueryConfig;
    return guard(session.client.query(config) as Promise<QueryResult | QueryResult[]>, env.signal, remaining());
  };
  const timeoutText = (): string => String(remaining() ?? 0);

  try {
    if (o.readOnly) {
      await run('begin transaction read only', undefined, false);
      await run("select set_config('statement_timeout', $1, true)", [timeoutText()], true);
      for (const s of stmts) results.push(...[await run(s.text, s.values ?? [], true)].flat());
      await run('rollback', undefined, false);
    } else {
      await run("select set_config('statement_timeout', $1, false)", [timeoutText()], true);
      for (const s of stmts) results.push(...[await run(s.text, s.values, s.values !== undefined && s.values.length > 0)].flat());
      if (session.txStatus !== 'I') {
        await run('rollback', undefined, false);
        return fail({ code: 'EOPENTX', message: 'the statement left a transaction open, so it was rolled back; put BEGIN … COMMIT in the same pg.exec' });
      }
    }
    return { ok: true, results, durationMs: Math.round(performance.now() - started) };
  } catch (e) {
    if (e instanceof Interrupted) {
      await cancelStatement(session);
      await dropSession(env, session);
      return fail({ code: e.code, message: e.message }, e.code === 'ETIMEDOUT');
    }
    const err = pgError(e, t);
    if (isConnectionError(err) || session.broken) {
      await dropSession(env, session);
    } else if (session.txStatus !== 'I') {
      try {
        await guard(session.client.query('rollback'), env.signal, 5000);
      } catch {
        await dropSession(env, session);
      }
    }
    const timedOut = err.code === '57014' && /statement timeout/i.test(err.message);
    return fail(timedOut ? { code: 'ETIMEDOUT', message: `${err.message} (the step's timeout, ${env.timeoutMs ?? 0} ms)` } : err, timedOut);
  }
}

/** The promise, unless the run is interrupted or the client-side deadline passes first. */
function guard<T>(p: Promise<T>, signal: AbortSignal, remainingMs: number | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      f();
    };
    const onAbort = (): void => finish(() => reject(new Interrupted('EABORTED', 'interrupted; the statement was cancelled')));
    const timer = remainingMs === undefined ? undefined : setTimeout(() => finish(() => reject(new Interrupted('ETIMEDOUT', `no answer within the step's timeout (+${GRACE_MS} ms); the statement was cancelled`))), remainingMs + GRACE_MS);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
  });
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return guard(p, signal, undefined);
}
