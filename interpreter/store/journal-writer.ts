import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventSink, JournalEvent } from '../events.js';

/**
 * Append-only NDJSON. Each event is written with one write(2) before the engine goes on, so a
 * crash loses at most the line being written (a torn last line, which readers tolerate).
 * Step ends, run ends and the start of a mutating step are also fsync'ed: they are what resume
 * trusts to never rerun or skip a step silently, even after a power loss.
 */
export class JournalWriter implements EventSink {
  #fd: number | undefined;
  constructor(readonly path: string, private readonly durable = true) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a', 0o600);
  }

  write(e: JournalEvent): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(e)}\n`);
    if (this.durable && mustSync(e)) fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function mustSync(e: JournalEvent): boolean {
  switch (e.type) {
    case 'step-finished':
    case 'run-finished':
    case 'decision':
    case 'confirm-answered':
      return true;
    case 'step-started':
      return e.action?.effect === 'mutating';
    default:
      return false;
  }
}
