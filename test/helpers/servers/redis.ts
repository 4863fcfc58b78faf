// Real Redis servers for integration tests (lab/redis.ts does the work): /usr/bin/redis-server as a
// primary and a replica on 127.0.0.1:<free ports>, data in a temp dir, no persistence. Optionally
// with a password on both (--requirepass / --masterauth). start() waits (bounded) until the
// replica's link to the primary is up; stop() ends both by PID (and they are killed on process exit
// whatever happens).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, stopProc } from '../../../lab/process.js';
import { REDIS_SERVER, startRedis, stopRedis, waitLinked, type RedisProcess } from '../../../lab/redis.js';

export { freePort, REDIS_SERVER };
export const REDIS_REQUIREMENT = { what: 'Redis server', paths: [REDIS_SERVER], install: 'apt-get install redis-server' } as const;

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

function server(r: RedisProcess): RedisServer {
  return { port: r.port, pid: r.pid, url: r.url, log: r.log, stop: () => stopProc(r.proc, stopRedis) };
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
    const p = await startRedis({ dir, name: 'primary', port: await freePort(), password: o.password });
    primary = server(p);
    const r = await startRedis({ dir, name: 'replica', port: await freePort(), password: o.password, replicaOf: p.port });
    replica = server(r);
    await waitLinked(r, o.password, () => `${p.log()}\n--- replica ---\n${r.log()}`);
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
