import type { PromoteNode } from '../../dsl/nodes.js';
import type { PromoteResult } from '../../dsl/results.js';
import type { ActionEnv, ActionOutcome, RunAction } from '../modes/types.js';

type Stage = 'precheck' | 'fence' | 'action' | 'verify';

/** precheck → fence? → action → verify; the first stage that fails stops the promotion and is named. */
export async function runPromote(node: PromoteNode, env: ActionEnv, run: RunAction): Promise<ActionOutcome> {
  const stages: PromoteResult['stages'] = {};
  const order: [Stage, PromoteNode['precheck'] | undefined][] = [
    ['precheck', node.precheck], ['fence', node.fence], ['action', node.action], ['verify', node.verify],
  ];
  for (const [stage, action] of order) {
    if (action === undefined) continue;
    env.onOutput('stdout', `[${stage}]\n`);
    const o = await run(action, env);
    (stages as Record<Stage, { ok: boolean; text: string }>)[stage] = { ok: o.ok, text: o.text };
    if (!o.ok) {
      const result: PromoteResult = { ok: false, failedStage: stage, stages };
      return { ok: false, result, text: JSON.stringify(result), error: `${stage} failed: ${o.error ?? 'not ok'}`, timedOut: o.timedOut ?? false };
    }
  }
  const result: PromoteResult = { ok: true, stages };
  return { ok: true, result, text: JSON.stringify(result) };
}
