import { checkK8sName, checkK8sTarget, normaliseManifests, selectorText, type K8sManifest } from '../../../dsl/actions/k8s.js';
import type { K8sNode, LazyValue } from '../../../dsl/nodes.js';
import type {
  K8sAppliedObject, K8sApplyResult, K8sCallResult, K8sDeploymentResult, K8sDeploymentsResult, K8sError, K8sExecResult, K8sPodsResult,
  K8sRestartResult, K8sRolloutResult, K8sScaleResult,
} from '../../../dsl/results.js';
import { resolve } from '../../engine/context.js';
import { sleep } from '../../engine/sleep.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import * as calls from './calls.js';
import { k8sClients, requestOptions, type K8sClients } from './client.js';
import { whereText } from './describe.js';
import { k8sError } from './errors.js';
import { execInPod } from './exec.js';
import { deploymentLine, deploymentStatus, podLine, podSummary } from './status.js';

const REQUEST_TIMEOUT_MS = 30_000;
const EXEC_TIMEOUT_MS = 60_000;

type Op<O extends K8sNode['op']> = Extract<K8sNode, { op: O }>;
type Handler<O extends K8sNode['op']> = (node: Op<O>, k: K8sClients, env: ActionEnv) => Promise<ActionOutcome>;

/** Every k8s op, one handler each. */
const handlers: { [O in K8sNode['op']]: Handler<O> } = {
  deployment: readOne,
  deployments: readMany,
  'wait-for-rollout': waitForRollout,
  scale,
  'rollout-restart': restart,
  pods,
  exec,
  apply,
};

export async function runK8s(node: K8sNode, env: ActionEnv): Promise<ActionOutcome> {
  const target = checkK8sTarget(resolve(node.target, env.ctx, 'k8s cluster target'));
  let k: K8sClients;
  try {
    k = await k8sClients(env, target);
  } catch (e) {
    const error: K8sError = { code: (e as { code?: string }).code ?? 'EKUBECONFIG', status: null, message: e instanceof Error ? e.message : String(e) };
    const result: K8sCallResult = { ok: false, context: target.context ?? '', namespace: target.namespace ?? '', call: '', durationMs: 0, error };
    return { ok: false, result, text: '', error: `k8s ${whereText(target.context, target.kubeconfig)}: ${error.message}` };
  }
  return (handlers[node.op] as Handler<K8sNode['op']>)(node, k, env);
}

