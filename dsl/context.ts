import type { ExecResult } from './results.js';

export type Mode = 'live' | 'dry-run' | 'probe' | 'simulate';

export interface RunInfo {
  readonly id: string;
  readonly runbookId: string;
  readonly mode: Mode;
  readonly operator: string;
  readonly startedAt: string;
}

/** The run context every lazy value receives: typed params, outputs of earlier steps, run facts. */
export interface Ctx<P, S> {
  readonly params: P;
  readonly steps: S;
  readonly run: RunInfo;
}

/** A value known now, or computed from the run context when the step runs. */
export type Lazy<T, C> = T | ((c: C) => T);

export type StepStatus = 'ok' | 'failed' | 'skipped' | 'done-by-hand' | 'planned';

/** What a later step sees of an earlier one as `c.steps[id]`. */
export type StepOutput<R, V> = {
  readonly status: StepStatus;
  readonly ok: boolean;
  readonly durationMs: number;
  /** The parsed value when the step has `parse`, else the action's result. */
  readonly value: V;
  readonly result: R;
} & (R extends ExecResult ? Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'> : unknown);
