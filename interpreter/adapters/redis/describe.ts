/**
 * How a Redis action reads, for the dry-run renderer and for the adapter's results alike (one text for
 * both, so the plan shows exactly what runs). Pure: imports nothing that can connect.
 */
import type { RedisNode, RuntimeCtx } from '../../../dsl/nodes.js';
import { parseRedisConn, redisConnText, type ParsedRedisConn } from '../../../dsl/actions/redis.js';
import { resolve } from '../../engine/context.js';
import { isPlaceholder } from '../../engine/placeholder.js';

/** The connection, or the placeholder text when it comes from an output a dry-run does not know. */
export function resolveConn(v: RedisNode['conn'], c: RuntimeCtx, what: string): { conn: ParsedRedisConn | null; text: string } {
  const value = resolve(v, c, what);
  if (isPlaceholder(value)) return { conn: null, text: String(value) };
  try {
    const conn = parseRedisConn(value);
    return { conn, text: redisConnText(conn) };
  } catch (e) {
    throw new TypeError(`${what}: ${(e as Error).message}`);
  }
}

/** The arguments as they will be sent (placeholders stay placeholders in a dry-run). */
export function resolveArgs(node: RedisNode, c: RuntimeCtx): string[] {
  return node.args.map((a, i) => {
    const v = resolve(a, c, `redis ${node.command} argument #${i + 1}`);
    if (isPlaceholder(v)) return String(v);
    if (typeof v !== 'string' && typeof v !== 'number') throw new TypeError(`redis ${node.command} argument #${i + 1} is ${v === null ? 'null' : typeof v}; give a string or a number`);
    return String(v);
  });
}

/** `CONFIG GET "max memory"`: words with spaces, quotes or nothing in them are JSON-quoted. */
export function commandText(command: string, args: readonly string[]): string {
  return [command, ...args.map((a) => (/^[^\s"'\\]+$/.test(a) ? a : JSON.stringify(a)))].join(' ');
}

export function renderRedis(node: RedisNode, c: RuntimeCtx): string {
  const target = resolveConn(node.conn, c, 'redis connection').text;
  switch (node.op) {
    case 'command':
    case 'info':
      return `redis ${target}: ${commandText(node.command, resolveArgs(node, c))}${node.readOnly ? ' (read-only)' : ''}`;
    case 'promote-precheck': {
      const primary = node.primary === undefined ? '' : `; lag vs primary ${resolveConn(node.primary, c, 'redis primary').text}: INFO replication`;
      return `redis ${target}: ROLE, INFO replication (must be a replica; report master_link_status, master_last_io_seconds_ago, master_sync_in_progress)${primary}`;
    }
    case 'promote-verify':
      return `redis ${target}: INFO replication until role:master (up to ${Math.round((node.timeoutMs ?? 10_000) / 1000)}s)`;
  }
}
