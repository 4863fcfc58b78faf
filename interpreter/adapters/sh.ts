import { execa } from 'execa';
import type { ShNode } from '../../dsl/nodes.js';
import type { ExecResult } from '../../dsl/results.js';
import { shCommand } from '../render/sh-command.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';
import { TailBuffer } from './tail-buffer.js';
import { killTree } from './kill-tree.js';
import { ownTerminalInput } from './own-terminal.js';

const OUTPUT_LIMIT = 4 * 1024 * 1024;

/** Runs a local command through /bin/sh in its own process group, so timeouts and aborts kill the whole tree. */
export async function runSh(node: ShNode, env: ActionEnv): Promise<ActionOutcome> {
  const command = shCommand(node, env.ctx);
  const started = performance.now();
  const interactive = env.interactive;
  const input = interactive ? ownTerminalInput() : undefined;
  const child = execa(command, {
    shell: true,
    reject: false,
    buffer: false,
    detached: !interactive,
    // A descriptor number goes straight to child_process.spawn (execa's types list only 3-9 there).
    stdio: input ? [input.fd as 'inherit', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    stripFinalNewline: false,
  });
  if (child.pid !== undefined) env.onSpawn?.(child.pid, !interactive);
  const out = new TailBuffer(OUTPUT_LIMIT);
  const err = new TailBuffer(OUTPUT_LIMIT);
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out.push(s); env.onOutput('stdout', s); });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err.push(s); env.onOutput('stderr', s); });

  let timedOut = false;
  let aborted = false;
  const kill = (): void => { if (child.pid !== undefined) killTree(child.pid, !interactive); };
  const timer = env.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; kill(); }, env.timeoutMs);
  const onAbort = (): void => { aborted = true; kill(); };
  env.signal.addEventListener('abort', onAbort, { once: true });
  if (env.signal.aborted) onAbort();
  const r = await child.finally(() => input?.close());
  if (timer) clearTimeout(timer);
  env.signal.removeEventListener('abort', onAbort);

  const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
  const error = timedOut
    ? `timed out after ${env.timeoutMs} ms; the process tree was killed`
    : aborted
      ? 'interrupted; the process tree was killed'
      : r.failed && exitCode === null && !r.signal
        ? (r.originalMessage ?? r.shortMessage)
        : undefined;
  const result: ExecResult = {
    ok: exitCode === 0 && !timedOut && !aborted,
    command,
    exitCode,
    signal: r.signal ?? null,
    stdout: trimEnd(out.toString()),
    stderr: trimEnd(err.toString()),
    durationMs: Math.round(performance.now() - started),
    timedOut,
    ...(error === undefined ? {} : { error }),
  };
  return {
    ok: result.ok,
    result,
    text: result.stdout,
    timedOut,
    ...(result.ok ? {} : { error: error ?? describeExit(result) }),
  };
}

function describeExit(r: ExecResult): string {
  const tail = r.stderr.split('\n').filter(Boolean).slice(-3).join(' | ');
  const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
  return `command ${how}${tail ? `: ${tail}` : ''}`;
}

function trimEnd(s: string): string {
  return s.endsWith('\n') ? s.replace(/\r?\n$/, '') : s;
}
