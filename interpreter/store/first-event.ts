import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A journal's first event (run-started) without reading the rest: listing and history scan many
 * journals and need only who/what/when. Undefined when it cannot be read or parsed.
 */
export function firstEvent(path: string): Record<string, unknown> | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (let read = 0, total = 0; total < 16 * 1024 * 1024; total += read) {
      read = readSync(fd, buf, 0, buf.length, total);
      if (read === 0) break;
      const nl = buf.subarray(0, read).indexOf(10);
      chunks.push(Buffer.from(buf.subarray(0, nl === -1 ? read : nl)));
      if (nl !== -1) break;
    }
    const first: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
