/** A command in a container through the API's exec websocket (client-node's Exec), bounded and abortable. */
import { Writable } from 'node:stream';
import type { K8sError } from '../../../dsl/results.js';
import type { K8sClients } from './client.js';
import { k8sError } from './errors.js';

export interface ExecOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly error?: K8sError;
}

const OUTPUT_LIMIT = 1024 * 1024;

function collector(onText: (s: string) => void): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const s = chunk.toString('utf8');
      if (text.length < OUTPUT_LIMIT) text += s.slice(0, OUTPUT_LIMIT - text.length);
      onText(s);
      done();
    },
  });
  return { stream, text: () => text };
}

interface StatusLike {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit code from the closing Status: Success is 0; NonZeroExitCode carries it as a cause. */
export function exitCodeOf(s: StatusLike | undefined): number | null {
  if (s === undefined) return null;
  if (s.status === 'Success') return 0;
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined && /^\d+$/.test(cause.message) ? Number(cause.message) : null;
}

export async function execInPod(
  k: K8sClients, ns: string, pod: string, container: string, command: readonly string[], timeoutMs: number, signal: AbortSignal,
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void,
): Promise<ExecOutcome> {
  const out = collector((s) => onOutput('stdout', s));
  const err = collector((s) => onOutput('stderr', s));
  let status: StatusLike | undefined;
  const exec = new k.lib.Exec(k.kc);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let ws: Awaited<ReturnType<typeof exec.exec>> | undefined;
  const stopped = new Promise<'timeout' | 'abort'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    onAbort = () => resolve('abort');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const opened = exec.exec(ns, pod, container, [...command], out.stream, err.stream, null, false, (s) => {
      status = s as StatusLike;
    });
    const first = await Promise.race([opened.then((w) => ({ ws: w })), stopped]);
    if (typeof first === 'string') {
      void opened.then((w) => w.close(), () => undefined);
      return { stdout: out.text(), stderr: err.text(), exitCode: null, timedOut: first === 'timeout', error: k8sError(undefined, { timedOut: first === 'timeout', aborted: first === 'abort' }) };
    }
    ws = first.ws;
    const socket = ws;
    const closed = new Promise<'closed'>((resolve) => {
      if (socket.readyState === socket.CLOSED) resolve('closed');
      socket.addEventListener('close', () => resolve('closed'));
    });
    const end = await Promise.race([closed, stopped]);
    if (end !== 'closed') {
      socket.close();
      return { stdout: out.text(), stderr: err.text(), exitCode: null, timedOut: end === 'timeout', error: k8sError(undefined, { timedOut: end === 'timeout', aborted: end === 'abort' }) };
    }
    const exitCode = exitCodeOf(status);
    if (status === undefined) return { stdout: out.text(), stderr: err.text(), exitCode: null, timedOut: false, error: { code: 'ENOSTATUS', status: null, message: 'the exec stream closed without an exit status' } };
    if (exitCode === null) return { stdout: out.text(), stderr: err.text(), exitCode, timedOut: false, error: { code: status.reason ?? 'Failure', status: null, message: status.message ?? 'exec failed' } };
    return { stdout: out.text(), stderr: err.text(), exitCode, timedOut: false };
  } catch (e) {
    return { stdout: out.text(), stderr: err.text(), exitCode: null, timedOut: false, error: k8sError(e) };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
