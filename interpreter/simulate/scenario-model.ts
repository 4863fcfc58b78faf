import type { FailureChoice, ScenarioState } from '../../dsl/scenario.js';

/** One step's script, normalised from either scenario form. */
export interface StepScriptModel {
  readonly durationMs: number | undefined;
  readonly note: string | undefined;
  readonly failTimes: number;
  readonly failUntilMs: number | undefined;
  readonly failWhen: { readonly test: (state: ScenarioState) => boolean; readonly text: string } | undefined;
  readonly message: string | undefined;
  readonly output: ((state: ScenarioState) => string) | undefined;
  /** `{{key}}`s of a text output (checked against the declared state at load). */
  readonly templateKeys: readonly string[];
  readonly value: { readonly get: (state: ScenarioState) => unknown } | undefined;
  readonly onFailure: readonly FailureChoice[];
  readonly answer: boolean | undefined;
  readonly decideInMs: number | undefined;
}

export interface ScenarioEventModel {
  readonly atMs: number;
  readonly say: string;
  readonly set: Readonly<Record<string, unknown>>;
}

/** A scenario ready to play: validated against its runbook. */
export interface ScenarioModel {
  readonly name: string;
  readonly description: string | undefined;
  /** The file it came from; null for the default scenario. */
  readonly file: string | null;
  readonly state: Readonly<Record<string, unknown>>;
  /** Params the scenario sets (as -p text); flags given on the command line win. */
  readonly params: Readonly<Record<string, string>>;
  readonly steps: ReadonlyMap<string, StepScriptModel>;
  /** In time order. */
  readonly events: readonly ScenarioEventModel[];
}

export const DEFAULT_SCENARIO: ScenarioModel = Object.freeze({
  name: 'default: every step succeeds',
  description: undefined,
  file: null,
  state: Object.freeze({}),
  params: Object.freeze({}),
  steps: new Map(),
  events: Object.freeze([]),
});
