import { setMaxListeners } from 'node:events';
import type { SshEachNode } from '../../../dsl/nodes.js';
import type { FanOutResult, SshHostResult, SshResult } from '../../../dsl/results.js';
import { LineBuffer } from '../../engine/line-buffer.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { DEFAULT_CONCURRENCY, hostCommand, hostInfo, resolveHosts } from '../../render/ssh.js';
import { describeFailure, runOnHost } from './host.js';
import { connectSpec, type ConnectSpec } from './target.js';

interface Planned {
  readonly index: number;
  readonly batch: number;
  readonly spec: ConnectSpec;
  readonly command: string;
}

/** Every line of `text` (whole lines, from a LineBuffer) with `[host] ` in front. */
function prefixed(label: string, text: string): string {
  return text.replace(/\n$/, '').split('\n').map((l) => `[${label}] ${l}\n`).join('');
}

/**
 * `ssh.each`: batches in order (batch N+1 starts when batch N has finished), at most `concurrency`
 * hosts at once inside a batch; once more than `maxFailures` hosts have failed, no further host
 * starts and the rest are reported as skipped. The step's timeout and Ctrl-C bound the whole fan-out.
 */
export async function runFanOut(node: SshEachNode, env: ActionEnv): Promise<ActionOutcome> {
  const started = performance.now();
  const deadline = env.timeoutMs === undefined ? undefined : started + env.timeoutMs;
  let planned: Planned[];
  try {
    const hosts = resolveHosts(node, env.ctx, false);
    if (typeof hosts === 'string') throw new Error(`ssh.each: the host list is ${hosts}`);
    const size = node.batch ?? hosts.length;
    planned = hosts.map((t, i) => ({ index: i, batch: Math.floor(i / size) + 1, spec: connectSpec(t), command: hostCommand(node, hostInfo(t, i), env.ctx) }));
  } catch (e) {
    return { ok: false, result: undefined, text: '', error: e instanceof Error ? e.message : String(e) };
  }

  // One listener on the run's signal; the hosts (two listeners each while running) listen to this one.
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const onAbort = (): void => abort.abort(env.signal.reason);
  env.signal.addEventListener('abort', onAbort, { once: true });
  if (env.signal.aborted) onAbort();
  try {
    return await fanOut(node, env, planned, abort.signal, started, deadline);
  } finally {
    env.signal.removeEventListener('abort', onAbort);
  }
}

async function fanOut(node: SshEachNode, env: ActionEnv, planned: readonly Planned[], signal: AbortSignal, started: number, deadline: number | undefined): Promise<ActionOutcome> {
  const concurrency = node.concurrency ?? DEFAULT_CONCURRENCY;
  const maxFailures = node.maxFailures ?? Infinity;
  const results = new Map<number, SshHostResult>();
  let failures = 0;
  let timedOut = false;
  const stopReason = (): string | undefined => {
    if (failures > maxFailures) return `not started: ${failures} host${failures === 1 ? '' : 's'} failed, more than maxFailures ${maxFailures}`;
    if (signal.aborted) return 'not started: interrupted';
    if (deadline !== undefined && performance.now() >= deadline) {
      timedOut = true;
      return `not started: the step's timeout (${env.timeoutMs} ms) ran out`;
    }
    return undefined;
  };

  const runOne = async (p: Planned): Promise<void> => {
    const out = new LineBuffer((t) => env.onOutput('stdout', prefixed(p.spec.label, t)));
    const err = new LineBuffer((t) => env.onOutput('stderr', prefixed(p.spec.label, t)));
    const left = deadline === undefined ? undefined : Math.max(1, deadline - performance.now());
    let r: SshResult;
    try {
      r = await runOnHost(p.spec, p.command, {
        resources: env.resources, timeoutMs: left, stepTimeoutMs: env.timeoutMs, signal,
        onOutput: (stream, text) => (stream === 'stdout' ? out : err).push(text),
      });
    } catch (e) {
      r = { ok: false, host: p.spec.label, command: p.command, exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, error: e instanceof Error ? e.message : String(e) };
    }
    out.flush();
    err.flush();
    if (r.timedOut) timedOut = true;
    if (!r.ok) failures++;
    results.set(p.index, { ...r, status: r.ok ? 'ok' : 'failed', batch: p.batch });
    if (r.ok) env.onOutput('stdout', `[${p.spec.label}] ok ${r.durationMs} ms\n`);
    else env.onOutput('stderr', `[${p.spec.label}] failed${summary(r)}\n`);
  };

  const batches = new Map<number, Planned[]>();
  for (const p of planned) batches.set(p.batch, [...(batches.get(p.batch) ?? []), p]);
  for (const batch of batches.values()) {
    if (stopReason() !== undefined) break;
    let next = 0;
    const worker = async (): Promise<void> => {
      // Taking the next host is synchronous after each finish: once failures exceed the limit, none starts.
      while (next < batch.length && stopReason() === undefined) {
        const p = batch[next++];
        if (p) await runOne(p);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }

  const reason = stopReason() ?? 'not started';
  const hosts: SshHostResult[] = planned.map((p) => results.get(p.index) ?? {
    ok: false, host: p.spec.label, command: p.command, exitCode: null, signal: null, stdout: '', stderr: '',
    durationMs: 0, timedOut: false, error: reason, status: 'skipped' as const, batch: p.batch,
  });
  for (const h of hosts) if (h.status === 'skipped') env.onOutput('stderr', `[${h.host}] skipped: ${reason}\n`);
  const failed = hosts.filter((h) => h.status === 'failed').map((h) => h.host);
  const skipped = hosts.filter((h) => h.status === 'skipped').map((h) => h.host);
  const result: FanOutResult = { ok: failed.length === 0 && skipped.length === 0, hosts, failed, skipped, durationMs: Math.round(performance.now() - started) };
  const text = hosts.filter((h) => h.stdout !== '').map((h) => prefixed(h.host, `${h.stdout}\n`)).join('').replace(/\n$/, '');
  return {
    ok: result.ok,
    result,
    text,
    timedOut,
    ...(result.ok ? {} : { error: fanOutError(hosts, failed, skipped) }),
  };
}

/** ` exit 3: last stderr line`, or `: why it did not run or finish`. */
function summary(r: SshResult): string {
  if (r.exitCode !== null && r.error === undefined) {
    const tail = r.stderr.split('\n').filter(Boolean).slice(-1)[0];
    return ` exit ${r.exitCode}${tail ? `: ${tail}` : ''}`;
  }
  return `: ${describeFailure(r)}`;
}

function fanOutError(hosts: readonly SshHostResult[], failed: readonly string[], skipped: readonly string[]): string {
  const first = hosts.filter((h) => h.status === 'failed').slice(0, 3).map((h) => `${h.host}: ${describeFailure(h)}`);
  const more = failed.length > 3 ? `; and ${failed.length - 3} more` : '';
  const parts = [`${failed.length} of ${hosts.length} host${hosts.length === 1 ? '' : 's'} failed${first.length ? ` (${first.join('; ')}${more})` : ''}`];
  if (skipped.length > 0) parts.push(`${skipped.length} skipped (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''})`);
  return parts.join('; ');
}
