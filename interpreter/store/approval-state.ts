import type { JournalEvent } from '../events.js';

export interface PendingApproval {
  readonly stepId: string;
  readonly requestId: string;
  readonly runner: string;
  readonly needed: number;
  readonly approvedBy: readonly string[];
  /** When it was asked (ISO) and until when it waits (epoch ms). */
  readonly askedAt: string;
  readonly untilMs: number;
}

/** The steps of a run that wait for four-eyes approval right now, from its journal. */
export function pendingApprovals(events: readonly JournalEvent[]): Map<string, PendingApproval> {
  const open = new Map<string, PendingApproval>();
  for (const e of events) {
    switch (e.type) {
      case 'approval-requested':
        open.set(e.stepId, { stepId: e.stepId, requestId: e.requestId, runner: e.runner, needed: e.needed, approvedBy: [], askedAt: e.t, untilMs: Date.parse(e.t) + e.timeoutMs });
        break;
      case 'approval-given': {
        const p = open.get(e.stepId);
        if (p?.requestId !== e.requestId) break;
        const approvedBy = [...p.approvedBy, e.by];
        if (approvedBy.length >= p.needed) open.delete(e.stepId);
        else open.set(e.stepId, { ...p, approvedBy });
        break;
      }
      case 'approval-rejected':
      case 'approval-timed-out':
      case 'step-finished':
      case 'step-interrupted':
        open.delete(e.stepId);
        break;
      case 'run-finished':
        open.clear();
        break;
      default:
        break;
    }
  }
  return open;
}
