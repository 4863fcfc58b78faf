import type { Client, ClientChannel } from 'ssh2';
import { shellQuote } from '../../shell-quote.js';
import { TailBuffer } from '../tail-buffer.js';
import { isBroken } from './connection.js';

const OUTPUT_LIMIT = 4 * 1024 * 1024;
/** How long the kill (over a second channel) and the channel close may take before we give up on them. */
const KILL_WAIT_MS = 5_000;
const MARKER = '__runbook_pid__';
const MARKER_LINE = new RegExp(`(^|\\n)${MARKER} (\\d+)\\n`);

/**
 * The command as sent: the login shell execs /bin/sh, which reports its PID on stderr (the adapter
 * removes that line) and execs /bin/sh -c COMMAND under the same PID. sshd starts a non-pty session
 * with setsid(), so that PID is the process group of everything the command starts: a timeout or
 * Ctrl-C kills the group over a second channel, whatever the server does with signal requests.
 */
export function wrapCommand(command: string): string {
  return `exec /bin/sh -c ${shellQuote(`echo "${MARKER} $$" >&2; exec /bin/sh -c "$1"`)} runbook ${shellQuote(command)}`;
}

export interface RemoteRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** The connection broke under the command (or the channel could not be opened). */
  readonly connectionLost: boolean;
  /** The command never started (the exec channel could not be opened): safe to run again. */
  readonly notStarted: boolean;
  readonly error?: string;
}

export interface RemoteOptions {
  /** Time left for this command (the step's timeout minus the connect). */
  readonly timeoutMs: number | undefined;
  /** The step's timeout, for the message. */
  readonly stepTimeoutMs: number | undefined;
  readonly signal: AbortSignal;
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  /** For messages: `ops@host:2222`. */
  readonly where: string;
}

/**
 * Opens an exec channel. `attach` runs inside ssh2's callback, before any later event: a fast command's
 * `exit` can arrive in the same packet batch as the channel confirmation, before a promise continuation.
 */
