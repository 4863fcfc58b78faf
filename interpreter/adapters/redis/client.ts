/**
 * One ioredis client per server per run, kept in the run's resources (closed when the run ends).
 * Connects on first use with a bounded connect timeout and never reconnects on its own: a server
 * that goes away shows as an error in the next result, and the step after that opens a fresh client.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ParsedRedisConn } from '../../../dsl/actions/redis.js';
import type { ActionEnv } from '../../modes/types.js';

export const CONNECT_TIMEOUT_MS = 5_000;

function key(c: ParsedRedisConn): string {
  // The password only as a digest: two passwords for one server are two clients, and the key never holds it.
  const pw = c.password === undefined ? '' : createHash('sha256').update(c.password).digest('hex').slice(0, 16);
  return `redis:${c.tls ? 's' : ''}${c.host}:${c.port}/${c.db}:${c.username ?? ''}:${pw}`;
}

export async function redisClient(env: ActionEnv, c: ParsedRedisConn): Promise<Redis> {
  const k = key(c);
  const have = await env.resources.get(k, () => open(c), close);
  if (have.status === 'ready') return have;
  // The server went away since the last step (no automatic reconnect): open a fresh client.
  await env.resources.drop(k);
  return env.resources.get(k, () => open(c), close);
}

/** Forgets (and closes) the client, e.g. after a command timed out with its reply still owed. */
export function dropRedisClient(env: ActionEnv, c: ParsedRedisConn): Promise<void> {
  return env.resources.drop(key(c));
}

async function open(c: ParsedRedisConn): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const r = new Redis({
    host: c.host,
    port: c.port,
    db: c.db,
    ...(c.username === undefined ? {} : { username: c.username }),
    ...(c.password === undefined ? {} : { password: c.password }),
    ...(c.tls ? { tls: { servername: c.host } } : {}),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // How long a closing socket may linger before it is destroyed (default 2s, which would hold the CLI's exit).
    disconnectTimeout: 100,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableOfflineQueue: false,
    autoResubscribe: false,
    showFriendlyErrorStack: false,
  });
  // Errors surface through the rejected commands; an unhandled 'error' event would crash the run.
  // While connecting, the event carries the cause (ECONNREFUSED, WRONGPASS…); connect() itself then
  // only says "Connection is closed.".
  let cause: unknown;
  const onError = (e: unknown): void => {
    cause ??= e;
  };
  r.on('error', onError);
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw cause ?? e;
  }
  r.off('error', onError);
  r.on('error', () => undefined);
  return r;
}

function close(r: Redis): Promise<unknown> {
  return r.quit().catch(() => r.disconnect());
}
