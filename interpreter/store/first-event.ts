import { scanLines } from './journal-scan.js';

/**
 * A journal's first event (run-started) without reading the rest: listing and history scan many
 * journals and need only who/what/when. Undefined when it cannot be read or parsed.
 */
export function firstEvent(path: string): Record<string, unknown> | undefined {
  let line: string | undefined;
  try {
    scanLines(path, (l) => {
      line = l;
      return false;
    }, 64 * 1024);
    const first: unknown = line === undefined ? undefined : JSON.parse(line);
    return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
