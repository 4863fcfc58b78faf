import type { ActionNode, ActionType } from '../../dsl/nodes.js';
import type { ActionEnv, ActionOutcome, RunAction } from '../modes/types.js';
import { runFn } from './fn.js';
import { runHttp } from './http.js';
import { runNotify } from './notify.js';
import { runPromote } from './promote.js';
import { runRedis } from './redis/run.js';
import { runK8s } from './k8s/run.js';
import { runPg } from './pg/run.js';
import { runPatroni } from './patroni/run.js';
import { runSh } from './sh.js';
import { runSsh, runSshEach } from './ssh/run.js';

type LiveTable = { [T in ActionType]: (node: Extract<ActionNode, { type: T }>, env: ActionEnv, run: RunAction) => Promise<ActionOutcome> };

/** The only table of adapters that can act. Loaded by live and probe modes only. */
export const liveAdapters: LiveTable = {
  sh: (n, env) => runSh(n, env),
  fn: (n, env) => runFn(n, env),
  http: (n, env) => runHttp(n, env),
  promote: (n, env, run) => runPromote(n, env, run),
  notify: (n, env) => runNotify(n, env),
  redis: (n, env) => runRedis(n, env),
  k8s: (n, env) => runK8s(n, env),
  pg: (n, env) => runPg(n, env),
  patroni: (n, env) => runPatroni(n, env),
  ssh: (n, env) => runSsh(n, env),
  'ssh-each': (n, env) => runSshEach(n, env),
};

export const runLive: RunAction = (node, env) =>
  (liveAdapters[node.type] as (n: ActionNode, env: ActionEnv, run: RunAction) => Promise<ActionOutcome>)(node, env, runLive);
