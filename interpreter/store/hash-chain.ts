import { createHash } from 'node:crypto';
import type { JournalEvent } from '../events.js';

/**
 * The tamper-evident journal (format 2): every event is written with `prev`, the hash of the event
 * before it ('' for the run header, run-started), and `h`, its own hash over `prev` and its content.
 * The content is the event's JSON exactly as written (before the two fields), so a store that keeps the
 * line as text (the NDJSON file, PostgreSQL's `body` column) can be checked byte for byte.
 */
export function hashOf(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('base64url');
}

const SEAL = /,"prev":"([A-Za-z0-9_-]*)","h":"([A-Za-z0-9_-]{43})"\}$/;

export interface Sealed {
  /** The event's JSON without the seal. */
  readonly body: string;
  readonly prev: string;
  readonly h: string;
}

/** Splits a stored line into its content and seal; undefined when it carries none (format 1, or mangled). */
export function unseal(line: string): Sealed | undefined {
  const m = SEAL.exec(line);
  if (!m) return undefined;
  return { body: `${line.slice(0, m.index)}}`, prev: m[1] ?? '', h: m[2] ?? '' };
}

/** Appends events to a chain: each line sealed with the hash of the one before. */
export class HashChain {
  /** The last event's hash; undefined: the journal is format 1 (no chain), so nothing is sealed. */
  #last: string | undefined;
  #on: boolean;

  /**
   * `tail`: the last stored line of a journal being continued (undefined: a new journal). A format 1
   * journal stays format 1 (a resume by this version does not start a chain halfway through it).
   */
  constructor(tail?: string) {
    if (tail === undefined) {
      this.#on = true;
      this.#last = undefined;
      return;
    }
    const s = unseal(tail);
    this.#on = s !== undefined;
    this.#last = s?.h;
  }

  get last(): string | undefined {
    return this.#last;
  }

  /** The line to store for `e` (without a newline). The first event of a new journal decides: version 2 and up is sealed. */
  seal(e: JournalEvent): string {
    let plain = e;
    if ('h' in e || 'prev' in e) {
      const { h: _h, prev: _p, ...rest } = e;
      plain = rest as JournalEvent;
      delete e.h;
      delete e.prev;
    }
    const body = JSON.stringify(plain);
    if (this.#last === undefined && this.#on) {
      // A new journal: its header says which format it is.
      if (e.type !== 'run-started' || e.v < 2) this.#on = false;
    }
    if (!this.#on) return body;
    const prev = this.#last ?? '';
    const h = hashOf(prev, body);
    this.#last = h;
    // The event carries its seal from here on: the reporters after the journal (--ui json) show exactly
    // the line the journal holds.
    e.prev = prev;
    e.h = h;
    return `${body.slice(0, -1)},"prev":"${prev}","h":"${h}"}`;
  }
}
