import type { PatroniNode } from '../../../dsl/nodes.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { clusterTable, getCluster } from './cluster.js';
import { names, patroniPrecheck, patroniRequest, patroniVerify, type Names } from './promote.js';
import { resolveApis, scrubApi, type ApiBase } from './url.js';

const CLUSTER_TIMEOUT_MS = 5_000;

/** The live adapter for Patroni's REST API: GET /cluster, and the stages of a switchover or failover. */
export async function runPatroni(node: PatroniNode, env: ActionEnv): Promise<ActionOutcome> {
  let apis: ApiBase[];
  let n: Names;
  try {
    apis = resolveApis(node.api, env.ctx);
    n = names(node, env);
  } catch (e) {
    const message = scrubApi(e instanceof Error ? e.message : String(e), []);
    return { ok: false, result: { ok: false, error: { code: 'ETARGET', message } }, text: '', error: `patroni: ${message}` };
  }
  switch (node.op) {
    case 'cluster': {
      const r = await getCluster(env, apis, Math.min(node.timeoutMs ?? CLUSTER_TIMEOUT_MS, env.timeoutMs ?? Number.POSITIVE_INFINITY));
      const text = r.ok ? clusterTable(r) : '';
      if (r.ok) env.onOutput('stdout', `${text}\n`);
      return r.ok ? { ok: true, result: r, text } : { ok: false, result: r, text, error: `GET ${r.url}: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`.trim(), timedOut: r.error?.code === 'ETIMEDOUT' };
    }
    case 'precheck':
      return patroniPrecheck(node, env, apis, n);
    case 'request':
      return patroniRequest(node, env, apis, n);
    case 'verify':
      return patroniVerify(node, env, apis, n);
  }
}
