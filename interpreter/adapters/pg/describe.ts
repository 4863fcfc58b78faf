/**
 * How pg actions read in a dry-run and in the journal: the target with its password masked, the
 * exact SQL, the values for $1…, and for pg.promote each stage with what it checks and runs. Pure:
 * nothing here can connect (the renderer imports it).
 */
import type { LazyValue, PgNode, RuntimeCtx } from '../../../dsl/nodes.js';
import { renderConn, resolveConnFields } from '../../../dsl/actions/pg-conn.js';
import { PG_SQL } from '../../../dsl/actions/pg-sql.js';
import { resolve } from '../../engine/context.js';
import { resolveParams } from './resolve-params.js';

/** The target as shown: `postgres://ops:***@10.0.0.2:5432/app`, placeholders for unknown parts. */
export function renderConnValue(v: LazyValue, c: RuntimeCtx): string {
  try {
    return renderConn(resolveConnFields(resolve(v, c, 'pg target'), !v.lazy, c));
  } catch (e) {
    return `<cannot resolve the target: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

function sqlText(sql: string): string {
  return sql.includes('\n') ? `\n    ${sql.trim().split('\n').map((l) => l.trim()).join('\n    ')}` : ` ${sql}`;
}

function paramsText(node: PgNode, c: RuntimeCtx): string {
  if (node.params === undefined) return '';
  try {
    const values = resolveParams(node.params, c) ?? [];
    return values.length === 0 ? '' : ` [${values.map((v, i) => `$${i + 1}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join(', ')}]`;
  } catch (e) {
    return ` [params: <cannot render: ${e instanceof Error ? e.message : String(e)}>]`;
  }
}

function lazyText(v: LazyValue | undefined, c: RuntimeCtx): string | undefined {
  if (v === undefined) return undefined;
  try {
    return String(resolve(v, c, 'value'));
  } catch (e) {
    return `<cannot render: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

export function renderPg(node: PgNode, c: RuntimeCtx): string {
  const target = renderConnValue(node.conn, c);
  switch (node.op) {
    case 'query':
      return `pg ${target}:${sqlText(node.sql)}${paramsText(node, c)} (read-only transaction)`;
    case 'exec':
      return `pg ${target}:${sqlText(node.sql)}${paramsText(node, c)}`;
    case 'in-recovery':
    case 'replication-lag':
      return `pg ${target}: ${node.sql} (read-only)`;
    case 'promote-precheck': {
      const max = lazyText(node.maxLagBytes, c);
      const primary = node.primary === undefined ? undefined : renderConnValue(node.primary, c);
      const lag = primary
        ? `lag = pg_current_wal_lsn() on the old primary ${primary} − pg_last_wal_replay_lsn() here, and the WAL receiver must be streaming while the primary answers (when it does not: received − replayed here)`
        : 'lag = pg_last_wal_receive_lsn() − pg_last_wal_replay_lsn() here (no primary given)';
      return `pg ${target}: ${PG_SQL.inRecovery} must be true; pg_stat_wal_receiver, pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(); ${lag}; ${max === undefined ? 'no lag bound' : `lag ≤ ${max} bytes`}`;
    }
    case 'promote': {
      const values = (() => {
        try {
          return resolveParams(node.params, c) ?? [];
        } catch {
          return [];
        }
      })();
      return `pg ${target}: ${node.sql.replace('$1', String(values[0] ?? '$1'))}`;
    }
    case 'promote-verify':
      return `pg ${target}: ${PG_SQL.inRecovery} must be false (polled up to 10s); ${PG_SQL.verifyWrite.join('; ')}; timeline from pg_walfile_name(pg_current_wal_lsn())`;
  }
}
