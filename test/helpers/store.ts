import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The journal of the one run in a store directory (throws unless there is exactly one). */
export function onlyRun(store: string): string {
  const runs = readdirSync(join(store, 'runs')).filter((f) => f.endsWith('.ndjson'));
  if (runs.length !== 1) throw new Error(`expected one run in ${store}, found ${runs.length}`);
  return join(store, 'runs', runs[0]!);
}
