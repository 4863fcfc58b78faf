// Reading the spawn/socket recorder's log (test/helpers/spawn-recorder.mjs, loaded with NODE_OPTIONS --import).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const RECORDER = fileURLToPath(new URL('./spawn-recorder.mjs', import.meta.url));

export interface Recorded {
  readonly pid: number;
  readonly kind: 'recorder' | 'child_process' | 'socket';
  readonly fn: string;
  readonly command?: string;
  readonly args?: string[];
  readonly target?: string;
  readonly line: string;
}

/** Environment for a CLI run under the recorder, logging to `log`. */
export function recorderEnv(log: string): Record<string, string> {
  return { NODE_OPTIONS: `--import ${RECORDER}`, RUNBOOK_SPAWN_LOG: log };
}

export function recorded(log: string): Recorded[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded);
}

/** The loader's esbuild service (compiling the runbook) is the one process the CLI may start in any mode. */
export function isEsbuildService(e: Recorded): boolean {
  return e.kind === 'child_process' && /[\\/]esbuild(\.exe)?$/.test(e.command ?? '') && (e.args ?? []).some((a) => a.startsWith('--service='));
}

/** What the run did to the world: processes and sockets, minus the recorder itself and the compiler. */
export function effects(log: readonly Recorded[]): Recorded[] {
  return log.filter((e) => e.kind !== 'recorder' && !isEsbuildService(e));
}

/** The recorder ran inside the CLI process: without this, an empty log would prove nothing. */
export function assertRecorderWasLoaded(log: readonly Recorded[], cliPid: number): void {
  const loaded = log.filter((e) => e.kind === 'recorder');
  expect(loaded.length).toBeGreaterThanOrEqual(1);
  expect(loaded.map((e) => e.pid)).toContain(cliPid);
}