function openExec(client: Client, command: string, attach: (ch: ClientChannel) => void = () => {}): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, stream) => {
        if (err) return reject(err);
        attach(stream);
        resolve(stream);
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

/** Kills the remote process group over a second exec channel; resolves when that command has finished. */
async function killRemote(client: Client, pid: number): Promise<boolean> {
  try {
    let closed: Promise<void> = Promise.resolve();
    await openExec(client, `kill -9 -${pid} 2>/dev/null || { pkill -9 -P ${pid}; kill -9 ${pid}; } 2>/dev/null; true`, (ch) => {
      closed = new Promise<void>((r) => ch.on('close', () => r()));
      ch.resume();
      ch.stderr.resume();
    });
    const done = await within(closed, KILL_WAIT_MS);
    return done !== 'timeout';
  } catch {
    return false;
  }
}

/** Runs one command on an open connection: output streamed, exit code and signal kept, timeout and abort kill it remotely. */
export async function runRemote(client: Client, command: string, o: RemoteOptions): Promise<RemoteRun> {
  const base = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: false, notStarted: true };
  if (o.signal.aborted) return { ...base, aborted: true, connectionLost: false, error: 'interrupted before the command started' };
  const out = new TailBuffer(OUTPUT_LIMIT);
  const err = new TailBuffer(OUTPUT_LIMIT);
  let pid: number | undefined;
  let head = ''; // stderr before the PID line has been seen
  let headDone = false;
  const pushErr = (s: string): void => {
    if (s === '') return;
    err.push(s);
    o.onOutput('stderr', s);
  };
  let exitCode: number | null = null;
  let signal: string | null = null;
  let exited = false;
  let closed: Promise<void> = Promise.resolve();
  const attach = (ch: ClientChannel): void => {
    closed = new Promise<void>((r) => ch.on('close', () => r()));
    ch.on('exit', (code: number | null, sig?: string) => {
      exited = true;
      if (typeof code === 'number') exitCode = code;
      if (typeof sig === 'string') signal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
    });
    ch.setEncoding('utf8');
    ch.stderr.setEncoding('utf8');
    ch.on('data', (s: string) => {
      out.push(s);
      o.onOutput('stdout', s);
    });
    ch.stderr.on('data', (s: string) => {
      if (headDone) return pushErr(s);
      head += s;
      const m = MARKER_LINE.exec(head);
      if (m) {
        pid = Number(m[2]);
        headDone = true;
        pushErr(head.slice(0, m.index + (m[1]?.length ?? 0)) + head.slice(m.index + m[0].length));
      } else if (head.length > 8192) {
        headDone = true; // no marker (an unusual login shell): no kill by PID, plain output
        pushErr(head);
      }
    });
  };
  let stream: ClientChannel;
  try {
    stream = await openExec(client, wrapCommand(command), attach);
  } catch (e) {
    const lost = isBroken(client);
    return { ...base, connectionLost: lost, error: `could not start the command on ${o.where}: ${e instanceof Error ? e.message : String(e)}${lost ? ' (the connection is gone; a retry reconnects)' : ''}` };
  }

  let timedOut = false;
  let aborted = false;
  let killing: Promise<string | undefined> | undefined;
  const kill = (): Promise<string | undefined> => {
    killing ??= (async () => {
      try {
        stream.signal('KILL');
      } catch {
        // the channel may be gone already
      }
      const killed = pid !== undefined && !isBroken(client) ? await killRemote(client, pid) : false;
      try {
        stream.close();
      } catch {
        // already closed
      }
      const gone = await within(closed, KILL_WAIT_MS);
      if (killed) return undefined;
      return pid === undefined
        ? 'its PID was not reported, so only a KILL signal was sent'
        : gone === 'timeout' || isBroken(client) ? 'the connection is gone, so the kill could not be confirmed' : 'the kill over a second channel did not finish';
    })();
    return killing;
  };
  // After a kill, stop waiting even if the channel never closes (a half-open connection): the kill
  // itself waits for the close, bounded.
  let killFinished: () => void = () => {};
  const killDone = new Promise<void>((r) => (killFinished = r));
  const startKill = (): void => void kill().finally(killFinished);
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; startKill(); }, o.timeoutMs);
  const onAbort = (): void => { aborted = true; startKill(); };
  o.signal.addEventListener('abort', onAbort, { once: true });
  let channelClosed = false;
  await Promise.race([closed.then(() => (channelClosed = true)), killDone]);
  if (timer) clearTimeout(timer);
  o.signal.removeEventListener('abort', onAbort);
  if (!headDone && head !== '') pushErr(head);
  const killNote = killing ? await killing : undefined;

  const connectionLost = !exited && !timedOut && !aborted && isBroken(client);
  const error = timedOut
    ? `timed out after ${o.stepTimeoutMs ?? o.timeoutMs} ms; the remote command was killed${killNote ? ` (${killNote})` : ''}`
    : aborted
      ? `interrupted; the remote command was killed${killNote ? ` (${killNote})` : ''}`
      : !exited
        ? `the connection to ${o.where} was lost before the command finished${connectionLost ? '; a retry reconnects' : ''}`
        : undefined;
  return {
    exitCode: timedOut || aborted ? null : exitCode,
    signal: timedOut || aborted ? 'SIGKILL' : signal,
    stdout: trimEnd(out.toString()),
    stderr: trimEnd(err.toString()),
    timedOut,
    aborted,
    // a channel that would not close after a kill: the connection is not to be trusted (dropped, reopened next time)
    connectionLost: connectionLost || (!exited && isBroken(client)) || !channelClosed,
    notStarted: false,
    ...(error === undefined ? {} : { error }),
  };
}

function trimEnd(s: string): string {
  return s.endsWith('\n') ? s.replace(/\r?\n$/, '') : s;
}
