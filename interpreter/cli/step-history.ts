// How long each step took in earlier finished live runs of the same runbook: the TUI's ETA prefers
// these medians to the runbook's own `estimate`s. Bounded: at most HISTORY_RUNS journals are read, and
// at most SCAN_RUNS first lines are looked at to find them; of each journal only step-finished and
// run-finished lines are parsed (a journal may hold megabytes of output).
import { firstEvent } from '../store/first-event.js';
import { scanLines } from '../store/journal-scan.js';
import type { StorePaths } from '../store/paths.js';
import { listRunIds } from './run-lookup.js';

export const HISTORY_RUNS = 20;
export const SCAN_RUNS = 500;

export interface StepHistory {
  /** How many earlier runs the medians come from. */
  readonly runs: number;
  /** Median duration (ms) of each step that ended ok in those runs. */
  readonly medians: ReadonlyMap<string, number>;
}

/** How one earlier run's steps ended: the last step-finished of each. */
export interface PastRunSteps {
  readonly runId: string;
  readonly steps: ReadonlyMap<string, { readonly status: string; readonly durationMs: number }>;
}

export const NO_HISTORY: StepHistory = { runs: 0, medians: new Map() };

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** Median duration per step over runs; only steps that ended ok count (a skip or a failure says nothing about duration). */
export function stepMedians(runs: readonly PastRunSteps[]): Map<string, number> {
  const samples = new Map<string, number[]>();
  for (const run of runs) {
    for (const [id, st] of run.steps) {
      if (st.status !== 'ok') continue;
      const xs = samples.get(id) ?? [];
      xs.push(st.durationMs);
      samples.set(id, xs);
    }
  }
  const out = new Map<string, number>();
  for (const [id, xs] of samples) out.set(id, median(xs)!);
  return out;
}

/** Cheap pre-filter before JSON.parse (a quote inside a JSON string is escaped, so output cannot match). */
const wanted = (line: string): boolean => line.includes('"type":"step-finished"') || line.includes('"type":"run-finished"');

/** A finished run's step endings; undefined while the run has no run-finished (or the journal is unreadable). */
export function pastRunSteps(path: string, runId: string): PastRunSteps | undefined {
  const steps = new Map<string, { status: string; durationMs: number }>();
  let finished = false;
  try {
    scanLines(path, (line) => {
      if (!wanted(line)) return;
      const e = JSON.parse(line) as { type: string; stepId?: unknown; status?: unknown; durationMs?: unknown; result?: { auto?: unknown } };
      if (e.type === 'run-finished') finished = true;
      // A confirm answered by --yes took no one's time: it says nothing about how long people take to decide.
      else if (e.result?.auto === true) return;
      else if (typeof e.stepId === 'string' && typeof e.status === 'string' && typeof e.durationMs === 'number') steps.set(e.stepId, { status: e.status, durationMs: e.durationMs });
    });
  } catch {
    return undefined; // a damaged journal is reported by `runbook show`, not here: it just gives no history
  }
  return finished ? { runId, steps } : undefined;
}

/**
 * The finished ones among the `limit` newest live runs of `runbookId` in the store (not `exclude`):
 * never more than `limit` journals are read.
 */
export function earlierRuns(store: StorePaths, runbookId: string, exclude: string, limit = HISTORY_RUNS): PastRunSteps[] {
  const newest: string[] = [];
  for (const id of listRunIds(store).slice(0, SCAN_RUNS)) {
    if (newest.length >= limit) break;
    const head = id === exclude ? undefined : firstEvent(store.journal(id));
    if (head?.['runbookId'] === runbookId && head['mode'] === 'live') newest.push(id);
  }
  return newest.flatMap((id) => pastRunSteps(store.journal(id), id) ?? []);
}

/** Never fails: an unreadable store gives no history (the ETA falls back to `estimate`s), not a refused run. */
export function readHistory(store: StorePaths, runbookId: string, exclude: string): StepHistory {
  try {
    const runs = earlierRuns(store, runbookId, exclude);
    return { runs: runs.length, medians: stepMedians(runs) };
  } catch {
    return NO_HISTORY;
  }
}
