import { createRequire } from 'node:module';
import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import type {
  K8sApplyResult, K8sDeploymentResult, K8sDeploymentsResult, K8sExecResult, K8sPodsResult, K8sRestartResult, K8sRolloutResult, K8sScaleResult,
} from '../results.js';
import { lazy, type K8sNode, type LazyValue } from '../nodes.js';
import { makeAction, type Action } from './action.js';

/**
 * A cluster: which kubeconfig (default: `KUBECONFIG`, else `~/.kube/config`), which of its contexts (default:
 * its current context) and which namespace (default: the context's namespace, else `default`).
 */
export interface K8sTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

/** A manifest as an object (apiVersion, kind, metadata.name, …). */
export interface K8sManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** Label selector: `app=eapi,tier!=canary` or `{ app: 'eapi' }`. */
export type K8sSelector = string | Readonly<Record<string, string>>;

type L<T, C> = T | ((c: C) => T);

/** The kinds `k8s.apply` knows, by `apiVersion/kind`: where they live in the API. */
export const K8S_APPLY_KINDS: Readonly<Record<string, { readonly base: string; readonly plural: string }>> = {
  'apps/v1/Deployment': { base: '/apis/apps/v1', plural: 'deployments' },
  'v1/Service': { base: '/api/v1', plural: 'services' },
  'v1/ConfigMap': { base: '/api/v1', plural: 'configmaps' },
  'v1/Secret': { base: '/api/v1', plural: 'secrets' },
  'autoscaling/v2/HorizontalPodAutoscaler': { base: '/apis/autoscaling/v2', plural: 'horizontalpodautoscalers' },
  'autoscaling/v1/HorizontalPodAutoscaler': { base: '/apis/autoscaling/v1', plural: 'horizontalpodautoscalers' },
};

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Checks a target; throws a TypeError naming the problem. */
export function checkK8sTarget(t: unknown): K8sTarget {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new TypeError('a cluster target is an object: { kubeconfig?, context?, namespace? }');
  for (const [k, v] of Object.entries(t)) {
    if (!['kubeconfig', 'context', 'namespace'].includes(k)) throw new TypeError(`unknown field "${k}" in the cluster target; it takes kubeconfig, context and namespace`);
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new TypeError(`${k} in the cluster target must be a non-empty string`);
  }
  const ns = (t as K8sTarget).namespace;
  if (ns !== undefined && !NAME.test(ns)) throw new TypeError(`namespace ${JSON.stringify(ns)} is not a valid name`);
  return t as K8sTarget;
}

export function checkK8sName(v: unknown, what: string): string {
  if (typeof v !== 'string' || !NAME.test(v) || v.length > 253) throw new TypeError(`${what} ${JSON.stringify(v)} is not a Kubernetes object name (lowercase letters, digits, '-' and '.')`);
  return v;
}

/** `{ app: 'eapi' }` → `app=eapi`; a string is used as written. */
export function selectorText(s: unknown): string {
  if (typeof s === 'string') return s;
  if (typeof s === 'object' && s !== null && !Array.isArray(s)) {
    return Object.entries(s).map(([k, v]) => {
      if (typeof v !== 'string') throw new TypeError(`label ${k} must be a string`);
      return `${k}=${v}`;
    }).join(',');
  }
  throw new TypeError('a label selector is a string ("app=eapi") or an object ({ app: "eapi" })');
}

let yamlModule: typeof import('yaml') | undefined;
/** yaml is loaded only when a manifest comes as YAML text (it costs start-up otherwise). */
function yaml(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}

/**
 * Manifests as objects: YAML text (one or more documents) is parsed, arrays flattened, each checked
 * for a kind `k8s.apply` knows and a name. Throws a TypeError naming the manifest and the problem.
 */
export function normaliseManifests(input: unknown): K8sManifest[] {
  let items: unknown[];
  if (typeof input === 'string') {
    const docs = yaml().parseAllDocuments(input);
    items = [];
    for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      if (d.errors.length > 0) throw new TypeError(`YAML document #${i + 1}: ${d.errors[0]?.message ?? 'does not parse'}`);
      const v: unknown = d.toJS();
      if (v !== null && v !== undefined) items.push(v);
    }
  } else {
    items = Array.isArray(input) ? [...(input as unknown[])] : [input];
  }
  if (items.length === 0) throw new TypeError('no manifest to apply');
  return items.map((m, i) => {
    const where = `manifest #${i + 1}`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new TypeError(`${where} is not an object`);
    const o = m as Record<string, unknown>;
    const key = `${String(o['apiVersion'])}/${String(o['kind'])}`;
    if (!(key in K8S_APPLY_KINDS)) {
      throw new TypeError(`${where}: ${String(o['kind'])} (${String(o['apiVersion'])}) is not one k8s.apply knows; it applies ${Object.keys(K8S_APPLY_KINDS).map((k) => k.split('/').pop()).filter((k, j, a) => a.indexOf(k) === j).join(', ')} (apps/v1, v1, autoscaling/v2 or v1)`);
    }
    const meta = o['metadata'] as Record<string, unknown> | undefined;
    checkK8sName(meta?.['name'], `${where} (${String(o['kind'])}): metadata.name`);
    if (meta?.['namespace'] !== undefined) checkK8sName(meta['namespace'], `${where}: metadata.namespace`);
    return m as K8sManifest;
  });
}

function value(v: unknown, where: string, check: (v: unknown) => unknown): LazyValue {
  if (typeof v === 'function') return lazy(v);
  try {
    check(v);
  } catch (e) {
    throw new RunbookDefinitionError(`${where}: ${(e as Error).message}.`);
  }
  return lazy(v);
}

