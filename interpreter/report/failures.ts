import { formatDuration } from '../../dsl/duration.js';
import type { JournalEvent, RunStatus } from '../events.js';
import { simAt } from './events.js';
import type { ReportFailure, Resolution } from './model.js';

type Row = { -readonly [K in keyof ReportFailure]: ReportFailure[K] };

const BY_RUN_END: Record<RunStatus, Resolution> = { done: 'unresolved', failed: 'failed-the-run', aborted: 'aborted', interrupted: 'interrupted' };

/**
 * Every failure of a step (each failed attempt, each interruption) and how it was resolved: retried
 * automatically, retried / skipped / done by hand / aborted by an operator (who, why), continued
 * (continueOnError), or it ended the run. An interruption stays open across run-finished, so the
 * choice made on resume (run it again, or done by hand) resolves it.
 */
export function failures(events: readonly JournalEvent[]): ReportFailure[] {
  const out: Row[] = [];
  /** Waiting for an operator's choice (the failure menu, or a resume after an interruption). */
  const waiting = new Map<string, Row>();
  /** Ended the run unless something else resolves them; settled by run-finished. */
  let untilRunEnd: Row[] = [];
  /** An abort decision already covers the step-finished(failed) that follows it. */
  const covered = new Set<string>();
  /** Interrupted: decided on resume (run it again, or done by hand), after run-finished. */
  const resumable = new Set<Row>();
  const row = (e: JournalEvent, stepId: string, attempt: number | null, error: string, resolution: Resolution, by: string | null = null, detail: string | null = null): Row => {
    const r: Row = { stepId, attempt, at: e.t, simAtMs: simAt(e), error, resolution, by, detail };
    out.push(r);
    return r;
  };
  for (const e of events) {
    switch (e.type) {
      case 'attempt-failed':
        if (e.retryInMs !== null) row(e, e.stepId, e.attempt, e.error, 'retried-automatically', null, `attempt ${e.attempt + 1} after ${formatDuration(e.retryInMs)}`);
        else waiting.set(e.stepId, row(e, e.stepId, e.attempt, e.error, 'unresolved'));
        break;
      case 'decision': {
        const r = waiting.get(e.stepId);
        if (!r) break;
        waiting.delete(e.stepId);
        resumable.delete(r);
        untilRunEnd = untilRunEnd.filter((x) => x !== r);
        r.by = e.by;
        r.detail = e.reason ?? e.note ?? null;
        r.resolution = { retry: 'retried-by-operator', skip: 'skipped', done: 'done-by-hand', abort: 'aborted' }[e.choice] as Resolution;
        if (e.choice === 'abort') covered.add(e.stepId);
        break;
      }
      case 'step-interrupted': {
        const r = waiting.get(e.stepId) ?? row(e, e.stepId, null, `interrupted (${e.signal})`, 'unresolved');
        waiting.set(e.stepId, r);
        resumable.add(r);
        untilRunEnd.push(r);
        break;
      }
      case 'step-finished': {
        if (e.status !== 'failed') break;
        if (covered.delete(e.stepId)) break;
        if (e.continued) {
          row(e, e.stepId, e.attempts || null, e.error ?? 'failed', 'continued');
          break;
        }
        // A confirm answered no, a failure with nobody to ask, a `when` that threw: the run ends here.
        untilRunEnd.push(row(e, e.stepId, e.attempts || null, e.error ?? 'failed', 'unresolved', e.by ?? null));
        break;
      }
      case 'run-finished':
        for (const r of untilRunEnd) if (r.resolution === 'unresolved') r.resolution = BY_RUN_END[e.status];
        for (const [id, r] of waiting) {
          if (r.resolution === 'unresolved') r.resolution = BY_RUN_END[e.status];
          // Only an interruption is decided later (on resume); a failure that ended the run is history.
          if (!resumable.has(r)) waiting.delete(id);
        }
        untilRunEnd = [];
        break;
      default:
        break;
    }
  }
  return out;
}
