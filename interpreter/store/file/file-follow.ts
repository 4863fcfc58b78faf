import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { JournalEvent } from '../../events.js';

/**
 * Follows an NDJSON journal as it grows (`runbook watch` on the file store): each poll reads what was
 * appended since the last one; a line still being written waits for its newline.
 */
export class FileTail {
  #offset = 0;
  #rest = '';
  #utf8 = new StringDecoder('utf8');
  constructor(private readonly path: string) {}

  /** The complete events appended since the last call (none while the file does not exist yet). */
  read(): JournalEvent[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const out: JournalEvent[] = [];
    try {
      const size = fstatSync(fd).size;
      if (size < this.#offset) {
        // A resume cut a torn last line off: what we held of it is gone.
        this.#offset = size;
        this.#rest = '';
        this.#utf8 = new StringDecoder('utf8');
      }
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, this.#offset)) > 0; ) {
        this.#offset += n;
        const lines = (this.#rest + this.#utf8.write(buf.subarray(0, n))).split('\n');
        this.#rest = lines.pop() ?? '';
        for (const l of lines) {
          if (l === '') continue;
          try {
            out.push(JSON.parse(l) as JournalEvent);
          } catch {
            /* a damaged line: `runbook show` and `verify` report it; a watcher skips it */
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}
