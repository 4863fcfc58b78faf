import type { QueryResult } from 'pg';
import type { PgResult } from '../../../dsl/results.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import type { PgError } from './errors.js';
import type { Ran } from './statement.js';

export const ROW_LIMIT = 1000;
const SHOWN_ROWS = 20;

/** The result of the last statement run (or the failure), as data. */
export function pgResult(target: string, sql: string, ran: Ran): PgResult {
  const last: QueryResult | undefined = ran.results.at(-1);
  const rows = (last?.rows ?? []).slice(0, ROW_LIMIT) as Record<string, unknown>[];
  const base = {
    target, sql, rows, rowCount: last?.rowCount ?? null, command: last?.command ?? null,
    durationMs: ran.durationMs, timedOut: ran.ok ? false : ran.timedOut,
  };
  return ran.ok ? { ok: true, ...base } : { ok: false, ...base, error: ran.error };
}

/** A failure before anything ran (the target could not be resolved). */
export function targetFailure(target: string, sql: string, error: PgError): PgResult {
  return { ok: false, target, sql, rows: [], rowCount: null, command: null, durationMs: 0, timedOut: false, error };
}

/** Rows as JSON lines then the command tag: what `parse` and a RegExp `expect` read; the first rows are shown live. */
export function outcome(env: ActionEnv, r: PgResult, extra: Record<string, unknown> = {}): ActionOutcome {
  const lines = r.rows.map((row) => JSON.stringify(row, jsonSafe));
  if (r.ok) {
    const tag = `${r.command ?? 'OK'}${r.rowCount === null ? '' : ` ${r.rowCount}`} (${r.durationMs} ms)`;
    for (const l of lines.slice(0, SHOWN_ROWS)) env.onOutput('stdout', `${l}\n`);
    if (lines.length > SHOWN_ROWS) env.onOutput('stdout', `… ${lines.length - SHOWN_ROWS} more rows\n`);
    env.onOutput('stdout', `${tag}\n`);
  }
  const result = { ...r, ...extra };
  const text = [...lines, r.ok ? `${r.command ?? ''} ${r.rowCount ?? ''}`.trim() : ''].filter(Boolean).join('\n');
  return r.ok ? { ok: true, result, text } : { ok: false, result, text, error: failureText(r), timedOut: r.timedOut };
}

export function failureText(r: PgResult): string {
  return `pg ${r.target}: ${r.error ? `${r.error.code} ${r.error.message}` : 'failed'}`;
}

function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
