// Four-eyes approval, as the engine sees it: a port that delivers the votes other operators cast with
// `runbook approve` (the session plugs the run store into it), and the gate that waits for enough of
// them. The engine journals every vote it receives, with the voter's identity.
import { randomBytes } from 'node:crypto';
import type { StepNode } from '../../dsl/nodes.js';
import { formatDuration } from '../../dsl/duration.js';
import type { EventBody } from '../events.js';

export interface ApprovalVote {
  readonly voteId: string;
  readonly by: string;
  readonly host: string;
  readonly pid: number;
  readonly reject: boolean;
  readonly reason?: string;
  /** When it was cast (ISO). */
  readonly at: string;
}

export interface Approvals {
  /**
   * The votes cast for this request that were not returned before, oldest first. When there are none
   * it waits for some, until `untilMs` (epoch ms) or the signal aborts (then: an empty list).
   */
  next(stepId: string, requestId: string, untilMs: number, signal: AbortSignal): Promise<readonly ApprovalVote[]>;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 30 * 60_000;

export type GateResult =
  | { readonly kind: 'approved'; readonly by: readonly string[] }
  | { readonly kind: 'rejected'; readonly by: string; readonly reason: string }
  | { readonly kind: 'timeout'; readonly error: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'unavailable'; readonly error: string };

export interface GateOptions {
  readonly emit: (e: EventBody) => void;
  readonly approvals: Approvals | undefined;
  readonly signal: AbortSignal;
  /** The operator running the step: they cannot approve it themselves. */
  readonly runner: string;
  /** Simulation with --auto: the scenario approves. */
  readonly autopilot: boolean;
}

/**
 * Waits until `approvers - 1` operators other than the runner approve the step, one rejects, or the
 * step's approval timeout passes. A vote by the runner, or a second vote by the same person, is
 * refused (journaled as a warning) and does not count.
 */
export async function approvalGate(o: GateOptions, step: StepNode, approvers: number): Promise<GateResult> {
  const needed = approvers - 1;
  const timeoutMs = step.options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const requestId = randomBytes(4).toString('hex');
  o.emit({ type: 'approval-requested', stepId: step.id, requestId, approvers, needed, runner: o.runner, timeoutMs });
  if (o.autopilot) {
    for (let i = 1; i <= needed; i++) {
      o.emit({ type: 'approval-given', stepId: step.id, requestId, voteId: `scenario-${i}`, by: 'scenario', host: '-', pid: 0, at: new Date().toISOString() });
    }
    return { kind: 'approved', by: ['scenario'] };
  }
  if (o.approvals === undefined) return { kind: 'unavailable', error: 'this step needs a second operator\'s approval, and this run has no store to receive one' };
  const asked = Date.now();
  const until = asked + timeoutMs;
  const approved: string[] = [];
  for (;;) {
    if (o.signal.aborted) return { kind: 'interrupted' };
    if (Date.now() >= until) {
      o.emit({ type: 'approval-timed-out', stepId: step.id, requestId, waitedMs: Date.now() - asked });
      const have = approved.length ? ` (approved by ${approved.join(', ')} only)` : '';
      return { kind: 'timeout', error: `no approval by ${needed === 1 ? 'a second operator' : `${needed} other operators`} within ${formatDuration(timeoutMs)}${have}` };
    }
    const votes = await o.approvals.next(step.id, requestId, until, o.signal);
    for (const v of votes) {
      const who = { voteId: v.voteId, by: v.by, host: v.host, pid: v.pid, at: v.at };
      if (v.by === o.runner) {
        o.emit({ type: 'warning', stepId: step.id, message: `refused the ${v.reject ? 'rejection' : 'approval'} by ${v.by}@${v.host} (vote ${v.voteId}): the operator running the step cannot approve it (four eyes)` });
        continue;
      }
      if (approved.includes(v.by)) {
        o.emit({ type: 'warning', stepId: step.id, message: `ignored a second approval by ${v.by}@${v.host} (vote ${v.voteId}): each operator counts once` });
        continue;
      }
      if (v.reject) {
        const reason = v.reason ?? 'no reason given';
        o.emit({ type: 'approval-rejected', stepId: step.id, requestId, ...who, reason });
        return { kind: 'rejected', by: v.by, reason };
      }
      o.emit({ type: 'approval-given', stepId: step.id, requestId, ...who, ...(v.reason === undefined ? {} : { reason: v.reason }) });
      approved.push(v.by);
      if (approved.length >= needed) return { kind: 'approved', by: approved };
    }
  }
}
