import type { AnyRunbook } from './builder.js';
import type { Duration } from './duration.js';
import { RunbookDefinitionError } from './ids.js';
import type { ConfirmResult } from './results.js';

/** The world a scenario plays: named facts (`lagBytes`, `dnsPropagated`…) that scheduled events change. */
export type ScenarioState = Readonly<Record<string, unknown>>;
export type FailureChoice = 'retry' | 'skip' | 'done' | 'abort';

/** A condition on the scenario state, usable from YAML/JSON too: `{ state: 'lagBytes', gt: 1048576 }`. */
export interface StateCondition<K extends string = string> {
  readonly state: K;
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly eq?: unknown;
  readonly ne?: unknown;
}

interface ScriptBase {
  /** Simulated time the step takes (default: the step's `estimate`, else a small default per kind). */
  readonly duration?: Duration;
  /** A facilitator's note, shown when the step runs ("the DBA says the standby is 300 MB behind"). */
  readonly note?: string;
}

/** How a check / exec / promote / notify step behaves in this scenario. */
export interface ActionScript<V, St extends ScenarioState> extends ScriptBase {
  /** Fail the first N attempts (a number, or with the message the step reports). */
  readonly fail?: number | { readonly times?: number; readonly message?: string };
  /** Not met (fails) while the simulated clock is before this time since the run started. */
  readonly failUntil?: Duration;
  /** Fails while this holds of the scenario state. */
  readonly failWhen?: StateCondition<Extract<keyof NoInfer<St>, string>> | ((state: NoInfer<St>) => boolean);
  /** The message of any scripted failure (default: "scripted failure"). */
  readonly message?: string;
  /** The command's output; the step's own `parse` and `expect` judge it. `{{key}}` is replaced by state values. */
  readonly output?: string | ((state: NoInfer<St>) => string);
  /** The step's value, taken as is (no parse / expect). */
  readonly value?: V | ((state: NoInfer<St>) => V);
  /** With `--auto`: what the participants choose when the step fails (in order; the last repeats). Default: retry up to 3 times, then abort. */
  readonly onFailure?: FailureChoice | readonly FailureChoice[];
}

/** How participants answer a confirm with `--auto`. */
export interface ConfirmScript extends ScriptBase {
  readonly answer?: boolean;
  /** Simulated time the decision takes with `--auto` (default: the step's `estimate`, else 0). */
  readonly decideIn?: Duration;
}

type ScriptFor<O, St extends ScenarioState> = O extends { readonly result: ConfirmResult }
  ? ConfirmScript
  : O extends { readonly value: infer V }
    ? ActionScript<V, St>
    : never;

/** The steps of a runbook, as its builder type records them. */
export type StepsOf<RB> = RB extends { readonly __steps?: infer S } ? NonNullable<S> : never;

export interface ScenarioEvent<St extends ScenarioState> {
  /** Simulated time since the run started, e.g. "4m". */
  readonly at: Duration;
  /** What the participants are told: "standby lag jumps to 2 GiB". */
  readonly say: string;
  /** State changes that later steps observe (`failWhen`, `output` templates, `value` functions). */
  readonly set?: NoInfer<Partial<St>>;
}

export interface ScenarioSpec<S, St extends ScenarioState> {
  readonly name: string;
  readonly description?: string;
  /** The world at the start. */
  readonly state?: St;
  /** Params for this exercise (a `-p` flag still wins), e.g. `{ platform: 'hosts' }` for the branch it rehearses. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** Per step id (checked against the runbook at compile time). Steps not listed succeed. */
  readonly steps?: { readonly [K in keyof S]?: ScriptFor<S[K], St> };
  readonly events?: readonly ScenarioEvent<St>[];
}

export const SCENARIO_BRAND: unique symbol = Symbol.for('runbook.scenario') as never;

export interface Scenario {
  readonly [SCENARIO_BRAND]: true;
  readonly runbookId: string;
  readonly spec: ScenarioSpec<Record<string, unknown>, ScenarioState>;
}

/**
 * A tabletop scenario for one runbook: step ids and value types are checked against it at compile
 * time. `export default scenario(failover, { name: 'Standby lagging', steps: { … }, events: [ … ] })`.
 */
export function scenario<RB extends AnyRunbook, St extends ScenarioState = Record<never, never>>(
  rb: RB,
  spec: ScenarioSpec<StepsOf<RB>, St>,
): Scenario {
  if (typeof rb !== 'object' || rb === null || typeof rb.toPlan !== 'function') {
    throw new RunbookDefinitionError('scenario(runbook, { … }): the first argument must be the runbook it plays (import it from its module).');
  }
  if (typeof spec !== 'object' || spec === null) throw new RunbookDefinitionError('scenario(runbook, spec): spec must be an object with a name.');
  return Object.freeze({
    [SCENARIO_BRAND]: true as const,
    runbookId: rb.toPlan().id,
    spec: spec as unknown as Scenario['spec'],
  });
}

export function isScenario(v: unknown): v is Scenario {
  return typeof v === 'object' && v !== null && (v as Record<PropertyKey, unknown>)[SCENARIO_BRAND] === true;
}
