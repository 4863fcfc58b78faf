import { closeSync, fstatSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JournalEvent } from '../events.js';
import { HashChain } from './hash-chain.js';
import type { JournalSink } from './run-store.js';

/**
 * Append-only NDJSON. Each event is written with one write(2) before the engine goes on, so a
 * crash loses at most the line being written (a torn last line, which readers tolerate).
 * When a mutating step starts, an fsync of the journal (which makes every earlier line durable too)
 * runs in the background while the step's command starts, and `settled()` — awaited by the engine
 * before the next step — waits for it: after a power loss, resume finds at worst that step
 * started-but-unfinished and asks, never reruns it silently. Human decisions are synced the same way,
 * the run's end synchronously. One fsync per mutating step, overlapped with the step instead of
 * three in its path (measured: a blocking fsync per event cost ~0.5 ms per step here).
 */
export class JournalWriter implements JournalSink {
  #fd: number | undefined;
  /** Bytes of a torn last line (a crash mid-write) cut off before appending, so it cannot end up mid-file. */
  readonly droppedTornBytes: number;
  /** Seals each line into the journal's hash chain, continuing the chain of a journal being resumed. */
  readonly #chain: HashChain;
  constructor(readonly path: string, private readonly durable = true) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a+', 0o600); // a+: appends, and can read the tail to drop a torn line
    this.droppedTornBytes = dropTornTail(this.#fd, path);
    this.#chain = new HashChain(lastLine(this.#fd));
  }

  #syncing: Promise<void> | undefined;

  write(e: JournalEvent): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    writeSync(fd, `${this.#chain.seal(e)}\n`);
    if (!this.durable || !mustSync(e)) return;
    if (e.type === 'run-finished') {
      fsyncSync(fd);
      return;
    }
    const previous = this.#syncing;
    this.#syncing = new Promise<void>((resolve) => fsync(fd, () => resolve())).then(() => previous);
  }

  /** Resolves when every fsync started so far has completed. */
  async settled(): Promise<void> {
    await this.#syncing;
    this.#syncing = undefined;
  }

  /** The line is in the file already (one write(2)); its fsync overlaps the step and `settled()` waits for it. */
  beforeAction(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closeSync();
    return Promise.resolve();
  }

  closeSync(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
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

/** The journal's last line (it ends with a newline once a torn tail is dropped); undefined when empty. */
function lastLine(fd: number): string | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  let acc = Buffer.alloc(0); // the bytes from `pos` up to the final newline
  for (let pos = size - 1; pos > 0; ) {
    const start = Math.max(0, pos - 64 * 1024);
    const buf = Buffer.alloc(pos - start);
    readSync(fd, buf, 0, buf.length, start);
    acc = Buffer.concat([buf, acc]);
    const nl = buf.lastIndexOf(0x0a);
    if (nl !== -1) return acc.subarray(nl + 1).toString('utf8');
    pos = start;
  }
  return acc.toString('utf8');
}
