import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vote } from '../run-store.js';

/**
 * Four-eyes votes in the file store: one small file per vote under
 * `<store>/approvals/<run-id>/<request-id>/`, written whole then renamed into place, so the run (the
 * only writer of its journal) finds each complete and journals it in order.
 */
export function voteDir(root: string, runId: string, requestId: string): string {
  return join(root, 'approvals', safe(runId), safe(requestId));
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function writeVote(root: string, v: Vote): void {
  const dir = voteDir(root, v.runId, v.requestId);
  mkdirSync(dir, { recursive: true });
  const name = `${Date.parse(v.at) || Date.now()}-${safe(v.voteId)}.json`;
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, JSON.stringify(v), { mode: 0o644 });
  renameSync(tmp, join(dir, name));
}

export function readVotes(root: string, runId: string, requestId: string): Vote[] {
  const dir = voteDir(root, runId, requestId);
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  return names.flatMap((f) => {
    try {
      const v = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vote;
      return v.runId === runId && v.requestId === requestId ? [v] : [];
    } catch {
      return [];
    }
  });
}
