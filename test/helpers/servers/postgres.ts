// Real PostgreSQL 15 servers for integration tests: a primary made with initdb and streaming standbys
// made with pg_basebackup -R -X stream, each on 127.0.0.1:<free port>, data and sockets in a temp dir
// owned by the `postgres` user (the servers run as that user when the tests run as root). Password
// auth (scram) for the role `ops`, trust for everyone else on 127.0.0.1. Stopped by PID (SIGQUIT, an
// immediate shutdown, then SIGKILL) by stop(), and killed on process exit whatever happens.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const PG_REQUIREMENT = { what: 'PostgreSQL 15 server', paths: [`${PG_BIN}/postgres`], install: 'apt-get install postgresql-15' } as const;

const running = new Map<number, string>();
process.on('exit', () => {
  for (const [pid, dir] of running) {
    tryKill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function tryKill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** uid/gid of `postgres` when we are root (PostgreSQL refuses to run as root); else run as ourselves. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const who = owner();
  try {
    return execFileSync(join(PG_BIN, cmd), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, HOME: tmpdir() }, ...(who ?? {}), timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? ''}${err.stdout ?? ''}${err.message}`);
  }
}

function own(path: string): void {
  const who = owner();
  if (who) chownSync(path, who.uid, who.gid);
}

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

const SETTINGS = [
  'listen_addresses=127.0.0.1', 'wal_level=replica', 'max_wal_senders=10', 'max_replication_slots=10', 'hot_standby=on',
  'fsync=off', 'full_page_writes=off', 'shared_buffers=16MB', 'max_connections=40', 'wal_keep_size=256MB',
  'logging_collector=off', 'log_min_messages=warning', 'wal_receiver_status_interval=1s',
];

async function startServer(name: string, root: string, dataDir: string, port: number): Promise<PgServer> {
  const sockets = join(root, 'sockets');
  const logPath = join(root, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const who = owner();
  const args = ['-D', dataDir, '-p', String(port), '-k', sockets, ...SETTINGS.flatMap((s) => ['-c', s])];
  let child: ChildProcess;
  try {
    child = spawn(join(PG_BIN, 'postgres'), args, { stdio: ['ignore', fd, fd], env: { ...process.env, HOME: root }, ...(who ?? {}) });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`postgres ${name} did not start`);
  running.set(pid, root);
  let exited = false;
  child.on('exit', () => {
    exited = true;
    running.delete(pid);
  });
  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const query = async <T extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      return (await c.query<T>(sql, values)).rows;
    } finally {
      await c.end();
    }
  };
  // Bounded wait until it accepts connections (a hot standby does once consistent).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`postgres ${name} exited at start:\n${log()}`);
    try {
      await query('select 1');
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`postgres ${name} not ready within 30s: ${String(e)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    name, port, pid, dataDir, log, query,
    dsn: (user = 'postgres', password?: string) => `postgres://${user}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/postgres`,
    alive: () => !exited,
    stop: async () => {
      if (exited) return;
      tryKill(pid, 'SIGQUIT'); // immediate shutdown
      const until = Date.now() + 5_000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (!exited) tryKill(pid, 'SIGKILL');
    },
  };
}

/** initdb + start a primary with a password-protected superuser `ops`. */
export async function startPrimary(): Promise<PgPrimary> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-pg-'));
  own(root);
  mkdirSync(join(root, 'sockets'));
  own(join(root, 'sockets'));
  const dataDir = join(root, 'primary');
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  writeFileSync(join(dataDir, 'pg_hba.conf'), [
    'local all all trust',
    'host all ops 127.0.0.1/32 scram-sha-256',
    'host all all 127.0.0.1/32 trust',
    'host replication all 127.0.0.1/32 trust',
    '',
  ].join('\n'));
  own(join(dataDir, 'pg_hba.conf'));
  const server = await startServer('primary', root, dataDir, await freePort());
  const password = `pw-${randomBytes(8).toString('hex')}`;
  await server.query(`create role ops login superuser password '${password}'`);
  return { ...server, password, root };
}

/** pg_basebackup -R -X stream from the primary, start it, and wait (bounded) until its WAL receiver streams. */
export async function startStandby(primary: PgPrimary, name: string): Promise<PgServer> {
  const dataDir = join(primary.root, name);
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
  chmodSync(dataDir, 0o700);
  const server = await startServer(name, primary.root, dataDir, await freePort());
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await server.query<{ status: string | null }>('select status from pg_stat_wal_receiver');
    if (rows[0]?.status === 'streaming') break;
    if (Date.now() > deadline) throw new Error(`standby ${name} not streaming within 30s\n${server.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/** Stops the servers (by PID) and removes the temp dir. */
export async function stopAll(primary: PgPrimary | undefined, others: readonly (PgServer | undefined)[]): Promise<void> {
  await Promise.all([primary, ...others].map((s) => s?.stop()));
  if (primary) rmSync(primary.root, { recursive: true, force: true });
}
