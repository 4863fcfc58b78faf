import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import type { RedisInfoResult, RedisPromoteResult, RedisResult } from '../results.js';
import { lazy, type LazyValue, type RedisNode } from '../nodes.js';
import { actionNode, makeAction, type Action } from './action.js';

/** A Redis server: `redis://[:password@]host:port[/db]` (`rediss://` for TLS), or the same as an object. */
export type RedisConn = string | { readonly host: string; readonly port?: number; readonly password?: string; readonly username?: string; readonly db?: number; readonly tls?: boolean };
type Arg = string | number;

/** A connection as the adapter uses it. `password` stays here: never render this object, render `redisConnText`. */
export interface ParsedRedisConn {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly tls: boolean;
}

/** Parses a connection; throws a TypeError naming the problem (the caller says where). */
export function parseRedisConn(v: unknown): ParsedRedisConn {
  if (typeof v === 'string') {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new TypeError(`${JSON.stringify(maskRedisUrl(v))} is not a Redis URL; write redis://[:password@]host:port[/db]`);
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TypeError(`${JSON.stringify(maskRedisUrl(v))} is not a Redis URL (redis:// or rediss://)`);
    if (u.hostname === '') throw new TypeError(`${JSON.stringify(maskRedisUrl(v))} names no host`);
    const dbText = u.pathname.replace(/^\//, '');
    if (dbText !== '' && !/^\d+$/.test(dbText)) throw new TypeError(`${JSON.stringify(maskRedisUrl(v))}: the path must be a database number, e.g. /0`);
    return {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port === '' ? 6379 : Number(u.port),
      username: u.username === '' ? undefined : decodeURIComponent(u.username),
      password: u.password === '' ? undefined : decodeURIComponent(u.password),
      db: dbText === '' ? 0 : Number(dbText),
      tls: u.protocol === 'rediss:',
    };
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o['host'] !== 'string' || o['host'] === '') throw new TypeError('a Redis connection object needs a host: { host: "10.0.0.5", port: 6379 }');
    const port = o['port'] ?? 6379;
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`port ${String(port)} is not a TCP port`);
    for (const k of ['password', 'username'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw new TypeError(`${k} must be a string`);
    const db = o['db'] ?? 0;
    if (typeof db !== 'number' || !Number.isInteger(db) || db < 0) throw new TypeError(`db ${String(db)} is not a database number`);
    return { host: o['host'], port, username: o['username'] as string | undefined, password: o['password'] as string | undefined, db, tls: o['tls'] === true };
  }
  throw new TypeError(`expected redis://host:port or { host, port }, got ${v === null ? 'null' : typeof v}`);
}

/** How a connection is shown: the password is always `***`. */
export function redisConnText(p: ParsedRedisConn): string {
  const auth = p.password !== undefined ? `${p.username === undefined ? '' : encodeURIComponent(p.username)}:***@` : p.username !== undefined ? `${encodeURIComponent(p.username)}@` : '';
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return `${p.tls ? 'rediss' : 'redis'}://${auth}${host}:${p.port}${p.db === 0 ? '' : `/${p.db}`}`;
}

/** A URL with its password replaced, for messages about a URL that does not parse. */
function maskRedisUrl(s: string): string {
  return s.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** Commands that only read; with a subcommand (`CONFIG GET`), the pair is listed. Everything else mutates. */
const READ_ONLY = new Set([
  'PING', 'ECHO', 'INFO', 'ROLE', 'DBSIZE', 'TIME', 'LASTSAVE', 'GET', 'MGET', 'STRLEN', 'GETRANGE', 'EXISTS', 'TTL', 'PTTL',
  'EXPIRETIME', 'TYPE', 'SCAN', 'KEYS', 'RANDOMKEY', 'HGET', 'HMGET', 'HGETALL', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS', 'HSCAN',
  'LLEN', 'LRANGE', 'LINDEX', 'SCARD', 'SMEMBERS', 'SISMEMBER', 'SSCAN', 'ZCARD', 'ZRANGE', 'ZSCORE', 'ZCOUNT', 'ZRANK', 'ZSCAN',
  'XLEN', 'XRANGE', 'PFCOUNT', 'WAIT',
  'CONFIG GET', 'CLIENT LIST', 'CLIENT INFO', 'CLIENT GETNAME', 'CLIENT ID', 'MEMORY USAGE', 'MEMORY STATS', 'SLOWLOG GET', 'SLOWLOG LEN',
  'CLUSTER INFO', 'CLUSTER NODES', 'CLUSTER SLOTS', 'CLUSTER SHARDS', 'CLUSTER MYID', 'LATENCY LATEST', 'LATENCY HISTORY',
  'OBJECT ENCODING', 'OBJECT FREQ', 'OBJECT IDLETIME', 'OBJECT REFCOUNT', 'XINFO STREAM', 'XINFO GROUPS', 'XINFO CONSUMERS',
  'COMMAND COUNT', 'COMMAND INFO', 'COMMAND DOCS', 'ACL WHOAMI', 'FUNCTION LIST', 'SCRIPT EXISTS', 'PUBSUB CHANNELS', 'PUBSUB NUMSUB',
  'SENTINEL MASTERS', 'SENTINEL MASTER', 'SENTINEL REPLICAS', 'SENTINEL SLAVES', 'SENTINEL SENTINELS', 'SENTINEL GET-MASTER-ADDR-BY-NAME', 'SENTINEL CKQUORUM',
]);

/** Whether a command only reads. A subcommand computed at run time is not known, so it does not count. */
export function redisCommandReadOnly(command: string, first: LazyValue | undefined): boolean {
  const name = command.toUpperCase();
  if (READ_ONLY.has(name)) return true;
  if (first === undefined || first.lazy || (typeof first.value !== 'string')) return false;
  return READ_ONLY.has(`${name} ${first.value.toUpperCase()}`);
}

function connValue(conn: unknown, where: string): LazyValue {
  if (typeof conn === 'function') return lazy(conn);
  try {
    parseRedisConn(conn);
  } catch (e) {
    throw new RunbookDefinitionError(`${where}: bad connection: ${(e as Error).message}.`);
  }
  return lazy(conn);
}

function node(op: RedisNode['op'], conn: unknown, command: unknown, args: readonly unknown[], where: string, extra: { primary?: LazyValue; timeoutMs?: number } = {}): RedisNode {
  if (typeof command !== 'string' || !/^[A-Za-z][A-Za-z0-9_|-]*$/.test(command)) {
    throw new RunbookDefinitionError(`${where}: the command must be a Redis command name such as 'INFO' or 'PING', got ${JSON.stringify(command)}. Arguments go after it: redis.command(conn, 'CONFIG', 'GET', 'maxmemory').`);
  }
  const lazyArgs = args.map((a, i) => {
    if (typeof a !== 'string' && typeof a !== 'number' && typeof a !== 'function') throw new RunbookDefinitionError(`${where}: argument #${i + 1} must be a string, a number or c => value, got ${a === null ? 'null' : typeof a}.`);
    return lazy(a);
  });
  const upper = command.toUpperCase();
  return Object.freeze({
    type: 'redis',
    op,
    conn: connValue(conn, where),
    command: upper,
    args: Object.freeze(lazyArgs),
    readOnly: redisCommandReadOnly(upper, lazyArgs[0]),
    primary: extra.primary,
    timeoutMs: extra.timeoutMs,
  });
}

export interface RedisPromoteOptions<C> {
  /** The replica to promote. */
  readonly replica: RedisConn | ((c: C) => RedisConn);
  /** The old primary, if it may still answer: its replication offset gives the replica's lag in the precheck. */
  readonly primary?: RedisConn | ((c: C) => RedisConn);
  /** Optional: isolate the old primary first (your own action). */
  readonly fence?: Action<unknown, C>;
  /** How long verify polls `INFO replication` for `role:master` (default 10s). */
  readonly verifyTimeout?: Duration;
}

export const redis = {
  /**
   * Any Redis command: `redis.command(conn, 'INFO', 'replication')`. Read-only commands (PING, INFO, ROLE, GET,
   * CONFIG GET…) also run in `--probe`; anything else counts as a change. Refused connections are data (`ok: false`).
   */
  command: <C>(conn: RedisConn | ((c: C) => RedisConn), command: string, ...args: (Arg | ((c: C) => Arg))[]): Action<RedisResult, C> =>
    makeAction(node('command', conn, command, args, `redis.command(…, ${JSON.stringify(command)})`)),
  /** `INFO [section]`, parsed into a record (`role`, `master_link_status`, …); the raw text is in `text`. */
  info: <C>(conn: RedisConn | ((c: C) => RedisConn), section?: string | ((c: C) => string)): Action<RedisInfoResult, C> =>
    makeAction(node('info', conn, 'INFO', section === undefined ? [] : [section], 'redis.info')),
  /**
   * For a `promote` step: precheck (the replica's ROLE is slave; its link status, last I/O, sync state and lag
   * behind `primary` are reported) → fence? → `REPLICAOF NO ONE` → verify (`INFO replication` polled until
   * `role:master`). The result adds old → new primary, the roles before and after and the replica's link state before.
   */
  promote<C>(p: RedisPromoteOptions<C>): Action<RedisPromoteResult, C> {
    if (typeof p !== 'object' || p === null || p.replica === undefined) throw new RunbookDefinitionError('redis.promote({ replica, primary? }) needs the replica to promote: redis.promote({ replica: "redis://10.0.0.6:6379" }).');
    const unknown = Object.keys(p).filter((k) => !['replica', 'primary', 'fence', 'verifyTimeout'].includes(k));
    if (unknown.length > 0) throw new RunbookDefinitionError(`redis.promote: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; it takes replica, primary, fence and verifyTimeout.`);
    const timeoutMs = p.verifyTimeout === undefined ? 10_000 : parseDuration(p.verifyTimeout, 'redis.promote verifyTimeout');
    const primary = p.primary === undefined ? undefined : connValue(p.primary, 'redis.promote primary');
    const where = 'redis.promote replica';
    return makeAction({
      type: 'promote',
      driver: 'redis',
      precheck: node('promote-precheck', p.replica, 'ROLE', [], where, primary === undefined ? {} : { primary }),
      fence: p.fence === undefined ? undefined : actionNode(p.fence, 'redis.promote fence'),
      action: node('command', p.replica, 'REPLICAOF', ['NO', 'ONE'], where),
      verify: node('promote-verify', p.replica, 'INFO', ['replication'], where, { timeoutMs }),
    });
  },
};
