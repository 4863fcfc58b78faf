import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { errorMessage } from '../errors.js';
import type { JournalEvent } from '../events.js';
import { readJournal } from '../store/journal-reader.js';
import type { StorePaths } from '../store/paths.js';
import { buildReport } from './build.js';
import { renderMarkdown } from './markdown.js';

/** Where the end of a run leaves its Markdown report: `<store>/reports/<run-id>.md`. */
export function reportPath(store: StorePaths, runId: string): string {
  return join(store.root, 'reports', `${runId}.md`);
}

/** A path for people: relative to the working directory when it is inside it. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Writes the Markdown report of a run that just ended and says where (one line on `out`). It never
 * fails the run: a report that cannot be written is a warning on `err`.
 */
export function announceReport(store: StorePaths, runId: string, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): void {
  announceReportFrom(join(store.root, 'reports'), runId, () => readJournal(store.journal(runId)), out, err);
}

/** The same, for any run store: the journal comes from `read` (a PostgreSQL store's run is read back from the server). */
export function announceReportFrom(
  reportsDir: string, runId: string, read: () => { events: readonly JournalEvent[]; tornTail: boolean },
  out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr,
): void {
  try {
    const { events, tornTail } = read();
    const path = join(reportsDir, `${runId}.md`);
    mkdirSync(reportsDir, { recursive: true });
    writeFileSync(path, renderMarkdown(buildReport(events, { tornTail })), { mode: 0o600 });
    out.write(`Report: ${shownPath(path)}\n`);
  } catch (e) {
    err.write(`runbook: warning: the run report was not written (${errorMessage(e)}); "runbook report ${runId}" can make it later.\n`);
  }
}
