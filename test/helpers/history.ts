// Journals of earlier runs written straight into a file store, for the ETA-from-history tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { StorePaths } from '../../interpreter/store/paths.js';

export interface PastRun {
  readonly runbookId?: string;
  readonly mode?: 'live' | 'dry-run' | 'probe' | 'simulate';
  /** Step id → [status, durationMs, answered automatically (a confirm under --yes)?]. */
  readonly steps: Record<string, readonly [string, number] | readonly [string, number, 'auto']>;
  readonly finished?: boolean;
}

/** Writes runs oldest first (run ids and start times increase), returns the store. */
export function pastRuns(dir: string, runs: readonly PastRun[]): StorePaths {
  const store = new StorePaths(dir);
  mkdirSync(store.runs, { recursive: true });
  runs.forEach((r, i) => {
    const t = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    const id = `20260101-00${String(i).padStart(2, '0')}00-${1000 + i}`;
    const ids = Object.keys(r.steps);
    const events: object[] = [{
      type: 'run-started', v: 1, seq: 0, t, runId: id, runbookId: r.runbookId ?? 'rb', title: 'T', file: 'f.ts', sourceHash: 'h', fingerprints: {},
      steps: ids.map((s) => ({ id: s, kind: 'exec', title: s, phase: null })), params: {}, secretParams: [], operator: 'dana', host: 'h', pid: 1,
      mode: r.mode ?? 'live', rtoMs: null, lockKey: null, from: null, only: null,
    }];
    for (const [s, [status, durationMs, auto]] of Object.entries(r.steps)) {
      events.push({ type: 'step-started', seq: events.length, t, stepId: s, attempt: 1, action: null });
      const result = auto ? { result: { answer: true, by: 'dana', auto: true } } : {};
      events.push({ type: 'step-finished', seq: events.length, t, stepId: s, status, durationMs, attempts: 1, ...result });
    }
    if (r.finished !== false) events.push({ type: 'run-finished', seq: events.length, t, status: 'done', durationMs: 1, exitCode: 0 });
    writeFileSync(store.journal(id), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });
  return store;
}
