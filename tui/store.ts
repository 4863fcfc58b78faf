// Holds the TUI state, applies events as they come, and publishes a snapshot to the screen at most
// every `intervalMs` (20 per second by default) however fast the events arrive.
import type { EventSink, JournalEvent } from '../interpreter/events.js';
import { reduce, type FullState, type UiAction } from './state.js';

export interface Snapshot {
  readonly state: FullState;
  /** Wall clock of this snapshot: live durations and elapsed time are computed against it. */
  readonly now: number;
}

export class TuiStore implements EventSink {
  #state: FullState;
  #snapshot: Snapshot;
  #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #lastPublish = 0;
  #ticker: NodeJS.Timeout | undefined;
  readonly #intervalMs: number;
  readonly #clock: () => number;

  constructor(initial: FullState, o: { intervalMs?: number; clock?: () => number } = {}) {
    this.#state = initial;
    this.#intervalMs = o.intervalMs ?? 50;
    this.#clock = o.clock ?? Date.now;
    this.#snapshot = { state: initial, now: this.#clock() };
  }

  write(e: JournalEvent): void {
    this.dispatch(e);
  }

  dispatch(a: JournalEvent | UiAction): void {
    this.#state = reduce(this.#state, a);
    this.#schedule();
  }

  get state(): FullState {
    return this.#state;
  }

  readonly subscribe = (f: () => void): (() => void) => {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  };

  readonly getSnapshot = (): Snapshot => this.#snapshot;

  /** Publishes now (before the screen steps aside or closes). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#publish();
  }

  /** Re-publishes every `ms` so clocks and spinners move while nothing happens. */
  startTicking(ms = 250): void {
    this.#ticker ??= setInterval(() => this.#schedule(), ms);
    this.#ticker.unref();
  }

  stop(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#timer) clearTimeout(this.#timer);
    this.#ticker = undefined;
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = this.#lastPublish + this.#intervalMs - this.#clock();
    if (wait <= 0) {
      this.#publish();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#publish();
    }, wait);
    this.#timer.unref();
  }

  #publish(): void {
    this.#lastPublish = this.#clock();
    this.#snapshot = { state: this.#state, now: this.#lastPublish };
    for (const f of this.#listeners) f();
  }
}
