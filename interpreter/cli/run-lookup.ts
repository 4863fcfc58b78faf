import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { firstEvent } from '../store/first-event.js';
import type { StorePaths } from '../store/paths.js';

/**
 * All run ids in the store, newest first. Ids sort only to the second (then by a random suffix), so
 * runs started within the same second are ordered by the start time their journal records.
 */
export function listRunIds(store: StorePaths): string[] {
  if (!existsSync(store.runs)) return [];
  const ids = readdirSync(store.runs)
    .filter((f) => f.endsWith('.ndjson'))
    .map((f) => f.slice(0, -'.ndjson'.length));
  const second = (id: string): string => id.slice(0, id.lastIndexOf('-'));
  const starts = new Map<string, string>();
  const startOf = (id: string): string => {
    let t = starts.get(id);
    if (t === undefined) starts.set(id, (t = startedAt(store.journal(id))));
    return t;
  };
  const desc = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
  return ids.sort((a, b) => desc(second(a), second(b)) || desc(startOf(a), startOf(b)) || desc(a, b));
}

/** The `t` of a journal's first event (run-started), or '' when it cannot be read. */
function startedAt(path: string): string {
  const t = firstEvent(path)?.['t'];
  return typeof t === 'string' ? t : '';
}

/** A run id, a unique prefix of one, or `last`. */
export function findRun(store: StorePaths, arg: string): string {
  const ids = listRunIds(store);
  if (arg === 'last' && ids[0] !== undefined) return ids[0];
  if (ids.includes(arg)) return arg;
  const matches = ids.filter((id) => id.startsWith(arg));
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1) throw new UsageError(`Run id "${arg}" is ambiguous: it starts ${matches.length} runs (${matches.slice(0, 3).join(', ')}…). Give more of it.`);
  const hint = ids.length ? `"runbook runs" lists the ${ids.length} run${ids.length > 1 ? 's' : ''} in ${store.root}.` : `The store ${store.root} has no runs yet (use --store DIR if the runs are elsewhere).`;
  throw new UsageError(`No run "${arg}" in the store. ${hint}`);
}
