/**
 * The Kubernetes client, per cluster target per run: the kubeconfig is read on first use (never in a
 * dry-run), the API clients made once and kept in the run's resources. @kubernetes/client-node itself
 * (~0.5 s to load) is imported only when a k8s action runs.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as K8s from '@kubernetes/client-node';
import type { K8sTarget } from '../../../dsl/actions/k8s.js';
import type { ActionEnv } from '../../modes/types.js';
import { CONTENT_TYPE, type PatchType } from './calls.js';

export type K8sLib = typeof K8s;

export interface K8sClients {
  readonly lib: K8sLib;
  readonly kc: K8s.KubeConfig;
  /** The context in use. */
  readonly context: string;
  /** The target's namespace, else the context's, else `default`. */
  readonly namespace: string;
  readonly apps: K8s.AppsV1Api;
  readonly core: K8s.CoreV1Api;
  readonly autoscalingV1: K8s.AutoscalingV1Api;
  readonly autoscalingV2: K8s.AutoscalingV2Api;
}

/** A kubeconfig that cannot be used: no file, bad YAML, unknown context. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
  readonly code = 'EKUBECONFIG';
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export async function k8sClients(env: ActionEnv, t: K8sTarget): Promise<K8sClients> {
  const key = `k8s:${t.kubeconfig ?? '(default kubeconfig)'}:${t.context ?? '(current context)'}`;
  const base = await env.resources.get(key, () => open(t), () => undefined);
  const namespace = t.namespace ?? base.namespace;
  return namespace === base.namespace ? base : { ...base, namespace };
}

async function open(t: K8sTarget): Promise<K8sClients> {
  const lib = await import('@kubernetes/client-node');
  const kc = new lib.KubeConfig();
  try {
    if (t.kubeconfig !== undefined) kc.loadFromFile(t.kubeconfig);
    else if (process.env['KUBECONFIG'] || existsSync(join(homedir(), '.kube', 'config')) || existsSync(SERVICE_ACCOUNT_TOKEN)) kc.loadFromDefault();
    // client-node would fall back to http://localhost:8080: refuse rather than talk to whatever listens there.
    else throw new Error('no kubeconfig: set KUBECONFIG, create ~/.kube/config, or give the target a kubeconfig path');
  } catch (e) {
    throw new KubeconfigError(`kubeconfig ${t.kubeconfig ?? process.env['KUBECONFIG'] ?? '~/.kube/config'}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (t.context !== undefined) {
    if (kc.getContextObject(t.context) === null || kc.getContextObject(t.context) === undefined) {
      throw new KubeconfigError(`context "${t.context}" is not in the kubeconfig (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(t.context);
  }
  const context = kc.getCurrentContext();
  if (!kc.getCurrentCluster()) throw new KubeconfigError(`context "${context}" names no cluster in the kubeconfig`);
  return {
    lib, kc, context,
    namespace: kc.getContextObject(context)?.namespace ?? 'default',
    apps: kc.makeApiClient(lib.AppsV1Api),
    core: kc.makeApiClient(lib.CoreV1Api),
    autoscalingV1: kc.makeApiClient(lib.AutoscalingV1Api),
    autoscalingV2: kc.makeApiClient(lib.AutoscalingV2Api),
  };
}

/** A request's limits: aborted by the run's signal or its timeout; the patch's content type set. */
export function requestOptions(lib: K8sLib, signal: AbortSignal, patch?: PatchType): K8s.ConfigurationOptions {
  const middleware: K8s.ObservableMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(signal);
      if (patch !== undefined) ctx.setHeaderParam('Content-Type', CONTENT_TYPE[patch]);
      return new lib.Observable(Promise.resolve(ctx));
    },
    post: (res) => new lib.Observable(Promise.resolve(res)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
