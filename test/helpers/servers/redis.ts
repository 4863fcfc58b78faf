// Real Redis servers for integration tests: /usr/bin/redis-server as a primary and a replica on
// 127.0.0.1:<free ports>, data in a temp dir, no persistence. Optionally with a password on both
// (--requirepass / --masterauth). start() waits (bounded) until the replica's link to the primary is
// up; stop() ends both by PID (and they are killed on process exit whatever happens).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_REQUIREMENT = { what: 'Redis server', paths: [REDIS_SERVER], install: 'apt-get install redis-server' } as const;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) if (c.pid !== undefined) tryKill(c.pid, 'SIGKILL');
});

function tryKill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** redis://[:password@]127.0.0.1:port */
  readonly url: string;
  log(): string;
  stop(): Promise<void>;
}

export interface RedisPair {
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly password: string | undefined;
  readonly dir: string;
  /** A client of one of them (closed by stop()). */
  client(which: 'primary' | 'replica'): Redis;
  stop(): Promise<void>;
}

async function startServer(dir: string, name: string, extra: readonly string[], password: string | undefined): Promise<RedisServer> {
  const port = await freePort();
  const logfile = join(dir, `${name}.log`);
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `${name}.rdb`, '--logfile', logfile,
    '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--daemonize', 'no',
    ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
    ...extra,
  ];
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error(`could not start ${REDIS_SERVER}`);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const server: RedisServer = {
    port,
    pid: child.pid,
    url: `redis://${auth}127.0.0.1:${port}`,
    log: () => {
      try {
        return readFileSync(logfile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      if (!running.has(child)) return;
      tryKill(child.pid ?? -1, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!killed) {
        tryKill(child.pid ?? -1, 'SIGKILL');
        await exited;
      }
    },
  };
  await waitFor(`redis-server on port ${port} to accept connections`, async () => (await ask(port, password, ['PING'])) === 'PONG', server.log);
  return server;
}

/** One command on a fresh connection; undefined when the server does not answer. */
async function ask(port: number, password: string | undefined, command: readonly string[]): Promise<unknown> {
  const r = new Redis({ host: '127.0.0.1', port, ...(password === undefined ? {} : { password }), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1_000, disconnectTimeout: 100 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    const [cmd, ...args] = command;
    return await r.call(cmd ?? 'PING', ...args);
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}

async function waitFor(what: string, ok: () => Promise<boolean>, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; log:\n${log().slice(-2000)}`);
}

/** A primary and its replica, the replica's link up. */
export async function startRedisPair(o: { password?: string } = {}): Promise<RedisPair> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-redis-'));
  const clients: Redis[] = [];
  let primary: RedisServer | undefined;
  let replica: RedisServer | undefined;
  const stop = async (): Promise<void> => {
    for (const c of clients) c.disconnect();
    await replica?.stop();
    await primary?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    primary = await startServer(dir, 'primary', [], o.password);
    replica = await startServer(dir, 'replica', ['--replicaof', '127.0.0.1', String(primary.port)], o.password);
    const r = replica;
    await waitFor('the replica link to come up', async () => {
      const info = await ask(r.port, o.password, ['INFO', 'replication']);
      return typeof info === 'string' && /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info);
    }, () => `${primary?.log() ?? ''}\n--- replica ---\n${r.log()}`);
  } catch (e) {
    await stop();
    throw e;
  }
  const servers = { primary, replica };
  return {
    primary,
    replica,
    password: o.password,
    dir,
    client(which) {
      const s = servers[which];
      const c = new Redis({ host: '127.0.0.1', port: s.port, ...(o.password === undefined ? {} : { password: o.password }), retryStrategy: () => null, maxRetriesPerRequest: 0 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    stop,
  };
}
