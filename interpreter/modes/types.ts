import type { Mode } from '../../dsl/context.js';
import type { StepOutput } from '../../dsl/context.js';
import type { ActionNode, RunbookPlan, RuntimeCtx, StepNode } from '../../dsl/nodes.js';
import type { RunResources } from '../engine/resources.js';

/** Where the run stands, for messages about it (status-update templates, reports). */
export interface RunProgress {
  readonly plan: RunbookPlan;
  /** Outputs of the steps finished so far (status, duration, value), by step id. */
  readonly outputs: ReadonlyMap<string, StepOutput<unknown, unknown>>;
  /** The run's start, ms since the epoch (the original start for resumed runs). */
  readonly startedAtMs: number;
  /** The run's clock, ms since the epoch (simulated in simulation mode). */
  readonly now: () => number;
}

/** What an adapter needs to act for one attempt of one step. */
export interface ActionEnv {
  readonly stepId: string;
  readonly ctx: RuntimeCtx;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  readonly interactive: boolean;
  /** Streams output as it arrives (already split at line ends by the engine). */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  /** A command started as `pid` (and leads its own process group when `group`). */
  readonly onSpawn?: (pid: number, group: boolean) => void;
  /** Removes secrets from text that leaves the process (notifications). */
  readonly redact: (text: string) => string;
  readonly runbookId: string;
  readonly runId: string;
  /** Connections kept for the rest of the run (closed when it ends). */
  readonly resources: RunResources;
  /** The run so far, read when the action runs. */
  readonly progress: RunProgress;
  /** Inside a promotion: the facts its earlier stages reported (old primary, timeline before…). */
  readonly promotion?: Readonly<Record<string, unknown>>;
}

/** An adapter's answer: success by its own standard, the result as data, and the text `parse` / RegExp see. */
export interface ActionOutcome {
  readonly ok: boolean;
  readonly result: unknown;
  readonly text: string;
  readonly error?: string;
  readonly timedOut?: boolean;
  /**
   * Nothing to do, and why (a notification whose optional webhook was not given): with continueOnError
   * (the default for notify) the step is recorded skipped with this reason rather than failed.
   */
  readonly skipped?: string;
  /** Simulation: the scenario decided the outcome and the value; `parse` / `expect` are not applied. */
  readonly decided?: { readonly value: unknown };
}

export type RunAction = (node: ActionNode, env: ActionEnv) => Promise<ActionOutcome>;

/**
 * A mode decides which steps may act and holds the only adapters that can. Dry-run holds none:
 * its `execute` does not exist, so no code path can reach a system.
 */
export interface ModeRuntime {
  readonly name: Mode;
  /** Whether this step acts for real in this mode. */
  canExecute(step: StepNode): boolean;
  readonly execute: RunAction | undefined;
}
