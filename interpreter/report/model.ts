// The run report as data: what `runbook report --format json` prints and what the Markdown is drawn
// from. Built only from a run's journal. This shape is a contract (version 1): fields are only ever
// added; a change in meaning gets a new version.
import type { Mode } from '../../dsl/context.js';
import type { StepKind } from '../../dsl/nodes.js';

export const REPORT_VERSION = 1;

/** Which clock the timeline and the RTO are measured on: simulations run on a simulated clock. */
export type Clock = 'real' | 'simulated';

export type OutcomeStatus = 'done' | 'failed' | 'aborted' | 'interrupted' | 'running' | 'crashed';

export type RtoVerdict =
  /** Finished (done) within the target. */
  | 'within'
  /** Took longer than the target (whether or not it finished). */
  | 'exceeded'
  /** Did not finish successfully, and has not (yet) used up the target. */
  | 'not-achieved'
  /** The runbook sets no `rto`. */
  | 'no-target'
  /** A dry-run or a probe: nothing was recovered, so there is nothing to measure. */
  | 'not-measured';

export interface RunReport {
  readonly version: typeof REPORT_VERSION;
  readonly runbook: { readonly id: string; readonly title: string; readonly file: string };
  readonly run: {
    readonly id: string;
    readonly mode: Mode;
    /** When the run started (ISO 8601, UTC), its first process's host and pid. */
    readonly startedAt: string;
    readonly finishedAt: string | null;
    readonly host: string;
    readonly operators: {
      /** Who started the run. */
      readonly started: string;
      /** Who resumed it, in order (one entry per resume). */
      readonly resumed: readonly string[];
      /** Everyone who answered a confirmation or chose after a failure (automatic answers excluded). */
      readonly decided: readonly string[];
    };
    readonly resumes: readonly { readonly at: string; readonly operator: string; readonly host: string; readonly forced: boolean; readonly changedSteps: readonly string[] }[];
    /** As journaled: secret params are `***` (never their value). */
    readonly params: Readonly<Record<string, unknown>>;
    readonly secretParams: readonly string[];
    /** Simulation only: the scenario that played the world (null: every step succeeds). */
    readonly scenario: { readonly name: string; readonly file: string | null; readonly description?: string } | null;
    readonly from: string | null;
    readonly only: string | null;
    /** The journal's last line was cut short by a crash and was ignored. */
    readonly tornTail: boolean;
  };
  readonly outcome: {
    readonly status: OutcomeStatus;
    readonly exitCode: number | null;
    /** Wall-clock time from the start to run-finished (includes time between a crash and its resume). */
    readonly realDurationMs: number | null;
    /** Simulation only: the simulated time the run took. */
    readonly simulatedDurationMs: number | null;
  };
  readonly rto: {
    readonly targetMs: number | null;
    readonly achievedMs: number | null;
    /** The clock `achievedMs` is on; null when not measured. */
    readonly clock: Clock | null;
    readonly verdict: RtoVerdict;
    /** target − achieved: positive is time to spare, negative is the overrun. Null when either is unknown. */
    readonly marginMs: number | null;
  };
  /** The clock of the timeline's times: `simulated` for simulations (offsets from the start), else `real`. */
  readonly clock: Clock;
  readonly steps: readonly ReportStep[];
  readonly decisions: readonly ReportDecision[];
  readonly failures: readonly ReportFailure[];
  readonly warnings: readonly { readonly at: string; readonly simAtMs: number | null; readonly stepId: string | null; readonly message: string }[];
  /** Simulation only: scheduled scenario events, at simulated time. */
  readonly scenarioEvents: readonly { readonly atMs: number; readonly message: string; readonly set: Readonly<Record<string, unknown>> }[];
  readonly notifications: readonly ReportNotification[];
}

export type ReportStepStatus = 'ok' | 'failed' | 'skipped' | 'done-by-hand' | 'planned' | 'interrupted' | 'running' | 'pending';

export interface ReportStep {
  readonly id: string;
  readonly title: string;
  readonly kind: StepKind;
  readonly phase: string | null;
  readonly status: ReportStepStatus;
  /** Real time of the step's (last) start and of its end (ISO 8601); null when it never started/ended. */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Real duration as the engine measured it. */
  readonly durationMs: number | null;
  /** Simulation only: simulated ms since the run started, at the step's start and end. */
  readonly simStartMs: number | null;
  readonly simEndMs: number | null;
  /** Attempts over every session of the run (a step run again on resume adds its attempts). */
  readonly attempts: number;
  /** Who answered its confirmation or chose after its failure; automatic answers read "<who> (auto, --yes)" ("--auto" in a simulation). */
  readonly decidedBy: string | null;
  /** The failure, skip reason or by-hand note, for people. */
  readonly detail: string | null;
  readonly continued: boolean;
}

export interface ReportDecision {
  /** `approval`: a second operator's vote on a four-eyes step (`approved`, `rejected`, `timed out`). */
  readonly type: 'confirm' | 'failure' | 'approval';
  readonly stepId: string;
  readonly at: string;
  readonly simAtMs: number | null;
  /** confirm: `yes` / `no`; failure: `retry` / `skip` / `done` / `abort`. */
  readonly choice: string;
  readonly by: string;
  /** Answered automatically (`--yes`, or the scenario with `--auto`), not by a person. */
  readonly auto: boolean;
  /** Real time from the question to the answer: recorded by the prompt, else the gap between the two journal events. */
  readonly decideMs: number | null;
  /** The skip reason or the by-hand note. */
  readonly why: string | null;
}

export type Resolution =
  | 'retried-automatically' | 'retried-by-operator' | 'skipped' | 'done-by-hand' | 'continued'
  | 'aborted' | 'failed-the-run' | 'interrupted' | 'unresolved';

export interface ReportFailure {
  readonly stepId: string;
  /** The attempt that failed (null for an interruption or a failure before any attempt). */
  readonly attempt: number | null;
  readonly at: string;
  readonly simAtMs: number | null;
  readonly error: string;
  readonly resolution: Resolution;
  readonly by: string | null;
  /** The skip reason, by-hand note or retry delay. */
  readonly detail: string | null;
}

export interface ReportNotification {
  readonly stepId: string;
  readonly channel: string | null;
  readonly message: string;
  /** sent / failed (live), would-send (dry-run, probe: rendered only), captured (simulation: not sent), not-sent (skipped). */
  readonly status: 'sent' | 'failed' | 'would-send' | 'captured' | 'not-sent';
  readonly error: string | null;
}
