import type { ScenarioState } from '../../dsl/scenario.js';
import type { EventBody } from '../events.js';
import type { ScenarioModel } from './scenario-model.js';

/** The scenario's state as the simulated clock moves: scheduled events fire in order, once. */
export class World {
  readonly #scenario: ScenarioModel;
  #state: Record<string, unknown>;
  #fired = 0;
  readonly #attempts = new Map<string, number>();
  readonly #decisions = new Map<string, number>();
  #emit: ((e: EventBody) => void) | undefined;
  #pending: EventBody[] = [];

  constructor(scenario: ScenarioModel) {
    this.#scenario = scenario;
    this.#state = { ...scenario.state };
  }

  get state(): ScenarioState {
    return this.#state;
  }

  /** Events are journaled through the run's pipeline once it exists; earlier ones wait for it. */
  attach(emit: (e: EventBody) => void): void {
    this.#emit = emit;
    for (const e of this.#pending) emit(e);
    this.#pending = [];
  }

  advanceTo(t: number): void {
    const events = this.#scenario.events;
    while (this.#fired < events.length && events[this.#fired]!.atMs <= t) {
      const ev = events[this.#fired++]!;
      this.#state = { ...this.#state, ...ev.set };
      const body: EventBody = { type: 'sim-event', atMs: ev.atMs, message: ev.say, set: { ...ev.set } };
      if (this.#emit) this.#emit(body);
      else this.#pending.push(body);
    }
  }

  /** A facilitator-facing warning in the run's event stream (journaled, shown by every UI). */
  warn(stepId: string | null, message: string): void {
    const body: EventBody = { type: 'warning', stepId, message };
    if (this.#emit) this.#emit(body);
    else this.#pending.push(body);
  }

  /** Resume: events up to `t` already happened (they are in the journal); apply them without telling again. */
  restoreTo(t: number): void {
    const events = this.#scenario.events;
    while (this.#fired < events.length && events[this.#fired]!.atMs <= t) this.#state = { ...this.#state, ...events[this.#fired++]!.set };
  }

  /** Counts calls of a step's action (attempts and polls), from 1. */
  nextAttempt(stepId: string): number {
    const n = (this.#attempts.get(stepId) ?? 0) + 1;
    this.#attempts.set(stepId, n);
    return n;
  }

  /** Counts failure-menu decisions taken for a step, from 0. */
  nextDecision(stepId: string): number {
    const n = this.#decisions.get(stepId) ?? 0;
    this.#decisions.set(stepId, n + 1);
    return n;
  }
}
