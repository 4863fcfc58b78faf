import type { PromoteNode } from '../../dsl/nodes.js';
import type { PromoteResult } from '../../dsl/results.js';
import type { ActionEnv, ActionOutcome, RunAction } from '../modes/types.js';

type Stage = 'precheck' | 'fence' | 'action' | 'verify';

/**
 * precheck → fence? → action → verify; the first stage that fails stops the promotion and is named.
 * A driver's stage may put `facts` in its result (old → new primary, timelines, lag…): they are merged,
 * later stages winning, into the promotion's result beside `ok` and `stages` (PgPromoteResult…).
 */
export async function runPromote(node: PromoteNode, env: ActionEnv, run: RunAction): Promise<ActionOutcome> {
  const stages: PromoteResult['stages'] = {};
  const facts: Record<string, unknown> = {};
  const order: [Stage, PromoteNode['precheck'] | undefined][] = [
    ['precheck', node.precheck], ['fence', node.fence], ['action', node.action], ['verify', node.verify],
  ];
  for (const [stage, action] of order) {
    if (action === undefined) continue;
    env.onOutput('stdout', `[${stage}]\n`);
    const o = await run(action, { ...env, promotion: { ...facts } });
    (stages as Record<Stage, { ok: boolean; text: string; result?: unknown }>)[stage] = { ok: o.ok, text: o.text, ...(o.result === undefined ? {} : { result: o.result }) };
    const f = typeof o.result === 'object' && o.result !== null ? (o.result as { facts?: unknown }).facts : undefined;
    if (typeof f === 'object' && f !== null) Object.assign(facts, f);
    if (!o.ok) {
      const result: PromoteResult = { ...facts, ok: false, failedStage: stage, stages };
      return { ok: false, result, text: JSON.stringify(result), error: `${stage} failed: ${o.error ?? 'not ok'}`, timedOut: o.timedOut ?? false };
    }
  }
  if (facts['oldPrimary'] !== undefined || facts['newPrimary'] !== undefined) {
    env.onOutput('stdout', `[done] primary: ${String(facts['oldPrimary'] ?? 'unknown')} → ${String(facts['newPrimary'] ?? 'unknown')}\n`);
  }
  const result: PromoteResult = { ...facts, ok: true, stages };
  return { ok: true, result, text: JSON.stringify(result) };
}
