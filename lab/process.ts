// Process plumbing shared by the local lab (`npm run lab:up`) and the integration-test harnesses
// (test/helpers/servers/*): spawn a server with its output in a log file, poll (bounded) until it is
// ready, stop it by PID (a signal, a bounded wait, then SIGKILL), find free ports and say whether a
// port is taken. A process spawned attached (the tests) is killed when this process exits, whatever
// happens; a detached one (the lab) outlives it and is stopped later by its PID.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends a signal; false when there is no such process (or it is not ours to signal). */
export function tryKill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** The process's command line (arguments joined by spaces), or undefined when it is gone. */
export function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie; with `match`, its command line must also contain it (a recycled PID is not ours). */
export function pidAlive(pid: number, match?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
  } catch {
    return false;
  }
  return match === undefined || (cmdlineOf(pid) ?? '').includes(match);
}

/** PIDs whose parent is `ppid`, from /proc (sshd forks one process per connection). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Command lines of live processes containing `needle` (for "is the remote command gone?"), as `PID args`. */
export function processesMatching(needle: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const args = cmdlineOf(Number(name));
    if (args !== undefined && args.includes(needle) && pidAlive(Number(name))) out.push(`${name} ${args}`);
  }
  return out;
}

/**
 * Stops a process by PID: `sig`, up to `waitMs` for it to go, then SIGKILL and up to 2 s more.
 * With `match`, a PID whose command line does not contain it is left alone (it was recycled).
 * Resolves true when the process is gone.
 */
export async function stopPid(pid: number, sig: NodeJS.Signals, waitMs: number, match?: string): Promise<boolean> {
  if (!pidAlive(pid, match)) return true;
  tryKill(pid, sig);
  const until = Date.now() + waitMs;
  while (pidAlive(pid) && Date.now() < until) await sleep(50);
  if (!pidAlive(pid)) return true;
  tryKill(pid, 'SIGKILL');
  const killed = Date.now() + 2_000;
  while (pidAlive(pid) && Date.now() < killed) await sleep(20);
  return !pidAlive(pid);
}

/** stopPid for a process we spawned, also awaiting its exit event (so `exited()` is true after). */
export async function stopProc(p: Proc, stop: (p: Proc) => Promise<boolean>): Promise<void> {
  if (p.exited()) return;
  await stop(p);
  await Promise.race([p.exit, sleep(2_000)]);
}

/** A port the OS just gave out on 127.0.0.1 (free now; someone may take it before you bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Whether 127.0.0.1:port can be bound right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Whether `path` is a file we may execute. */
export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file's text, or '' when it cannot be read (a log that is not written yet). */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Polls `ok` every `intervalMs` until it is true, for at most `timeoutMs`; `failed` (a process that
 * exited, say) ends the wait at once. Errors say what was awaited and end with `detail()` (a log tail).
 */
export async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, o: { timeoutMs: number; intervalMs?: number; failed?: () => string | undefined; detail?: () => string }): Promise<void> {
  const until = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    const failed = o.failed?.();
    if (failed !== undefined) throw new Error(`${what}: ${failed}${o.detail ? `\n${o.detail()}` : ''}`);
    try {
      if (await ok()) return;
    } catch (e) {
      last = `; last error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (Date.now() > until) throw new Error(`timed out after ${o.timeoutMs / 1000}s waiting for ${what}${last}${o.detail ? `\n${o.detail()}` : ''}`);
    await sleep(o.intervalMs ?? 100);
  }
}

/** uid/gid of a login. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export function userIds(user: string): Owner {
  const id = (flag: string): number => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** How a server is spawned: attached (killed when we exit: tests) or detached (outlives us: the lab). */
export interface SpawnOptions {
  /** Own session, not killed when this process exits (default false). */
  readonly detached?: boolean;
  /** Called right after each spawn, with a name for the process (the lab records it in state.json). */
  readonly onSpawn?: (p: Proc, name: string) => void;
}

/** A process to stop later: its PID and what its command line contains (its binary's base name). */
export interface PidRef {
  readonly pid: number;
  readonly match: string;
}

export interface Proc extends PidRef {
  /** The file its stdout and stderr go to. */
  readonly log: string;
  readonly child: ChildProcess;
  exited(): boolean;
  /** Resolves when it has exited. */
  readonly exit: Promise<void>;
}

/**
 * Spawns `cmd` with stdout and stderr appended to `log`, as `as` (uid/gid) when given. Attached
 * processes are killed (SIGKILL) when this process exits; detached ones are unref'ed.
 */
export function spawnLogged(name: string, cmd: string, args: readonly string[], o: SpawnOptions & { log: string; as?: Owner | undefined; env?: NodeJS.ProcessEnv }): Proc {
  const fd = openSync(o.log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...o.env }, detached: o.detached === true, ...(o.as ?? {}) });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    attached.delete(pid);
    resolve();
  }));
  child.once('error', () => undefined);
  if (o.detached === true) child.unref();
  else attached.add(pid);
  const p: Proc = { pid, match: basename(cmd), log: o.log, child, exited: () => exited, exit };
  o.onSpawn?.(p, name);
  return p;
}

const attached = new Set<number>();
const exitHooks = new Set<() => void>();
const exitDirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const f of exitHooks) f();
    for (const pid of attached) tryKill(pid, 'SIGKILL');
    for (const d of exitDirs) rmSync(d, { recursive: true, force: true });
  });
}
hookExit();

/** Runs `f` when this process exits (before the attached processes are killed); returns its remover. */
export function onExit(f: () => void): () => void {
  exitHooks.add(f);
  return () => exitHooks.delete(f);
}

/** Removes `dir` when this process exits (after the processes are killed); returns its remover. */
export function removeOnExit(dir: string): () => void {
  exitDirs.add(dir);
  return () => exitDirs.delete(dir);
}
