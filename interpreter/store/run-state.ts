import type { StepStatus } from '../../dsl/context.js';
import type { EventBody, JournalEvent, RunStatus } from '../events.js';

export type RunStartedEvent = Extract<EventBody, { type: 'run-started' }> & { seq: number; t: string };
export type RunResumedEvent = Extract<EventBody, { type: 'run-resumed' }> & { seq: number; t: string };
export type DecisionEvent = Extract<EventBody, { type: 'decision' }> & { seq: number; t: string };
export type ConfirmEvent = Extract<EventBody, { type: 'confirm-answered' }> & { seq: number; t: string };
export type ApprovalEvent = Extract<EventBody, { type: 'approval-requested' | 'approval-given' | 'approval-rejected' | 'approval-timed-out' }> & { seq: number; t: string };
export type LeaseEvent = Extract<EventBody, { type: 'lease-unlocked' | 'lock-takeover' }> & { seq: number; t: string };

export interface StepState {
  readonly id: string;
  status: StepStatus | 'running' | 'pending' | 'interrupted';
  durationMs: number | null;
  attempts: number;
  value?: unknown;
  result?: unknown;
  error?: string;
  reason?: string;
  note?: string;
  by?: string;
  continued?: boolean;
  /** The last command this step started, and on which host. */
  process?: { pid: number; group: boolean; host: string };
}

export interface RunState {
  readonly meta: RunStartedEvent;
  readonly steps: Map<string, StepState>;
  status: RunStatus | 'running';
  /** Simulation: the simulated time the run took. */
  simDurationMs: number | null;
  durationMs: number | null;
  exitCode: number | null;
  lastEventAt: string;
  operators: Set<string>;
  /** The process that last drove the run: run-started's, then each run-resumed's. */
  driver: { host: string; pid: number };
  resumes: RunResumedEvent[];
  decisions: DecisionEvent[];
  /** Every confirmation answered, by whom, and whether automatically (--yes). */
  confirms: ConfirmEvent[];
  /** Four eyes: every approval asked for, given, rejected or timed out, with who. */
  approvals: ApprovalEvent[];
  /** Leases taken over from a dead run, or unlocked by someone. */
  leases: LeaseEvent[];
}

/** Replays a journal into the state of each step (memoized step state, keyed by step id). */
export function replay(events: readonly JournalEvent[]): RunState {
  const meta = events[0] as RunStartedEvent;
  const steps = new Map<string, StepState>(meta.steps.map((s) => [s.id, { id: s.id, status: 'pending', durationMs: null, attempts: 0 }]));
  const state: RunState = {
    meta, steps, status: 'running', durationMs: null, simDurationMs: null, exitCode: null, lastEventAt: meta.t, operators: new Set([meta.operator]),
    driver: { host: meta.host, pid: meta.pid }, resumes: [], decisions: [], confirms: [], approvals: [], leases: [],
  };
  const at = (id: string): StepState => {
    let s = steps.get(id);
    if (!s) steps.set(id, (s = { id, status: 'pending', durationMs: null, attempts: 0 }));
    return s;
  };
  let host = meta.host;
  for (const e of events) {
    state.lastEventAt = e.t;
    switch (e.type) {
      case 'run-resumed':
        state.status = 'running';
        state.operators.add(e.operator);
        host = e.host;
        state.driver = { host: e.host, pid: e.pid };
        state.resumes.push(e);
        break;
      case 'confirm-answered':
        state.confirms.push(e);
        break;
      case 'decision':
        state.decisions.push(e);
        break;
      case 'approval-requested':
      case 'approval-given':
      case 'approval-rejected':
      case 'approval-timed-out':
        state.approvals.push(e);
        break;
      case 'lease-unlocked':
      case 'lock-takeover':
        state.leases.push(e);
        break;
      case 'process-started':
        at(e.stepId).process = { pid: e.pid, group: e.group, host };
        break;
      case 'step-started':
        at(e.stepId).status = 'running';
        break;
      case 'step-interrupted':
        at(e.stepId).status = 'interrupted';
        break;
      case 'step-finished': {
        const s = at(e.stepId);
        s.status = e.status;
        s.durationMs = e.durationMs;
        s.attempts = e.attempts;
        for (const k of ['value', 'result', 'error', 'reason', 'note', 'by', 'continued'] as const) {
          if (e[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = e[k];
          else delete (s as unknown as Record<string, unknown>)[k];
        }
        break;
      }
      case 'run-finished':
        state.status = e.status;
        state.durationMs = e.durationMs;
        state.simDurationMs = e.simDurationMs ?? null;
        state.exitCode = e.exitCode;
        break;
      default:
        break;
    }
  }
  for (const s of steps.values()) if (s.status === 'running') s.status = 'interrupted';
  return state;
}

/** Finished for good: resume restores these and does not run them again. */
export function isSettled(s: StepState): boolean {
  return s.status === 'ok' || s.status === 'done-by-hand' || s.status === 'skipped' || (s.status === 'failed' && s.continued === true);
}
