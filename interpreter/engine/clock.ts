import { sleep } from './sleep.js';

/**
 * The engine's time. Live, dry-run and probe use the real clock; simulation a virtual one that
 * steps advance by their simulated durations (waits and retry delays cost no real time there).
 */
export interface Clock {
  readonly simulated: boolean;
  /** Milliseconds on this clock (only differences are meaningful). */
  now(): number;
  /** Waits `ms` on this clock; resolves early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = Object.freeze({
  simulated: false,
  now: () => performance.now(),
  sleep,
});
