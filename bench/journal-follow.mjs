// Reading a run's journal while it grows (by megabytes during an output flood), for the TUI bench.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

function journalOf(store, not = []) {
  const runs = join(store, 'runs');
  const mine = readdirSync(runs).filter((f) => f.endsWith('.ndjson') && !not.includes(f));
  return mine.length === 1 ? join(runs, mine[0]) : undefined;
}

/** Follows a journal from where it was last read (it may grow by megabytes): the first event of `type`. */
function follower(path) {
  let offset = 0;
  let rest = '';
  const utf8 = new StringDecoder('utf8');
  return (type) => {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0; ) {
        offset += n;
        const lines = (rest + utf8.write(buf.subarray(0, n))).split('\n');
        rest = lines.pop();
        const hit = lines.find((l) => l.includes(`"type":"${type}"`));
        if (hit) return JSON.parse(hit);
      }
    } finally {
      closeSync(fd);
    }
    return undefined;
  };
}

/** Waits (bounded) for the first event of `type` in the one journal of `store` that is not in `before`. */
export async function journalEvent(store, before, type) {
  let next;
  for (let i = 0; i < 20_000; i++) {
    const path = next ? undefined : journalOf(store, before);
    if (path) next = follower(path);
    const e = next?.(type);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`bench: no ${type} in the journal`);
}
