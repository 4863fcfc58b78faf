import type { JournalEvent } from '../events.js';
import { gapMs, simAt } from './events.js';
import type { ReportDecision } from './model.js';

/**
 * Every confirmation answered and every choice after a failure, in order, with the time it took to
 * decide: `decideMs` when the prompt recorded it, else the gap between the question (the confirm's
 * step-started, the failure's attempt-failed) and the answer in the journal. Automatic answers (--yes)
 * and choices recorded on resume (no question was timed) have none.
 */
export function decisions(events: readonly JournalEvent[]): ReportDecision[] {
  const asked = new Map<string, string>();
  const out: ReportDecision[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'step-started':
        if (e.kind === 'confirm') asked.set(e.stepId, e.t);
        else asked.delete(e.stepId);
        break;
      case 'attempt-failed':
        if (e.retryInMs === null) asked.set(e.stepId, e.t);
        break;
      case 'step-interrupted':
        asked.delete(e.stepId);
        break;
      case 'run-finished':
      case 'run-resumed':
        asked.clear();
        break;
      case 'approval-requested':
        asked.set(`approval:${e.stepId}`, e.t);
        break;
      case 'approval-given':
      case 'approval-rejected':
        out.push({
          type: 'approval', stepId: e.stepId, at: e.t, simAtMs: simAt(e), choice: e.type === 'approval-given' ? 'approved' : 'rejected', by: e.by,
          auto: e.by === 'scenario', decideMs: e.by === 'scenario' ? null : gapMs(asked.get(`approval:${e.stepId}`), e.t), why: e.reason ?? null,
        });
        break;
      case 'approval-timed-out':
        out.push({ type: 'approval', stepId: e.stepId, at: e.t, simAtMs: simAt(e), choice: 'timed out', by: '—', auto: false, decideMs: e.waitedMs, why: null });
        break;
      case 'confirm-answered':
        out.push({
          type: 'confirm', stepId: e.stepId, at: e.t, simAtMs: simAt(e), choice: e.answer ? 'yes' : 'no', by: e.by, auto: e.auto,
          decideMs: e.decideMs ?? (e.auto ? null : gapMs(asked.get(e.stepId), e.t)), why: null,
        });
        asked.delete(e.stepId);
        break;
      case 'decision':
        out.push({
          type: 'failure', stepId: e.stepId, at: e.t, simAtMs: simAt(e), choice: e.choice, by: e.by, auto: e.by === 'scenario',
          // A simulation's scenario (--auto) decides without anyone taking time.
          decideMs: e.decideMs ?? (e.by === 'scenario' ? null : gapMs(asked.get(e.stepId), e.t)), why: e.reason ?? e.note ?? null,
        });
        asked.delete(e.stepId);
        break;
      default:
        break;
    }
  }
  return out;
}
