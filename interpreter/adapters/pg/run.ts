import type { PgNode } from '../../../dsl/nodes.js';
import { PG_SQL } from '../../../dsl/actions/pg-sql.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { replicationLag } from './lag.js';
import { promoteAction, promotePrecheck, promoteVerify } from './promote.js';
import { resolveParams } from './resolve-params.js';
import { outcome, pgResult, targetFailure } from './result.js';
import { runStatements } from './statement.js';
import { describeTarget, resolveTarget, scrub, type PgTarget } from './target.js';
import { renderConnValue } from './describe.js';

/** The live adapter for every pg node: statements, helpers and the stages of pg.promote. */
export async function runPg(node: PgNode, env: ActionEnv): Promise<ActionOutcome> {
  let t: PgTarget;
  try {
    t = resolveTarget(node.conn, env.ctx, 'pg target');
  } catch (e) {
    const shown = renderConnValue(node.conn, env.ctx);
    return outcome(env, targetFailure(shown, node.sql, { code: 'ETARGET', message: scrub(e instanceof Error ? e.message : String(e), undefined) }));
  }
  switch (node.op) {
    case 'query':
    case 'exec':
      return statement(node, env, t);
    case 'in-recovery': {
      const r = pgResult(describeTarget(t), PG_SQL.inRecovery, await runStatements(env, t, [{ text: PG_SQL.inRecovery }], { readOnly: true }));
      const v = r.rows[0]?.['value'];
      return outcome(env, r, { value: typeof v === 'boolean' ? v : null });
    }
    case 'replication-lag':
      return replicationLag(node, env, t);
    case 'promote-precheck':
      return promotePrecheck(node, env, t);
    case 'promote':
      return promoteAction(node, env, t);
    case 'promote-verify':
      return promoteVerify(node, env, t);
  }
}

async function statement(node: PgNode, env: ActionEnv, t: PgTarget): Promise<ActionOutcome> {
  let values: readonly unknown[] | undefined;
  try {
    values = resolveParams(node.params, env.ctx);
  } catch (e) {
    return outcome(env, targetFailure(describeTarget(t), node.sql, { code: 'EPARAMS', message: e instanceof Error ? e.message : String(e) }));
  }
  const ran = await runStatements(env, t, [{ text: node.sql, ...(values === undefined ? {} : { values }) }], { readOnly: node.readOnly });
  return outcome(env, pgResult(describeTarget(t), node.sql, ran));
}
