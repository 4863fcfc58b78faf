import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Calls `onLine` with each complete line of a journal, read in bounded chunks: for readers that need a
 * few events of journals that may hold megabytes of output (the ETA history). Stops when it returns false.
 */
export function scanLines(path: string, onLine: (line: string) => boolean | void, chunkBytes = 1 << 20): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(chunkBytes);
    const utf8 = new StringDecoder('utf8'); // a character cut by a chunk boundary waits for its other bytes
    let rest = '';
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return;
      pos += n;
      const lines = (rest + utf8.write(buf.subarray(0, n))).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (onLine(line) === false) return;
    }
  } finally {
    closeSync(fd);
  }
}
