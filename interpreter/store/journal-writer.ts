import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventSink, JournalEvent } from '../events.js';

/**
 * Append-only NDJSON. Each event is written with one write(2) before the engine goes on, so a
 * crash loses at most the line being written (a torn last line, which readers tolerate).
 * Before a mutating step starts, the journal is fsync'ed (which also makes every earlier line durable):
 * after a power loss, resume finds at worst that step started-but-unfinished and asks, never reruns it
 * silently. Run ends and human decisions are fsync'ed too. One fsync per mutating step, not three.
 */
export class JournalWriter implements EventSink {
  #fd: number | undefined;
  /** Bytes of a torn last line (a crash mid-write) cut off before appending, so it cannot end up mid-file. */
  readonly droppedTornBytes: number;
  constructor(readonly path: string, private readonly durable = true) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a+', 0o600); // a+: appends, and can read the tail to drop a torn line
    this.droppedTornBytes = dropTornTail(this.#fd, path);
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

/**
 * A journal that ends without a newline has a torn last line, which readers ignore. Appending after
 * it would glue the next event onto it and turn it into a corrupt middle line, so it is cut off first.
 */
function dropTornTail(fd: number, path: string): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return 0;
  const keep = readFileSync(path).lastIndexOf(0x0a) + 1;
  ftruncateSync(fd, keep);
  return size - keep;
}