/** One API call with its limits; failures come back as data. */
async function call<T>(k: K8sClients, env: ActionEnv, c: calls.K8sCall, send: (opts: ReturnType<typeof requestOptions>) => Promise<T>): Promise<{ value?: T; error?: K8sError; durationMs: number }> {
  const timeoutMs = Math.min(env.timeoutMs ?? REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
  const timeout = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  try {
    const value = await send(requestOptions(k.lib, AbortSignal.any([env.signal, timeout]), c.patch));
    return { value, durationMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { error: k8sError(e, { timedOut: timeout.aborted, aborted: env.signal.aborted }), durationMs: Math.round(performance.now() - started) };
  }
}

function base(k: K8sClients, c: calls.K8sCall, r: { error?: K8sError; durationMs: number }): K8sCallResult {
  return { ok: r.error === undefined, context: k.context, namespace: k.namespace, call: calls.callLine(c), durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) };
}

function where(k: K8sClients): string {
  return `[context ${k.context}]`;
}

function failed(k: K8sClients, c: calls.K8sCall, e: K8sError): string {
  return `${calls.callLine(c)} ${where(k)}: ${e.status ?? e.code} ${e.status === null ? '' : `${e.code}: `}${e.message}`.replace(/\s+/g, ' ').trim();
}

function outcome<R extends K8sCallResult>(k: K8sClients, c: calls.K8sCall, result: R, text: string, env: ActionEnv, extra: { ok?: boolean; error?: string; timedOut?: boolean } = {}): ActionOutcome {
  if (text !== '') env.onOutput('stdout', `${text}\n`);
  const ok = extra.ok ?? result.ok;
  const error = extra.error ?? (result.error ? failed(k, c, result.error) : undefined);
  return { ok, result, text, ...(error === undefined || ok ? {} : { error }), ...(extra.timedOut ? { timedOut: true } : {}) };
}

function name(node: { readonly name: LazyValue }, env: ActionEnv): string {
  return checkK8sName(resolve(node.name, env.ctx, 'k8s deployment name'), 'the deployment name');
}

async function readOne(node: Op<'deployment'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const n = name(node, env);
  const c = calls.readDeployment(k.namespace, n);
  const r = await call(k, env, c, (o) => k.apps.readNamespacedDeployment({ name: n, namespace: k.namespace }, o));
  const deployment = r.value ? deploymentStatus(r.value) : null;
  const result: K8sDeploymentResult = { ...base(k, c, r), deployment };
  return outcome(k, c, result, deployment ? deploymentLine(deployment) : '', env);
}

async function readMany(node: Op<'deployments'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const sel = node.selector === undefined ? undefined : selectorText(resolve(node.selector, env.ctx, 'k8s selector'));
  const c = calls.listDeployments(k.namespace, sel);
  const r = await call(k, env, c, (o) => k.apps.listNamespacedDeployment({ namespace: k.namespace, ...(sel ? { labelSelector: sel } : {}) }, o));
  const deployments = (r.value?.items ?? []).map(deploymentStatus);
  const result: K8sDeploymentsResult = { ...base(k, c, r), deployments };
  return outcome(k, c, result, deployments.map(deploymentLine).join('\n'), env);
}

async function waitForRollout(node: Op<'wait-for-rollout'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const n = name(node, env);
  const c = calls.readDeployment(k.namespace, n);
  const limitMs = Math.min(node.timeoutMs, env.timeoutMs ?? Number.POSITIVE_INFINITY);
  const started = performance.now();
  let said = '';
  for (let polls = 1; ; polls++) {
    const r = await call(k, env, c, (o) => k.apps.readNamespacedDeployment({ name: n, namespace: k.namespace }, o));
    const took = { ...r, durationMs: Math.round(performance.now() - started) };
    if (!r.value) {
      const result: K8sRolloutResult = { ...base(k, c, took), deployment: null, polls, timedOut: false };
      return outcome(k, c, result, '', env);
    }
    const d = deploymentStatus(r.value);
    if (d.rollout !== said) {
      said = d.rollout;
      if (!d.rolledOut) env.onOutput('stdout', `${d.rollout}\n`);
    }
    const failedRollout = d.conditions.some((x) => x.type === 'Progressing' && x.reason === 'ProgressDeadlineExceeded') && !d.rolledOut && (d.generation ?? 0) <= (d.observedGeneration ?? 0);
    const elapsed = performance.now() - started;
    const outOfTime = elapsed + node.intervalMs > limitMs;
    if (d.rolledOut || failedRollout || outOfTime || env.signal.aborted) {
      const timedOut = !d.rolledOut && !failedRollout && outOfTime;
      const error: K8sError | undefined = d.rolledOut
        ? undefined
        : failedRollout
          ? { code: 'ProgressDeadlineExceeded', status: null, message: d.rollout }
          : env.signal.aborted
            ? { code: 'EABORTED', status: null, message: 'interrupted' }
            : { code: 'ETIMEDOUT', status: null, message: `not rolled out after ${Math.round(elapsed)} ms (${polls} polls): ${d.rollout}` };
      const result: K8sRolloutResult = { ...base(k, c, { durationMs: took.durationMs, ...(error ? { error } : {}) }), deployment: d, polls, timedOut };
      return outcome(k, c, result, d.rolledOut ? d.rollout : '', env, { ...(error ? { error: `deployment ${n} ${where(k)}: ${error.message}` } : {}), timedOut });
    }
    await sleep(node.intervalMs, env.signal);
  }
}

async function scale(node: Op<'scale'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const n = name(node, env);
  const replicas = resolve(node.replicas, env.ctx, 'k8s replicas');
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new TypeError(`k8s.scale: replicas must be a whole number ≥ 0, got ${JSON.stringify(replicas)}`);
  const c = calls.scaleDeployment(k.namespace, n, replicas);
  const r = await call(k, env, c, (o) => k.apps.patchNamespacedDeploymentScale({ name: n, namespace: k.namespace, body: c.body }, o));
  const result: K8sScaleResult = { ...base(k, c, r), name: n, replicas: r.value?.spec?.replicas ?? null };
  return outcome(k, c, result, r.value ? `deployment.apps/${n} scaled to ${result.replicas ?? replicas}` : '', env);
}

async function restart(node: Op<'rollout-restart'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const n = name(node, env);
  const at = calls.rfc3339(new Date(env.progress.now()));
  const c = calls.restartDeployment(k.namespace, n, at);
  const r = await call(k, env, c, (o) => k.apps.patchNamespacedDeployment({ name: n, namespace: k.namespace, body: c.body }, o));
  const result: K8sRestartResult = { ...base(k, c, r), name: n, restartedAt: at, generation: r.value?.metadata?.generation ?? null };
  return outcome(k, c, result, r.value ? `deployment.apps/${n} restarted` : '', env);
}

async function pods(node: Op<'pods'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const sel = selectorText(resolve(node.selector, env.ctx, 'k8s selector'));
  const c = calls.listPods(k.namespace, sel);
  const r = await call(k, env, c, (o) => k.core.listNamespacedPod({ namespace: k.namespace, ...(sel ? { labelSelector: sel } : {}) }, o));
  const list = (r.value?.items ?? []).map(podSummary);
  const result: K8sPodsResult = { ...base(k, c, r), selector: sel, pods: list, ready: list.filter((p) => p.ready).length, total: list.length };
  return outcome(k, c, result, list.map(podLine).join('\n'), env);
}

async function exec(node: Op<'exec'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const pod = checkK8sName(resolve(node.pod, env.ctx, 'k8s pod'), 'the pod name');
  const container = checkK8sName(resolve(node.container, env.ctx, 'k8s container'), 'the container name');
  const command = resolve(node.command, env.ctx, 'k8s exec command');
  if (!Array.isArray(command) || command.length === 0 || !command.every((w) => typeof w === 'string')) throw new TypeError('k8s.exec: the command is an array of strings');
  const c = calls.execPod(k.namespace, pod, container, command as string[]);
  const started = performance.now();
  const o = await execInPod(k, k.namespace, pod, container, command as string[], env.timeoutMs ?? EXEC_TIMEOUT_MS, env.signal, env.onOutput);
  const ok = o.error === undefined && o.exitCode === 0;
  const result: K8sExecResult = {
    ...base(k, c, { durationMs: Math.round(performance.now() - started), ...(o.error ? { error: o.error } : {}) }),
    ok, pod, container, command: command as string[], stdout: o.stdout, stderr: o.stderr, exitCode: o.exitCode, timedOut: o.timedOut,
  };
  const error = o.error ? failed(k, c, o.error) : ok ? undefined : `command exited with code ${o.exitCode} in ${pod}/${container}${o.stderr.trim() ? `: ${o.stderr.trim().split('\n').pop() ?? ''}` : ''}`;
  // the output was streamed as it came
  return { ok, result, text: o.stdout, ...(error === undefined ? {} : { error }), ...(o.timedOut ? { timedOut: true } : {}) };
}

async function apply(node: Op<'apply'>, k: K8sClients, env: ActionEnv): Promise<ActionOutcome> {
  const manifests = normaliseManifests(resolve(node.manifests, env.ctx, 'k8s manifests'));
  const objects: K8sAppliedObject[] = [];
  const lines: string[] = [];
  const started = performance.now();
  let firstError: { c: calls.K8sCall; e: K8sError } | undefined;
  for (const m of manifests) {
    const ns = m.metadata.namespace ?? k.namespace;
    const c = calls.applyManifest(ns, m, node.force);
    const r = await call(k, env, c, (o) => send(k, m, ns, node.force, o));
    const meta = (r.value as { metadata?: { resourceVersion?: string; generation?: number } } | undefined)?.metadata;
    objects.push({
      kind: m.kind, name: m.metadata.name, namespace: ns, ok: r.error === undefined, call: calls.callLine(c),
      resourceVersion: meta?.resourceVersion ?? null, generation: meta?.generation ?? null, ...(r.error ? { error: r.error } : {}),
    });
    const ref = `${m.kind.toLowerCase()}${m.apiVersion.includes('/') ? `.${m.apiVersion.split('/')[0]}` : ''}/${m.metadata.name}`;
    lines.push(r.error ? `${ref} failed: ${r.error.status ?? ''} ${r.error.code}: ${r.error.message}`.replace(/\s+/g, ' ') : `${ref} serverside-applied`);
    if (r.error && !firstError) firstError = { c, e: r.error };
  }
  const first = manifests[0];
  const c0 = first ? calls.applyManifest(first.metadata.namespace ?? k.namespace, first, node.force) : calls.listPods(k.namespace, '');
  const result: K8sApplyResult = {
    ...base(k, firstError?.c ?? c0, { durationMs: Math.round(performance.now() - started), ...(firstError ? { error: firstError.e } : {}) }),
    objects,
  };
  return outcome(k, firstError?.c ?? c0, result, lines.join('\n'), env);
}

/** The typed client call for a manifest's kind (the path it builds is calls.applyManifest's). */
function send(k: K8sClients, m: K8sManifest, namespace: string, force: boolean, options: ReturnType<typeof requestOptions>): Promise<unknown> {
  const p = { name: m.metadata.name, namespace, body: m, fieldManager: calls.FIELD_MANAGER, ...(force ? { force: true } : {}) };
  switch (`${m.apiVersion}/${m.kind}`) {
    case 'apps/v1/Deployment':
      return k.apps.patchNamespacedDeployment(p, options);
    case 'v1/Service':
      return k.core.patchNamespacedService(p, options);
    case 'v1/ConfigMap':
      return k.core.patchNamespacedConfigMap(p, options);
    case 'v1/Secret':
      return k.core.patchNamespacedSecret(p, options);
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      return k.autoscalingV2.patchNamespacedHorizontalPodAutoscaler(p, options);
    case 'autoscaling/v1/HorizontalPodAutoscaler':
      return k.autoscalingV1.patchNamespacedHorizontalPodAutoscaler(p, options);
    default:
      throw new TypeError(`${m.kind} (${m.apiVersion}) cannot be applied`);
  }
}
