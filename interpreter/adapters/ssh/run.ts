import type { SshEachNode, SshNode } from '../../../dsl/nodes.js';
import type { SshResult } from '../../../dsl/results.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { resolveTarget, sshCommandText } from '../../render/ssh.js';
import { describeFailure, runOnHost } from './host.js';
import { runFanOut } from './fan-out.js';
import { connectSpec } from './target.js';

const NOT_INTERACTIVE = 'interactive: true gives a local command the terminal; the ssh adapter has no terminal to give (no pty). For a remote tool that prompts, use sh`ssh -t user@host tool` with interactive: true.';

/** `ssh(target)\`command\``: one command on one host over the run's pooled connection. */
export async function runSsh(node: SshNode, env: ActionEnv): Promise<ActionOutcome> {
  if (env.interactive) return { ok: false, result: undefined, text: '', error: NOT_INTERACTIVE };
  let command = '';
  let result: SshResult;
  try {
    command = sshCommandText(node.command, env.ctx);
    const spec = connectSpec(resolveTarget(node.target, env.ctx, 'ssh', false));
    result = await runOnHost(spec, command, { resources: env.resources, timeoutMs: env.timeoutMs, signal: env.signal, onOutput: env.onOutput });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    result = { ok: false, host: '', command, exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, error };
  }
  return {
    ok: result.ok,
    result,
    text: result.stdout,
    timedOut: result.timedOut,
    ...(result.ok ? {} : { error: `${result.host ? `${result.host}: ` : ''}${describeFailure(result)}` }),
  };
}

export async function runSshEach(node: SshEachNode, env: ActionEnv): Promise<ActionOutcome> {
  if (env.interactive) return { ok: false, result: undefined, text: '', error: NOT_INTERACTIVE };
  return runFanOut(node, env);
}
