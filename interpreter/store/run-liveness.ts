import { hostname } from 'node:os';
import { processAlive } from './process-alive.js';
import type { RunState } from './run-state.js';

export interface ShownStatus {
  /** The journal's status, except that a run whose process is gone is 'crashed'. */
  readonly status: RunState['status'] | 'crashed';
  /** For people: `running (on db7, pid 4242)` when the process is on another host. */
  readonly text: string;
  /** What to do about it (a crashed run). */
  readonly hint?: string;
}

/**
 * A journal without run-finished says "running"; kill -9 leaves it so forever. The process that last
 * drove the run (run-started, then each run-resumed) decides: gone (or a zombie) on this host → crashed;
 * on another host it cannot be checked from here, so it is shown as running there.
 */
export function shownStatus(s: RunState, resumeHint: string): ShownStatus {
  if (s.status !== 'running') return { status: s.status, text: s.status };
  const { host, pid } = s.driver;
  if (host !== hostname()) return { status: 'running', text: `running (on ${host}, pid ${pid})` };
  if (!(Number.isInteger(pid) && pid > 0 && processAlive(pid))) return { status: 'crashed', text: 'crashed', hint: `resume it: ${resumeHint}` };
  return { status: 'running', text: 'running' };
}
