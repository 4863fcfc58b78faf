import { formatDuration } from '../../dsl/duration.js';
import { errorMessage } from '../errors.js';
import { shellQuote } from '../shell-quote.js';
import { maskStoreUrl } from '../store/pg/store-url.js';
import { withStore } from '../store/open-store.js';
import type { RunStore } from '../store/run-store.js';
import { shownStatus } from '../store/run-liveness.js';
import { replay } from '../store/run-state.js';

export interface RunRow {
  readonly runId: string;
  readonly runbookId?: string;
  readonly title?: string;
  readonly mode?: string;
  readonly status: string;
  /** The status for people, e.g. `running (on db7, pid 4242)`. */
  readonly statusText?: string;
  /** The process that last drove an unfinished run. */
  readonly host?: string;
  readonly pid?: number;
  /** What to do about a crashed run. */
  readonly hint?: string;
  readonly startedAt?: string;
  readonly durationMs?: number | null;
  readonly operator?: string;
  readonly error?: string;
}

/** Runs in the store, newest first. A damaged journal is listed as such, not hidden. */
export function runsCommand(f: { json?: boolean; store?: string }): Promise<number> {
  return withStore(f.store, async (store) => {
    const rows: RunRow[] = [];
    for (const runId of await store.listRuns()) rows.push(await runRow(store, runId, f.store));
    if (f.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write(`No runs in ${store.label} yet.\n`);
      return 0;
    }
    for (const r of rows) {
      const d = r.durationMs == null ? '' : formatDuration(r.durationMs);
      process.stdout.write(`${r.runId}  ${(r.statusText ?? r.status).padEnd(11)} ${(r.mode ?? '').padEnd(7)} ${(r.runbookId ?? '?').padEnd(20)} ${d.padStart(7)}  ${r.operator ?? ''}  ${r.error ?? r.hint ?? ''}\n`);
    }
    return 0;
  });
}

async function runRow(store: RunStore, runId: string, flag: string | undefined): Promise<RunRow> {
  try {
    const s = replay((await store.readRun(runId)).events);
    const st = shownStatus(s, resumeCommandLine(runId, flag));
    return {
      runId, runbookId: s.meta.runbookId, title: s.meta.title, mode: s.meta.mode, status: st.status,
      ...(st.text === st.status ? {} : { statusText: st.text }), ...(s.status === 'running' ? s.driver : {}), ...(st.hint ? { hint: st.hint } : {}),
      startedAt: s.meta.t, durationMs: s.durationMs, operator: [...s.operators].join(','),
    };
  } catch (e) {
    return { runId, status: 'unreadable', error: errorMessage(e) };
  }
}

/** `runbook resume <id>`, with the --store it was listed from. */
export function resumeCommandLine(runId: string, store: string | undefined): string {
  return `runbook resume ${runId}${store === undefined ? '' : ` --store ${shellQuote(maskStoreUrl(store))}`}`;
}
