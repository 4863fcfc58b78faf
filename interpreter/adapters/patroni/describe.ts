/** How Patroni calls read in a dry-run: the exact HTTP calls, credentials masked. Pure (the renderer imports it). */
import type { LazyValue, PatroniNode, RuntimeCtx } from '../../../dsl/nodes.js';
import { formatSpec } from '../../../dsl/duration.js';
import { resolve } from '../../engine/context.js';
import { isPlaceholder } from '../../engine/placeholder.js';
import { requestBody } from './body.js';
import { apiBase, maskUrl } from './url.js';

function apiList(v: LazyValue, c: RuntimeCtx): string[] {
  const value = resolve(v, c, 'patroni api');
  if (isPlaceholder(value)) return [String(value)];
  return (Array.isArray(value) ? (value as unknown[]) : [value]).map((x) => {
    try {
      return apiBase(String(x)).shown;
    } catch {
      return maskUrl(String(x));
    }
  });
}

/** `GET http://a:8008/cluster` or, with several nodes, `GET http://a:8008/cluster (else http://b:8008/cluster)`. */
function call(method: string, apis: readonly string[], path: string): string {
  const [first, ...rest] = apis;
  return `${method} ${first ?? ''}${path}${rest.length ? ` (else ${rest.map((a) => `${a}${path}`).join(', ')})` : ''}`;
}

function text(v: LazyValue | undefined, c: RuntimeCtx, what: string): string | undefined {
  if (v === undefined) return undefined;
  const x = resolve(v, c, what);
  return x instanceof Date ? x.toISOString() : String(x);
}

export function renderPatroni(node: PatroniNode, c: RuntimeCtx): string {
  const apis = apiList(node.api, c);
  const op = node.operation ?? 'switchover';
  const leader = text(node.leader, c, 'patroni leader');
  const candidate = text(node.candidate, c, 'patroni candidate') ?? '';
  const scheduledAt = text(node.scheduledAt, c, 'patroni scheduledAt');
  const wait = formatSpec(node.timeoutMs ?? 120_000);
  switch (node.op) {
    case 'cluster':
      return `${call('GET', apis, '/cluster')} (read-only)`;
    case 'precheck': {
      const max = text(node.maxLagBytes, c, 'patroni maxLagBytes');
      const lag = max === undefined ? `lag ≤ maximum_lag_on_failover (GET …/config)` : `lag ≤ ${max} bytes`;
      return `${call('GET', apis, '/cluster')}: ${op === 'switchover' ? `the leader is "${leader ?? ''}"; ` : ''}"${candidate}" is a replica, running or streaming, ${lag}`;
    }
    case 'request':
      return `${call('POST', apis, `/${op}`)} ${JSON.stringify(requestBody(op, { leader, candidate, scheduledAt }))}`;
    case 'verify':
      return scheduledAt !== undefined
        ? `${call('GET', apis, '/cluster')} shows the switchover scheduled at ${scheduledAt}`
        : `poll ${call('GET', apis, '/cluster')} every 1s for up to ${wait} until "${candidate}" is the running leader${leader === undefined ? '' : ` and "${leader}" runs as a replica on its timeline`}`;
  }
}
