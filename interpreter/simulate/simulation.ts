import type { RunbookPlan, StepKind, StepNode } from '../../dsl/nodes.js';
import { formatDuration } from '../../dsl/duration.js';
import type { Autopilot, FailureDecision } from '../engine/prompter.js';
import { placeholder } from '../engine/placeholder.js';
import type { EventBody } from '../events.js';
import type { ActionOutcome, ModeRuntime, RunAction } from '../modes/types.js';
import type { ScenarioModel, StepScriptModel } from './scenario-model.js';
import { SimClock } from './sim-clock.js';
import { simulate } from './simulators.js';
import { World } from './world.js';

/** Simulated time a step takes when neither the scenario nor the step's `estimate` says. */
const DEFAULT_MS: Record<StepKind, number> = { check: 5_000, exec: 30_000, promote: 60_000, notify: 2_000, confirm: 0 };
/** Bound on automatic retries of one step with --auto, whatever the scenario says. */
const MAX_AUTO_DECISIONS = 20;

export interface Simulation {
  readonly scenario: ScenarioModel;
  readonly clock: SimClock;
  readonly mode: ModeRuntime;
  /** With --auto: the scenario answers for the participants. */
  readonly autopilot: Autopilot | undefined;
  /** Connects scheduled events to the run's event stream. */
  attach(emit: (e: EventBody) => void): void;
  /** Resume: continue at simulated time `t` (ms since the run started), with the events before it already applied. */
  restoreTo(t: number): void;
}

/**
 * A tabletop run: every action is answered by the scenario (no adapter exists here, so nothing can
 * touch a system), and time is the simulated clock's.
 */
export function createSimulation(plan: RunbookPlan, scenario: ScenarioModel, o: { auto: boolean }): Simulation {
  const clock = new SimClock();
  const world = new World(scenario);
  clock.onAdvance((t) => world.advanceTo(t));
  const steps = new Map(plan.steps.map((s) => [s.id, s]));
  const noted = new Set<string>();
  const broken = new Set<string>();

  const execute: RunAction = async (node, env): Promise<ActionOutcome> => {
    const step = steps.get(env.stepId);
    if (!step) throw new Error(`simulation: no step "${env.stepId}" in the plan`);
    const script = scenario.steps.get(step.id);
    const attempt = world.nextAttempt(step.id);
    if (script?.note && !noted.has(step.id)) {
      noted.add(step.id);
      env.onOutput('stdout', `[scenario] ${script.note}\n`);
    }
    const state = world.state;
    // A scenario function that throws is a bug in the scenario, not a fault of the world: said so, and
    // with --auto the run stops there instead of retrying it.
    let scenarioBug: string | undefined;
    const guard = <T>(what: string, f: () => T): T | undefined => {
      try {
        return f();
      } catch (e) {
        scenarioBug ??= `scenario bug in steps.${step.id}.${what}: ${e instanceof Error ? e.message : String(e)} (fix the scenario ${scenario.file ?? ''})`.replace(' ()', '');
        broken.add(step.id);
        return undefined;
      }
    };
    const failure = guard('failWhen', () => scriptedFailure(script, attempt, clock.now(), state));
    let durationMs = script?.durationMs ?? step.options.estimateMs ?? DEFAULT_MS[step.kind];
    const limit = env.timeoutMs;
    const timedOut = failure === undefined && limit !== undefined && durationMs > limit;
    if (timedOut) durationMs = limit;
    const output = guard('output', () => script?.output?.(state));
    if (output !== undefined && output !== '') env.onOutput('stdout', output.endsWith('\n') ? output : `${output}\n`);
    await clock.sleep(durationMs, env.signal);
    const value = script?.value ? guard('value', () => script.value!.get(state)) : undefined;
    const error = scenarioBug ?? (timedOut ? `timed out after ${formatDuration(limit ?? 0)} (simulated: the step takes ${formatDuration(script?.durationMs ?? step.options.estimateMs ?? 0)})` : failure);
    const ok = error === undefined;
    const result = simulate(node, env.ctx, { ok, output, error, durationMs, timedOut, redact: env.redact, run: { progress: env.progress, stepId: env.stepId } });
    // The participants see what would have been sent, filled from the run (it is captured, not sent).
    if (node.type === 'notify' && ok) {
      const message = (result as { message?: unknown }).message;
      if (typeof message === 'string' && message !== '') env.onOutput('stdout', `[captured, not sent]\n${message}\n`);
    }
    if (!ok) return { ok, result, text: output ?? '', error, timedOut, decided: { value: result } };
    if (script?.value) return { ok, result, text: output ?? '', decided: { value } };
    // Scripted output: the step's own parse / expect judge it, as they would the real command's.
    if (output !== undefined) return { ok, result, text: output };
    return { ok, result, text: '', decided: { value: step.options.parse ? placeholder(`steps.${step.id}.value`) : result } };
  };

  const autopilot: Autopilot | undefined = o.auto
    ? {
        confirm: (step) => {
          const s = scenario.steps.get(step.id);
          return { answer: s?.answer ?? true, decideMs: s?.decideInMs ?? step.options.estimateMs ?? 0 };
        },
        onFailure: (step, error) => {
          if (broken.has(step.id)) return { choice: 'abort' };
          const n = world.nextDecision(step.id);
          if (n >= MAX_AUTO_DECISIONS) {
            world.warn(step.id, `--auto: ${MAX_AUTO_DECISIONS} failure decisions for this step already; the simulation stops here (a scenario whose step never recovers).`);
            return { choice: 'abort' };
          }
          return decide(step, error, scenario.steps.get(step.id), n);
        },
      }
    : undefined;

  return {
    scenario,
    clock,
    autopilot,
    mode: Object.freeze({ name: 'simulate', canExecute: () => true, execute }),
    attach: (emit) => {
      world.attach(emit);
      world.advanceTo(clock.now());
    },
    restoreTo: (t) => {
      world.restoreTo(t);
      clock.restoreTo(t);
    },
  };
}

function scriptedFailure(script: StepScriptModel | undefined, attempt: number, now: number, state: Readonly<Record<string, unknown>>): string | undefined {
  if (!script) return undefined;
  if (attempt <= script.failTimes) return script.message ?? `scripted failure (attempt ${attempt} of ${script.failTimes} that fail)`;
  if (script.failUntilMs !== undefined && now < script.failUntilMs) {
    return script.message ?? `not met yet at ${formatDuration(now)} (scenario: met from ${formatDuration(script.failUntilMs)})`;
  }
  if (script.failWhen?.test(state)) return script.message ?? `scenario state: ${script.failWhen.text}`;
  return undefined;
}

function decide(step: StepNode, error: string, script: StepScriptModel | undefined, n: number): FailureDecision {
  const list = script?.onFailure ?? [];
  const choice = list.length > 0 ? list[Math.min(n, list.length - 1)]! : n < 3 ? 'retry' : 'abort';
  switch (choice) {
    case 'retry':
    case 'abort':
      return { choice };
    case 'skip':
      return { choice, reason: `scenario: skipped after "${error}"` };
    case 'done':
      return { choice, note: `scenario: done by hand (${step.title})` };
  }
}
