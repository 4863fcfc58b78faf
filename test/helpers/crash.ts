// Helpers for tests that keep a live CLI running while they act (crash/resume, locks):
// start it in the background, wait (bounded) for something to happen, kill -9 it, and clean up
// every process they started. Only processes started here are ever killed, by their own id.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { JournalEvent } from '../../interpreter/events.js';
import { groupAlive } from '../../interpreter/store/process-alive.js';
import { BIN, LOCK_DIR, ROOT, type CliResult } from './cli.js';

export interface LiveCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (and been reaped). */
  readonly exited: Promise<CliResult>;
  /** True once the process has exited. */
  done(): boolean;
}

const started = new Set<LiveCli>();
const groups = new Set<number>();

/** Starts the built CLI in the background, stdin a pipe (no TTY). */
export function startCli(args: readonly string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {}): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', RUNBOOK_LOCK_DIR: LOCK_DIR, ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start the CLI (${args.join(' ')})`);
  let out = '';
  let err = '';
  let finished = false;
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdin?.end();
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const live: LiveCli = { child, pid: child.pid, stdout: () => out, stderr: () => err, exited, done: () => finished };
  started.add(live);
  void exited.finally(() => started.delete(live));
  return live;
}

/** kill -9 the CLI process and wait until it is gone (reaped, so its pid no longer counts as alive). */
export async function kill9(cli: LiveCli): Promise<CliResult> {
  if (!cli.done()) cli.child.kill('SIGKILL');
  return cli.exited;
}

/**
 * Polls until `probe` returns something other than undefined/false, or fails after `timeoutMs`
 * with a message saying what was awaited (plus `diag()`, e.g. the CLI's output so far).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  o: { timeoutMs?: number; intervalMs?: number; diag?: () => string } = {},
): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${o.diag ? `\n${o.diag()}` : ''}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
  }
}

/** Remembers a process group (a step's shell, whose pid it wrote to a file) to kill at cleanup. */
export function trackGroupFromPidFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  groups.add(pid);
  return pid;
}

/**
 * SIGKILL a process group this test started (a detached step shell orphaned by kill -9 of the CLI)
 * and wait (bounded) until no live member is left, so a resume right after sees it gone.
 */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  groups.delete(pgid);
  const deadline = Date.now() + 5_000;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} survived SIGKILL for 5 s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

/** Kills whatever this file started and is still running: call it from afterEach. */
export async function killStarted(): Promise<void> {
  for (const pgid of [...groups]) killGroup(pgid);
  const running = [...started];
  for (const cli of running) if (!cli.done()) cli.child.kill('SIGKILL');
  await Promise.all(running.map((c) => c.exited.catch(() => undefined)));
}

/** The events of a journal (all lines must be complete JSON). */
export function journalEvents(path: string): JournalEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** The run id the plain reporter prints in its opening lines ("run <id> · operator …"). */
export function runIdFromOutput(stdout: string): string | undefined {
  return /\brun (\d{8}-\d{6}-[0-9a-f]+)\b/.exec(stdout)?.[1];
}

/** The value of a line-counter file: how many times each word was appended. */
export function countLines(path: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(path)) return counts;
  for (const l of readFileSync(path, 'utf8').split('\n')) if (l !== '') counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}