function target(t: unknown, where: string): LazyValue {
  return value(t, `${where}: the cluster target`, checkK8sTarget);
}

function name(n: unknown, where: string, what = 'the deployment name'): LazyValue {
  return value(n, where, (v) => checkK8sName(v, what));
}

function replicas(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`replicas must be a whole number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

function command(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((w) => typeof w === 'string')) throw new TypeError('the command is an array of strings, e.g. ["sh", "-c", "redis-cli ping"]');
  return v as string[];
}

function node(n: K8sNode): K8sNode {
  return Object.freeze(n);
}

export interface K8sRolloutOptions {
  /** How long to wait for the rollout (default 5m). */
  readonly timeout?: Duration;
  /** How often to read the deployment (default 2s). */
  readonly interval?: Duration;
}

export const k8s = {
  /** A cluster target, checked now: `k8s.cluster({ context: 'prod-eu', namespace: 'payments' })`. */
  cluster(t: K8sTarget): K8sTarget {
    try {
      return Object.freeze({ ...checkK8sTarget(t) });
    } catch (e) {
      throw new RunbookDefinitionError(`k8s.cluster: ${(e as Error).message}.`);
    }
  },
  /** A deployment's status: replicas, ready, updated, available, conditions, generation vs observedGeneration. Read-only. */
  deployment: <C>(t: L<K8sTarget, C>, n: L<string, C>): Action<K8sDeploymentResult, C> =>
    makeAction(node({ type: 'k8s', op: 'deployment', readOnly: true, target: target(t, 'k8s.deployment'), name: name(n, 'k8s.deployment') })),
  /** The deployments of the namespace (optionally by label selector), each with its status. Read-only. */
  deployments: <C>(t: L<K8sTarget, C>, selector?: L<K8sSelector, C>): Action<K8sDeploymentsResult, C> =>
    makeAction(node({ type: 'k8s', op: 'deployments', readOnly: true, target: target(t, 'k8s.deployments'), selector: selector === undefined ? undefined : value(selector, 'k8s.deployments selector', selectorText) })),
  /**
   * Waits until the deployment is rolled out, by kubectl's rule: the controller has seen the latest spec
   * (observedGeneration ≥ generation), every replica is updated, no old replica is left, every updated one is
   * available; a rollout past its progress deadline fails at once. Polls (bounded by `timeout`). Read-only.
   */
  waitForRollout: <C>(t: L<K8sTarget, C>, n: L<string, C>, o: K8sRolloutOptions = {}): Action<K8sRolloutResult, C> =>
    makeAction(node({
      type: 'k8s', op: 'wait-for-rollout', readOnly: true, target: target(t, 'k8s.waitForRollout'), name: name(n, 'k8s.waitForRollout'),
      timeoutMs: parseDuration(o.timeout ?? '5m', 'k8s.waitForRollout timeout'),
      intervalMs: Math.max(10, parseDuration(o.interval ?? '2s', 'k8s.waitForRollout interval')),
    })),
  /** Sets the replica count: PATCH of the deployment's scale subresource (merge-patch), as `kubectl scale`. */
  scale: <C>(t: L<K8sTarget, C>, n: L<string, C>, r: L<number, C>): Action<K8sScaleResult, C> =>
    makeAction(node({ type: 'k8s', op: 'scale', readOnly: false, target: target(t, 'k8s.scale'), name: name(n, 'k8s.scale'), replicas: value(r, 'k8s.scale', replicas) })),
  /** Restarts every pod, as `kubectl rollout restart`: the pod template's `kubectl.kubernetes.io/restartedAt` annotation set to now. */
  rolloutRestart: <C>(t: L<K8sTarget, C>, n: L<string, C>): Action<K8sRestartResult, C> =>
    makeAction(node({ type: 'k8s', op: 'rollout-restart', readOnly: false, target: target(t, 'k8s.rolloutRestart'), name: name(n, 'k8s.rolloutRestart') })),
  /** Pods matching a label selector, each with phase, readiness, restarts and node. Read-only. */
  pods: <C>(t: L<K8sTarget, C>, selector: L<K8sSelector, C>): Action<K8sPodsResult, C> =>
    makeAction(node({ type: 'k8s', op: 'pods', readOnly: true, target: target(t, 'k8s.pods'), selector: value(selector, 'k8s.pods selector', selectorText) })),
  /** Runs a command in a container (the API's exec over a websocket); stdout, stderr and the exit code come back. */
  exec: <C>(t: L<K8sTarget, C>, pod: L<string, C>, container: L<string, C>, cmd: L<readonly string[], C>): Action<K8sExecResult, C> =>
    makeAction(node({
      type: 'k8s', op: 'exec', readOnly: false, target: target(t, 'k8s.exec'), pod: name(pod, 'k8s.exec', 'the pod name'),
      container: value(container, 'k8s.exec', (v) => checkK8sName(v, 'the container name')), command: value(cmd, 'k8s.exec', command),
    })),
  /**
   * Server-side apply (PATCH `application/apply-patch+yaml`, `fieldManager=runbook`) of Deployments, Services,
   * ConfigMaps, Secrets (their values are never shown) and HorizontalPodAutoscalers, given as objects or YAML text.
   * A field another manager owns is a conflict (409) unless `force: true`.
   */
  apply: <C>(t: L<K8sTarget, C>, manifests: L<K8sManifest | readonly K8sManifest[] | string, C>, o: { readonly force?: boolean } = {}): Action<K8sApplyResult, C> =>
    makeAction(node({ type: 'k8s', op: 'apply', readOnly: false, target: target(t, 'k8s.apply'), manifests: value(manifests, 'k8s.apply', normaliseManifests), force: o.force === true })),
};
