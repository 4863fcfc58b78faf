// Redis servers on 127.0.0.1 from the machine's redis-server: a primary and a replica
// (--replicaof), no persistence, diskless sync without delay, optionally with a password on both
// (--requirepass / --masterauth). Used by the lab and by test/helpers/servers/redis.ts.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { readText, spawnLogged, stopPid, waitUntil, type PidRef, type Proc, type SpawnOptions } from './process.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** redis://[:password@]127.0.0.1:port */
  readonly url: string;
  readonly proc: Proc;
  log(): string;
}

export function redisUrl(port: number, password?: string): string {
  return `redis://${password === undefined ? '' : `:${encodeURIComponent(password)}@`}127.0.0.1:${port}`;
}

/** One command on a fresh connection; undefined when the server does not answer. */
export async function redisAsk(port: number, password: string | undefined, command: readonly string[]): Promise<unknown> {
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

/** Starts redis-server (`<dir>/<name>.log`), a replica of `replicaOf` when given; waits (bounded) for PONG. */
export async function startRedis(o: { dir: string; name: string; port: number; password?: string | undefined; replicaOf?: number; bin?: string; spawn?: SpawnOptions }): Promise<RedisProcess> {
  const logPath = join(o.dir, `${o.name}.log`);
  const args = [
    '--port', String(o.port), '--bind', '127.0.0.1', '--dir', o.dir, '--dbfilename', `${o.name}.rdb`, '--logfile', logPath,
    '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--daemonize', 'no',
    ...(o.password === undefined ? [] : ['--requirepass', o.password, '--masterauth', o.password]),
    ...(o.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(o.replicaOf)]),
  ];
  const proc = spawnLogged(o.name, o.bin ?? REDIS_SERVER, args, { ...o.spawn, log: logPath });
  const log = (): string => readText(logPath);
  await waitUntil(`redis-server on port ${o.port} to accept connections`, async () => (await redisAsk(o.port, o.password, ['PING'])) === 'PONG', {
    timeoutMs: 20_000, failed: () => (proc.exited() ? 'exited at start' : undefined), detail: () => log().slice(-2000),
  });
  return { name: o.name, port: o.port, pid: proc.pid, url: redisUrl(o.port, o.password), proc, log };
}

/** Waits (bounded) until the replica's link to its primary is up and the first sync is done. */
export async function waitLinked(replica: RedisProcess, password: string | undefined, detail: () => string): Promise<void> {
  await waitUntil('the replica link to come up', async () => {
    const info = await redisAsk(replica.port, password, ['INFO', 'replication']);
    return typeof info === 'string' && /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info);
  }, { timeoutMs: 20_000, failed: () => (replica.proc.exited() ? 'the replica exited' : undefined), detail });
}

/** SIGTERM (no persistence: it exits at once), SIGKILL after 5 s. */
export function stopRedis(p: PidRef): Promise<boolean> {
  return stopPid(p.pid, 'SIGTERM', 5_000, p.match);
}
