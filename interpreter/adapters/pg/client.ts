/**
 * One pg.Client per target per run, kept in the run's resources (closed when the run ends). A client
 * whose connection broke (server gone, network error, a statement abandoned on timeout) is dropped,
 * so the next step or retry connects afresh.
 */
import { createHash } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import type { Client, ClientConfig } from 'pg';
import type { ActionEnv } from '../../modes/types.js';
import type { PgTarget } from './target.js';

export const CONNECT_TIMEOUT_MS = 10_000;

/** What the adapter tracks about a client beyond pg's own state. */
export interface PgSession {
  readonly client: Client;
  readonly key: string;
  readonly config: ClientConfig;
  broken: boolean;
  /** The backend's transaction status after the last statement: I idle, T in a transaction, E failed transaction. */
  txStatus: string;
}

export function clientConfig(t: PgTarget, connectTimeoutMs: number): ClientConfig {
  return {
    host: t.host,
    port: t.port,
    ...(t.user === undefined ? {} : { user: t.user }),
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.database === undefined ? {} : { database: t.database }),
    ssl: t.sslmode === 'disable' ? false : t.sslmode === 'require' ? { rejectUnauthorized: false } : { rejectUnauthorized: true, servername: t.host },
    connectionTimeoutMillis: Math.max(1, Math.round(connectTimeoutMs)),
    application_name: 'runbook',
    keepAlive: true,
  };
}

function key(t: PgTarget): string {
  // The password only as a digest: the key is never printed, but it need not hold the secret either.
  const pw = t.password === undefined ? '' : createHash('sha256').update(t.password).digest('hex').slice(0, 16);
  return `pg:${t.sslmode}:${t.user ?? ''}@${t.host}:${t.port}/${t.database ?? ''}:${pw}`;
}

/** The run's session for this target, connecting on first use (or after the last one broke). */
export async function pgSession(env: ActionEnv, t: PgTarget, connectTimeoutMs: number): Promise<PgSession> {
  const k = key(t);
  const open = (): Promise<PgSession> => connect(k, clientConfig(t, connectTimeoutMs));
  const have = await env.resources.get(k, open, close);
  if (!have.broken) return have;
  await env.resources.drop(k);
  return env.resources.get(k, open, close);
}

/** Forgets and closes a session (after a timeout, an abort or a connection error). */
export function dropSession(env: ActionEnv, s: PgSession): Promise<void> {
  s.broken = true;
  return env.resources.drop(s.key);
}

async function connect(k: string, config: ClientConfig): Promise<PgSession> {
  const { Client } = await import('pg');
  const client = new Client(config);
  const session: PgSession = { client, key: k, config, broken: false, txStatus: 'I' };
  // An unhandled 'error' event (server restarted while idle) would crash the run: mark the session broken instead.
  client.on('error', () => (session.broken = true));
  client.on('end', () => (session.broken = true));
  const con = (client as unknown as { connection?: { on(ev: string, f: (m: { status?: string }) => void): void } }).connection;
  con?.on('readyForQuery', (m) => (session.txStatus = m.status ?? 'I'));
  try {
    await client.connect();
  } catch (e) {
    destroy(client);
    throw e;
  }
  return session;
}

async function close(s: PgSession): Promise<void> {
  s.broken = true;
  const timer = setTimeout(() => destroy(s.client), 1000);
  try {
    await s.client.end();
  } catch {
    destroy(s.client);
  } finally {
    clearTimeout(timer);
  }
}

function destroy(client: Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  try {
    stream?.destroy();
  } catch {
    // already gone
  }
}

/**
 * Asks the server to cancel the statement in flight: the protocol's CancelRequest (process id and
 * secret key from the session's start-up) on a separate connection. Best effort: the session is
 * dropped afterwards in any case.
 */
export async function cancelStatement(s: PgSession): Promise<void> {
  const { processID, secretKey } = s.client as unknown as { processID?: unknown; secretKey?: unknown };
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4);
  request.writeInt32BE(processID, 8);
  request.writeInt32BE(secretKey, 12);
  const host = s.config.host ?? 'localhost';
  const port = s.config.port ?? 5432;
  await new Promise<void>((resolve) => {
    const sock = host.startsWith('/') ? connectSocket(`${host}/.s.PGSQL.${port}`) : connectSocket(port, host);
    const done = (): void => {
      sock.destroy();
      resolve();
    };
    sock.setTimeout(2000, done);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => sock.end(request));
  });
}
