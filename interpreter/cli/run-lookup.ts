import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { StorePaths } from '../store/paths.js';

/** All run ids in the store, newest first. */
export function listRunIds(store: StorePaths): string[] {
  if (!existsSync(store.runs)) return [];
  return readdirSync(store.runs)
    .filter((f) => f.endsWith('.ndjson'))
    .map((f) => f.slice(0, -'.ndjson'.length))
    .sort()
    .reverse();
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
