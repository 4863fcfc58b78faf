import { readFileSync } from 'node:fs';
import { EVENT_TYPES, JOURNAL_VERSION, type JournalEvent } from '../events.js';
import { UsageError } from '../errors.js';
import type { ReadJournal } from './run-store.js';

export type { ReadJournal } from './run-store.js';

/**
 * Reads a journal. A torn last line (crash mid-write) is tolerated; any other damage is an error
 * naming the file and line: never a silent partial resume.
 */
export function readJournal(path: string): ReadJournal {
  const { lines, endsClean } = journalLines(path);
  return parseJournal(lines, endsClean, path);
}

/**
 * A journal file as lines. `endsClean`: the last line ended with a newline (a torn last line, when
 * it did not, is kept as the last element for the parser to judge).
 */
export function journalLines(path: string): { lines: string[]; endsClean: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read journal ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (endsClean) lines.pop();
  return { lines, endsClean };
}

/**
 * Parses a journal's lines (`where` names it in errors: a file, or a run in a PostgreSQL store).
 * `endsClean`: false when the last line may be torn (a file that does not end with a newline).
 */
export function parseJournal(lines: readonly string[], endsClean: boolean, where: string): ReadJournal {
  const path = where;
  const events: JournalEvent[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const last = i === lines.length - 1;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      if (last && !endsClean) {
        tornTail = true;
        break;
      }
      throw corrupt(path, i + 1, 'is not valid JSON');
    }
    if (typeof ev !== 'object' || ev === null || !EVENT_TYPES.has(String((ev as { type?: unknown }).type))) {
      throw corrupt(path, i + 1, `is not a journal event (type ${JSON.stringify((ev as { type?: unknown } | null)?.type)})`);
    }
    events.push(ev as JournalEvent);
  }
  const first = events[0];
  if (first === undefined) throw new UsageError(`Journal ${path} is empty: the run never started. Delete it, or start a new run.`);
  if (first.type !== 'run-started') throw corrupt(path, 1, 'does not start with run-started');
  if (typeof first.v !== 'number' || !Number.isInteger(first.v) || first.v < 1) throw corrupt(path, 1, `has no valid journal format version (v: ${JSON.stringify(first.v)})`);
  if (first.v > JOURNAL_VERSION) {
    throw new UsageError(`Journal ${path} was written in format ${String(first.v)}, newer than this runbook understands (${JOURNAL_VERSION}). Upgrade runbook to read it.`);
  }
  return { events, tornTail };
}

function corrupt(path: string, line: number, what: string): UsageError {
  return new UsageError(`Journal ${path} is corrupt: line ${line} ${what}. It was not written by runbook or was edited; restore it from a backup, or start a new run.`);
}
