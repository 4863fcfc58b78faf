// Real PostgreSQL 15 servers for integration tests (lab/postgres.ts does the work): a primary made
// with initdb and streaming standbys made with pg_basebackup -R -X stream, each on
// 127.0.0.1:<free port>, data and sockets in a temp dir owned by the `postgres` user (the servers run
// as that user when the tests run as root). Password auth (scram) for the role `ops`, trust for
// everyone else on 127.0.0.1. Stopped by PID (SIGQUIT, an immediate shutdown, then SIGKILL) by
// stop(), and killed on process exit whatever happens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseBackup, createOpsRole, initPrimary, PG_BIN, pgDsn, pgQuery, prepareRoot, startPostgres, stopPostmaster, waitStreaming, type PgProcess } from '../../../lab/postgres.js';
import { freePort, removeOnExit, stopProc } from '../../../lab/process.js';

export { PG_BIN };
export const PG_REQUIREMENT = { what: 'PostgreSQL 15 server', paths: [`${PG_BIN}/postgres`], install: 'apt-get install postgresql-15' } as const;

export interface PgServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** postgres://user[:password]@127.0.0.1:port/postgres */
  dsn(user?: string, password?: string): string;
  /** A query as the superuser `postgres` (trust on 127.0.0.1), for test setup and assertions. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  log(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface PgPrimary extends PgServer {
  /** The password of the role `ops` (a superuser that must log in with it). */
  readonly password: string;
  /** The temp dir holding every data dir and the socket dir. */
  readonly root: string;
}

function server(p: PgProcess): PgServer {
  return {
    name: p.name, port: p.port, pid: p.pid, dataDir: p.dataDir, log: p.log,
    query: <T extends Record<string, unknown>>(sql: string, values?: unknown[]) => pgQuery<T>(p.port, sql, values),
    dsn: (user?: string, password?: string) => pgDsn(p.port, user, password),
    alive: () => !p.proc.exited(),
    stop: () => stopProc(p.proc, (q) => stopPostmaster(q.pid, 'immediate', 5_000)),
  };
}

/** initdb + start a primary with a password-protected superuser `ops`. */
export async function startPrimary(): Promise<PgPrimary> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-pg-'));
  removeOnExit(root);
  prepareRoot(root);
  const dataDir = join(root, 'primary');
  initPrimary(dataDir);
  const p = await startPostgres({ name: 'primary', root, dataDir, port: await freePort() });
  const password = await createOpsRole(p.port);
  return { ...server(p), password, root };
}

/** pg_basebackup -R -X stream from the primary, start it, and wait (bounded) until its WAL receiver streams. */
export async function startStandby(primary: PgPrimary, name: string): Promise<PgServer> {
  const dataDir = join(primary.root, name);
  baseBackup(primary.port, dataDir);
  const p = await startPostgres({ name, root: primary.root, dataDir, port: await freePort() });
  await waitStreaming(p);
  return server(p);
}

/** Stops the servers (by PID) and removes the temp dir. */
export async function stopAll(primary: PgPrimary | undefined, others: readonly (PgServer | undefined)[]): Promise<void> {
  await Promise.all([primary, ...others].map((s) => s?.stop()));
  if (primary) rmSync(primary.root, { recursive: true, force: true });
}
