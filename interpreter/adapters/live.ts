import type { ActionNode, ActionType } from '../../dsl/nodes.js';
import type { ActionEnv, ActionOutcome, RunAction } from '../modes/types.js';
import { runFn } from './fn.js';
import { runHttp } from './http.js';
import { runNotify } from './notify.js';
import { runPromote } from './promote.js';
import { runSh } from './sh.js';

type LiveTable = { [T in ActionType]: (node: Extract<ActionNode, { type: T }>, env: ActionEnv, run: RunAction) => Promise<ActionOutcome> };

/** The only table of adapters that can act. Loaded by live and probe modes only. */
export const liveAdapters: LiveTable = {
  sh: (n, env) => runSh(n, env),
  fn: (n, env) => runFn(n, env),
  http: (n, env) => runHttp(n, env),
  promote: (n, env, run) => runPromote(n, env, run),
  notify: (n, env) => runNotify(n, env),
};

export const runLive: RunAction = (node, env) =>
  (liveAdapters[node.type] as (n: ActionNode, env: ActionEnv, run: RunAction) => Promise<ActionOutcome>)(node, env, runLive);
