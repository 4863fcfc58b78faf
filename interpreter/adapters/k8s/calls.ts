/**
 * The Kubernetes API calls each k8s action makes, as data: the dry-run renders them and the adapter
 * makes exactly these (the tests compare both against what the API server received). Pure: imports
 * nothing that can connect.
 */
import querystring from 'node:querystring';
import { K8S_APPLY_KINDS, type K8sManifest } from '../../../dsl/actions/k8s.js';

export type PatchType = 'merge-patch' | 'strategic-merge-patch' | 'apply-patch+yaml';

export const CONTENT_TYPE: Readonly<Record<PatchType, string>> = {
  'merge-patch': 'application/merge-patch+json',
  'strategic-merge-patch': 'application/strategic-merge-patch+json',
  'apply-patch+yaml': 'application/apply-patch+yaml',
};

export const FIELD_MANAGER = 'runbook';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface K8sCall {
  readonly method: 'GET' | 'PATCH';
  readonly path: string;
  /** Already encoded, as the client sends it (`labelSelector=app%3Deapi`). */
  readonly query: string;
  readonly patch?: PatchType;
  readonly body?: unknown;
  /** Upgraded to a websocket (exec). */
  readonly websocket?: boolean;
}

/** A path segment, encoded; a dry-run placeholder (`<steps.x.value>`) stays readable. */
const seg = (s: string): string => (/^<[^<>]+>$/.test(s) ? s : encodeURIComponent(s));

function deploymentsPath(ns: string): string {
  return `/apis/apps/v1/namespaces/${seg(ns)}/deployments`;
}

/** Query strings as the generated client builds them (URLSearchParams). */
function params(entries: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(entries.map(([k, v]): [string, string] => [k, v])).toString();
}

export function readDeployment(ns: string, name: string): K8sCall {
  return { method: 'GET', path: `${deploymentsPath(ns)}/${seg(name)}`, query: '' };
}

export function listDeployments(ns: string, selector: string | undefined): K8sCall {
  return { method: 'GET', path: deploymentsPath(ns), query: selector === undefined || selector === '' ? '' : params([['labelSelector', selector]]) };
}

export function scaleDeployment(ns: string, name: string, replicas: unknown): K8sCall {
  return { method: 'PATCH', path: `${deploymentsPath(ns)}/${seg(name)}/scale`, query: '', patch: 'merge-patch', body: { spec: { replicas } } };
}

/** RFC 3339 in UTC, seconds precision, as kubectl writes `restartedAt`. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** kubectl rollout restart's patch, byte for byte. */
export function restartDeployment(ns: string, name: string, restartedAt: string): K8sCall {
  return {
    method: 'PATCH', path: `${deploymentsPath(ns)}/${seg(name)}`, query: '', patch: 'strategic-merge-patch',
    body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
  };
}

export function listPods(ns: string, selector: string): K8sCall {
  return { method: 'GET', path: `/api/v1/namespaces/${seg(ns)}/pods`, query: selector === '' ? '' : params([['labelSelector', selector]]) };
}

/** The exec upgrade request exactly as client-node's Exec builds it (querystring, stdin off, no TTY). */
export function execPod(ns: string, pod: string, container: string, command: readonly string[]): K8sCall {
  const query = querystring.stringify({ stdout: true, stderr: true, stdin: false, tty: false, command: [...command], container });
  return { method: 'GET', path: `/api/v1/namespaces/${seg(ns)}/pods/${seg(pod)}/exec`, query, websocket: true };
}

export function kindOf(m: K8sManifest): { readonly base: string; readonly plural: string } {
  const k = K8S_APPLY_KINDS[`${m.apiVersion}/${m.kind}`];
  if (!k) throw new TypeError(`${m.kind} (${m.apiVersion}) cannot be applied`);
  return k;
}

export function applyManifest(ns: string, m: K8sManifest, force: boolean): K8sCall {
  const { base, plural } = kindOf(m);
  return {
    method: 'PATCH', path: `${base}/namespaces/${seg(ns)}/${plural}/${seg(m.metadata.name)}`,
    query: params([['fieldManager', FIELD_MANAGER], ...(force ? [['force', 'true'] as const] : [])]), patch: 'apply-patch+yaml', body: m,
  };
}

/** A Secret's values never leave the process: `data` and `stringData` shown as `***` per key. */
export function withoutSecretValues(m: unknown): unknown {
  const o = m as K8sManifest;
  if (o?.kind !== 'Secret') return m;
  const hide = (v: unknown): unknown => (typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).map((k) => [k, '***'])) : v === undefined ? undefined : '***');
  return { ...o, ...(o['data'] === undefined ? {} : { data: hide(o['data']) }), ...(o['stringData'] === undefined ? {} : { stringData: hide(o['stringData']) }) };
}

/** `PATCH /apis/apps/v1/namespaces/payments/deployments/eapi/scale` (with its query). */
export function callLine(c: K8sCall): string {
  return `${c.method} ${c.path}${c.query === '' ? '' : `?${c.query}`}`;
}

/** The whole call for a reader: line, patch type, body (Secret values hidden), cluster. */
export function callText(c: K8sCall, where: string): string {
  const body = c.body === undefined ? '' : ` ${JSON.stringify(withoutSecretValues(c.body))}`;
  return `${callLine(c)}${c.websocket ? ' (websocket)' : ''}${c.patch ? ` (${c.patch})` : ''}${body} ${where}`;
}
