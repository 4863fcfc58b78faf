import type { Client } from 'ssh2';
import type { SshResult } from '../../../dsl/results.js';
import type { RunResources } from '../../engine/resources.js';
import { CONNECT_TIMEOUT_MS, pooledConnection, SshError } from './connection.js';
import { runRemote } from './exec.js';
import type { ConnectSpec } from './target.js';

export interface HostRunOptions {
  readonly resources: RunResources;
  /** What is left of the step's timeout for this host (connect + command), if any. */
  readonly timeoutMs: number | undefined;
  /** The step's timeout as written, for messages (default: timeoutMs). */
  readonly stepTimeoutMs?: number | undefined;
  readonly signal: AbortSignal;
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Connects (pooled) and runs one command on one host. Every failure is data in the result. */
export async function runOnHost(spec: ConnectSpec, command: string, o: HostRunOptions): Promise<SshResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const failed = (error: string, timedOut = false): SshResult => ({
    ok: false, host: spec.label, command, exitCode: null, signal: null, stdout: '', stderr: '', durationMs: elapsed(), timedOut, error,
  });
  const readyTimeout = Math.max(1, Math.min(CONNECT_TIMEOUT_MS, o.timeoutMs ?? Infinity));
  let client: Client;
  try {
    const c = await untilAborted(pooledConnection(spec, o.resources, readyTimeout), o.signal);
    if (c === 'aborted') return failed('interrupted while connecting');
    client = c;
  } catch (e) {
    const timedOut = e instanceof SshError && e.code === 'ETIMEDOUT' && o.timeoutMs !== undefined && o.timeoutMs <= CONNECT_TIMEOUT_MS;
    return failed(e instanceof Error ? e.message : String(e), timedOut);
  }
  const remote = (c: Client): ReturnType<typeof runRemote> => runRemote(c, command, {
    timeoutMs: o.timeoutMs === undefined ? undefined : Math.max(1, o.timeoutMs - elapsed()),
    stepTimeoutMs: o.stepTimeoutMs ?? o.timeoutMs, signal: o.signal, onOutput: o.onOutput, where: spec.display,
  });
  let r = await remote(client);
  if (r.connectionLost) await o.resources.drop(spec.poolKey);
  if (r.notStarted && r.connectionLost && !o.signal.aborted) {
    // The pooled connection died while idle (server restart, network blip): the command never ran, so
    // reconnecting once and running it is safe.
    try {
      const again = await untilAborted(pooledConnection(spec, o.resources, readyTimeout), o.signal);
      if (again === 'aborted') return failed('interrupted while reconnecting');
      r = await remote(again);
      if (r.connectionLost) await o.resources.drop(spec.poolKey);
    } catch (e) {
      return failed(`the connection was lost and reconnecting failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const ok = r.exitCode === 0 && !r.timedOut && !r.aborted && r.error === undefined;
  return {
    ok,
    host: spec.label,
    command,
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    durationMs: elapsed(),
    timedOut: r.timedOut,
    ...(r.error === undefined ? {} : { error: r.error }),
  };
}

/** One line on why a host's command failed: its error, else exit code or signal and the stderr tail. */
export function describeFailure(r: SshResult): string {
  if (r.error !== undefined) return r.error;
  const tail = r.stderr.split('\n').filter(Boolean).slice(-3).join(' | ');
  const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
  return `command ${how}${tail ? `: ${tail}` : ''}`;
}
