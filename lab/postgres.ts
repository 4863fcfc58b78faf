// PostgreSQL 15 servers on 127.0.0.1 from the machine's binaries: a primary made with initdb and
// streaming standbys made with pg_basebackup -R -X stream. As root they run as the `postgres` user
// (PostgreSQL refuses root); otherwise as the current user. Password auth (scram) for the role
// `ops`, trust for everyone else on 127.0.0.1. Used by the lab and by test/helpers/servers/postgres.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pidAlive, readText, spawnLogged, stopPid, userIds, waitUntil, type Owner, type Proc, type SpawnOptions } from './process.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** The `postgres` login when we are root (PostgreSQL refuses to run as root); else undefined: run as ourselves. */
export function pgOwner(): Owner | undefined {
  return process.getuid?.() === 0 ? userIds('postgres') : undefined;
}

/** Gives `path` to the user the servers run as (a no-op unless root). */
export function own(path: string): void {
  const who = pgOwner();
  if (who) chownSync(path, who.uid, who.gid);
}

/** A PostgreSQL tool (initdb, pg_basebackup…) as the servers' user; its output, or an error with its stderr. */
export function pgTool(cmd: string, args: readonly string[], bin = PG_BIN): string {
  try {
    return execFileSync(join(bin, cmd), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: tmpdir() }, ...(pgOwner() ?? {}), timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? ''}${err.stdout ?? ''}${err.message}`);
  }
}

/** `root` (holding data dirs, logs and the socket dir `sockets/`) owned by the servers' user. */
export function prepareRoot(root: string): void {
  mkdirSync(join(root, 'sockets'), { recursive: true });
  own(root);
  own(join(root, 'sockets'));
}

export const PG_SETTINGS = [
  'listen_addresses=127.0.0.1', 'wal_level=replica', 'max_wal_senders=10', 'max_replication_slots=10', 'hot_standby=on',
  'fsync=off', 'full_page_writes=off', 'shared_buffers=16MB', 'max_connections=40', 'wal_keep_size=256MB',
  'logging_collector=off', 'log_min_messages=warning', 'wal_receiver_status_interval=1s',
];

export function pgDsn(port: number, user = 'postgres', password?: string): string {
  return `postgres://${user}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/postgres`;
}

/** One query as the superuser `postgres` (trust on 127.0.0.1) on a fresh connection. */
export async function pgQuery<T extends Record<string, unknown> = Record<string, unknown>>(port: number, sql: string, values?: unknown[], database = 'postgres'): Promise<T[]> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/** initdb into `dataDir` (under a prepared root) with the lab's pg_hba.conf. */
export function initPrimary(dataDir: string, bin = PG_BIN): void {
  pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], bin);
  writeFileSync(join(dataDir, 'pg_hba.conf'), [
    'local all all trust',
    'host all ops 127.0.0.1/32 scram-sha-256',
    'host all all 127.0.0.1/32 trust',
    'host replication all 127.0.0.1/32 trust',
    '',
  ].join('\n'));
  own(join(dataDir, 'pg_hba.conf'));
}

/** Creates the superuser `ops` that must log in with a password; returns the password. */
export async function createOpsRole(port: number): Promise<string> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  await pgQuery(port, `create role ops login superuser password '${password}'`);
  return password;
}

/** pg_basebackup -R -X stream of the primary on `primaryPort` into `dataDir`. */
export function baseBackup(primaryPort: number, dataDir: string, bin = PG_BIN): void {
  pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'], bin);
  chmodSync(dataDir, 0o700);
}

export interface PgProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly logPath: string;
  readonly proc: Proc;
  log(): string;
}

/** Starts a postmaster on 127.0.0.1:port (log `<root>/<name>.log`) and waits (bounded) until it accepts connections. */
export async function startPostgres(o: { name: string; root: string; dataDir: string; port: number; bin?: string; spawn?: SpawnOptions }): Promise<PgProcess> {
  const logPath = join(o.root, `${o.name}.log`);
  const args = ['-D', o.dataDir, '-p', String(o.port), '-k', join(o.root, 'sockets'), ...PG_SETTINGS.flatMap((s) => ['-c', s])];
  const proc = spawnLogged(o.name, join(o.bin ?? PG_BIN, 'postgres'), args, { ...o.spawn, log: logPath, as: pgOwner(), env: { HOME: o.root } });
  const log = (): string => readText(logPath);
  // A hot standby accepts connections once consistent.
  await waitUntil(`postgres ${o.name} to accept connections on port ${o.port}`, async () => (await pgQuery(o.port, 'select 1')).length === 1, {
    timeoutMs: 30_000, failed: () => (proc.exited() ? 'exited at start' : undefined), detail: log,
  });
  return { name: o.name, port: o.port, pid: proc.pid, dataDir: o.dataDir, logPath, proc, log };
}

/** Waits (bounded) until the standby's WAL receiver streams. */
export async function waitStreaming(s: PgProcess, timeoutMs = 30_000): Promise<void> {
  await waitUntil(`standby ${s.name} to stream`, async () => (await pgQuery<{ status: string | null }>(s.port, 'select status from pg_stat_wal_receiver'))[0]?.status === 'streaming', {
    timeoutMs, failed: () => (s.proc.exited() ? 'exited' : undefined), detail: s.log,
  });
}

/** The postmaster's PID from `<dataDir>/postmaster.pid`, if there is one. */
export function postmasterPid(dataDir: string): number | undefined {
  const pid = Number(readText(join(dataDir, 'postmaster.pid')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Stops a postmaster by PID: `fast` (SIGINT: disconnect clients, checkpoint, exit) or `immediate`
 * (SIGQUIT), SIGKILL after `waitMs`. True when it is gone.
 */
export function stopPostmaster(pid: number, mode: 'fast' | 'immediate', waitMs: number): Promise<boolean> {
  return stopPid(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT', waitMs, 'postgres');
}

/** Whether `pid` is a live postmaster. */
export function postmasterAlive(pid: number): boolean {
  return pidAlive(pid, 'postgres');
}
