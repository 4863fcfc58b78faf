import type { Mode, StepStatus } from '../dsl/context.js';
import type { StepKind } from '../dsl/nodes.js';

/**
 * 1: plain NDJSON events. 2: each event also carries `prev` (the hash of the event before it; '' for the
 * run header) and `h` (its own hash over `prev` and its content): a chain from run-started that
 * `runbook verify` checks. Version 1 journals are still read and replayed; they cannot be verified.
 */
export const JOURNAL_VERSION = 2;

export type Effect = 'read-only' | 'mutating' | 'notify' | 'gate';
export interface RenderedAction {
  readonly text: string;
  readonly effect: Effect;
}

export interface StepSummary {
  readonly id: string;
  readonly kind: StepKind;
  readonly title: string;
  readonly phase: string | null;
}

export type RunStatus = 'done' | 'failed' | 'aborted' | 'interrupted';
export type Choice = 'retry' | 'skip' | 'done' | 'abort';

/** Everything that happens in a run. The journal stores these; every reporter renders them. */
export type EventBody =
  | {
      type: 'run-started'; v: number; runId: string; runbookId: string; title: string; file: string; sourceHash: string;
      fingerprints: Record<string, string>; steps: StepSummary[]; params: Record<string, unknown>; secretParams: string[];
      operator: string; host: string; pid: number; mode: Mode; rtoMs: number | null; lockKey: string | null;
      from: string | null; only: string | null;
      /** Simulation only: the scenario playing the world (name, file; null for the default "everything succeeds"). */
      scenario?: { name: string; file: string | null; description?: string } | null;
    }
  | { type: 'run-resumed'; operator: string; host: string; pid: number; forced: boolean; changedSteps: string[] }
  | { type: 'lock-takeover'; key: string; previous: Record<string, unknown> }
  /** Someone ran `runbook unlock <key> --reason`: the lease this run held was taken from it (journaled by the run, or by unlock if the run was gone). */
  | { type: 'lease-unlocked'; key: string; holder: Record<string, unknown>; by: string; host: string; reason: string }
  /** Four-eyes: the step waits until `needed` operators other than `runner` approve (`runbook approve`), one rejects, or `timeoutMs` passes. */
  | { type: 'approval-requested'; stepId: string; requestId: string; approvers: number; needed: number; runner: string; timeoutMs: number }
  | { type: 'approval-given'; stepId: string; requestId: string; voteId: string; by: string; host: string; pid: number; at: string; reason?: string }
  | { type: 'approval-rejected'; stepId: string; requestId: string; voteId: string; by: string; host: string; pid: number; at: string; reason: string }
  | { type: 'approval-timed-out'; stepId: string; requestId: string; waitedMs: number }
  | { type: 'step-started'; stepId: string; kind: StepKind; title: string; phase: string | null; attempt: number; action: RenderedAction | null; description?: string;
      /** Simulation only: simulated ms since the run started. */
      simAtMs?: number }
  | { type: 'output'; stepId: string; stream: 'stdout' | 'stderr'; text: string }
  /** A step's command started: resume refuses while a crashed run's command is still running. */
  | { type: 'process-started'; stepId: string; pid: number; group: boolean }
  | { type: 'attempt-failed'; stepId: string; attempt: number; error: string; retryInMs: number | null; simAtMs?: number }
  /** `decideMs`: real time from the question to the answer ("time to decide"). */
  | { type: 'confirm-answered'; stepId: string; answer: boolean; by: string; auto: boolean; decideMs?: number; simAtMs?: number }
  | { type: 'decision'; stepId: string; choice: Choice; by: string; reason?: string; note?: string; decideMs?: number; simAtMs?: number }
  | {
      type: 'step-finished'; stepId: string; status: StepStatus; durationMs: number; attempts: number;
      value?: unknown; result?: unknown; error?: string; reason?: string; note?: string; by?: string; continued?: boolean;
      /** Simulation only: simulated ms since the run started, at the step's end. */
      simAtMs?: number;
    }
  | { type: 'step-interrupted'; stepId: string; signal: string; durationMs: number }
  | { type: 'warning'; stepId: string | null; message: string }
  /** Simulation: a scheduled scenario event happened at simulated time `atMs` and changed the scenario state. */
  | { type: 'sim-event'; atMs: number; message: string; set: Record<string, unknown> }
  /** `simDurationMs`: simulation only, the simulated time the run took (the achieved RTO of the exercise). */
  | { type: 'run-finished'; status: RunStatus; durationMs: number; exitCode: number; simDurationMs?: number };

/** `prev` and `h`: the hash chain of a version 2 journal, added by the store when the event is written. */
export type JournalEvent = EventBody & { seq: number; t: string; prev?: string; h?: string };
export type EventType = EventBody['type'];
export const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'run-started', 'run-resumed', 'lock-takeover', 'step-started', 'output', 'process-started', 'attempt-failed', 'confirm-answered',
  'decision', 'step-finished', 'step-interrupted', 'warning', 'sim-event', 'run-finished',
  'lease-unlocked', 'approval-requested', 'approval-given', 'approval-rejected', 'approval-timed-out',
]);

/** Anything that consumes the event stream: the journal, the reporters. */
export interface EventSink {
  write(e: JournalEvent): void;
}
