import type { EventBody, JournalEvent } from '../events.js';

/** One journal event of a given type. */
export type Ev<T extends EventBody['type']> = Extract<EventBody, { type: T }> & { seq: number; t: string };

/** The simulated time an event carries (simulation only), or null. */
export function simAt(e: JournalEvent): number | null {
  const v = (e as { simAtMs?: unknown }).simAtMs;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Milliseconds between two journal timestamps, or null when either is missing or unreadable. */
export function gapMs(from: string | undefined, to: string): number | null {
  if (from === undefined) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}
