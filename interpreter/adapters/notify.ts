import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NotifyNode } from '../../dsl/nodes.js';
import type { NotifyResult } from '../../dsl/results.js';
import { resolve } from '../engine/context.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';

/** Delivers a message; secrets are removed before anything leaves the process. */
export async function runNotify(node: NotifyNode, env: ActionEnv): Promise<ActionOutcome> {
  const message = env.redact(String(resolve(node.message, env.ctx, 'notify message')));
  const ch = node.channel;
  let error: string | undefined;
  try {
    switch (ch.type) {
      case 'console':
        env.onOutput('stdout', `${message}\n`);
        break;
      case 'file': {
        const path = String(resolve(ch.path, env.ctx, 'notify file path'));
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, `${new Date().toISOString()} [${env.runbookId} ${env.runId}] ${message}\n`);
        break;
      }
      case 'webhook': {
        const url = String(resolve(ch.url, env.ctx, 'webhook url'));
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...ch.headers },
          body: JSON.stringify({ text: message, runbook: env.runbookId, run: env.runId, step: env.stepId }),
          signal: AbortSignal.any([AbortSignal.timeout(env.timeoutMs ?? 10_000), env.signal]),
        });
        if (!res.ok) error = `webhook answered ${res.status} ${res.statusText}`;
        await res.body?.cancel();
        break;
      }
    }
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    error = `${ch.type} delivery failed: ${cause?.code ?? (e instanceof Error ? e.message : String(e))}`;
  }
  const result: NotifyResult = { ok: error === undefined, channel: ch.type, message, ...(error === undefined ? {} : { error }) };
  return { ok: result.ok, result, text: message, ...(error === undefined ? {} : { error }) };
}
