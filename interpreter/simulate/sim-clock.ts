import type { Clock } from '../engine/clock.js';

/**
 * The simulated clock of a tabletop: it stands still until a step advances it by that step's
 * simulated duration. Listeners (the scenario's scheduled events) run as time passes them.
 */
export class SimClock implements Clock {
  readonly simulated = true;
  #t = 0;
  readonly #listeners: ((t: number) => void)[] = [];

  now(): number {
    return this.#t;
  }

  onAdvance(listener: (t: number) => void): void {
    this.#listeners.push(listener);
  }

  /** Moves the clock forward; waits cost no real time, but yield so the UI and signals get a turn. */
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.advance(ms);
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Resume: the clock continues from where the journal left it, without replaying what passed. */
  restoreTo(t: number): void {
    this.#t = Math.max(this.#t, t);
  }

  advance(ms: number): void {
    if (!(ms > 0)) return;
    this.#t += ms;
    for (const l of this.#listeners) l(this.#t);
  }
}
