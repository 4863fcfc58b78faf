/**
 * How a k8s action reads in a dry-run: what it does, then the exact API call(s) and the cluster. Values
 * not known before the run (outputs of earlier steps, the context's own namespace) are placeholders.
 * Pure: reads no kubeconfig, imports nothing that can connect.
 */
import type { K8sNode, RuntimeCtx } from '../../../dsl/nodes.js';
import { checkK8sTarget, normaliseManifests, selectorText, type K8sTarget } from '../../../dsl/actions/k8s.js';
import { resolve } from '../../engine/context.js';
import { isPlaceholder } from '../../engine/placeholder.js';
import { shellQuote } from '../../shell-quote.js';
import * as calls from './calls.js';

/** `[context prod-eu]`, `[current context, kubeconfig /etc/k.yaml]`. */
export function whereText(context: string | undefined, kubeconfig: string | undefined): string {
  return `[${context === undefined ? 'current context' : `context ${context}`}${kubeconfig === undefined ? '' : `, kubeconfig ${kubeconfig}`}]`;
}

function targetOf(node: K8sNode, c: RuntimeCtx): { ns: string; where: string } {
  const t = resolve(node.target, c, 'k8s cluster target');
  if (isPlaceholder(t)) return { ns: `<namespace of ${String(t)}>`, where: `[${String(t)}]` };
  const target: K8sTarget = checkK8sTarget(t);
  const field = (v: string | undefined): string | undefined => (v === undefined || isPlaceholder(v) ? (v === undefined ? undefined : String(v)) : v);
  return {
    ns: field(target.namespace) ?? "<the context's namespace>",
    where: whereText(field(target.context), field(target.kubeconfig)),
  };
}

function text(v: unknown): string {
  return String(v);
}

export function renderK8s(node: K8sNode, c: RuntimeCtx): string {
  const { ns, where } = targetOf(node, c);
  const ro = node.readOnly ? ' (read-only)' : '';
  switch (node.op) {
    case 'deployment': {
      const name = text(resolve(node.name, c, 'k8s deployment name'));
      return `k8s deployment ${name}${ro}: ${calls.callText(calls.readDeployment(ns, name), where)}`;
    }
    case 'deployments': {
      const sel = node.selector === undefined ? undefined : selector(resolve(node.selector, c, 'k8s selector'));
      return `k8s deployments${sel ? ` ${sel}` : ''}${ro}: ${calls.callText(calls.listDeployments(ns, sel), where)}`;
    }
    case 'wait-for-rollout': {
      const name = text(resolve(node.name, c, 'k8s deployment name'));
      return `k8s wait for the rollout of ${name} (up to ${seconds(node.timeoutMs)}, every ${seconds(node.intervalMs)})${ro}: ${calls.callText(calls.readDeployment(ns, name), where)}, repeated`;
    }
    case 'scale': {
      const name = text(resolve(node.name, c, 'k8s deployment name'));
      const replicas = resolve(node.replicas, c, 'k8s replicas');
      return `k8s scale ${name} to ${text(replicas)}: ${calls.callText(calls.scaleDeployment(ns, name, isPlaceholder(replicas) ? text(replicas) : replicas), where)}`;
    }
    case 'rollout-restart': {
      const name = text(resolve(node.name, c, 'k8s deployment name'));
      return `k8s rollout restart ${name}: ${calls.callText(calls.restartDeployment(ns, name, '<now, RFC 3339>'), where)}`;
    }
    case 'pods': {
      const sel = selector(resolve(node.selector, c, 'k8s selector'));
      return `k8s pods ${sel}${ro}: ${calls.callText(calls.listPods(ns, sel), where)}`;
    }
    case 'exec': {
      const pod = text(resolve(node.pod, c, 'k8s pod'));
      const container = text(resolve(node.container, c, 'k8s container'));
      const cmd = resolve(node.command, c, 'k8s exec command');
      const words = isPlaceholder(cmd) ? [text(cmd)] : (cmd as readonly unknown[]).map(text);
      return `k8s exec in ${pod}/${container}: ${words.map((w) => (w.startsWith('<') ? w : shellQuote(w))).join(' ')}: ${calls.callText(calls.execPod(ns, pod, container, words), where)}`;
    }
    case 'apply': {
      const input = resolve(node.manifests, c, 'k8s manifests');
      if (isPlaceholder(input)) return `k8s apply ${text(input)} (server-side, fieldManager=${calls.FIELD_MANAGER}${node.force ? ', force' : ''}) ${where}`;
      const manifests = normaliseManifests(input);
      const lines = manifests.map((m) => `  ${m.kind} ${m.metadata.name}: ${calls.callText(calls.applyManifest(m.metadata.namespace ?? ns, m, node.force), where)}`);
      return [`k8s apply ${manifests.length} object${manifests.length === 1 ? '' : 's'} (server-side, fieldManager=${calls.FIELD_MANAGER}${node.force ? ', force' : ''}):`, ...lines].join('\n');
    }
  }
}

function selector(v: unknown): string {
  return isPlaceholder(v) ? String(v) : selectorText(v);
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
