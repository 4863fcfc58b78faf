/** Deployment and pod status as plain data, and kubectl's rollout verdict. */
import type { K8sDeploymentStatus, K8sPod } from '../../../dsl/results.js';

type N = number | undefined;
type S = string | undefined;
interface DeploymentLike {
  metadata?: { name?: S; namespace?: S; generation?: N } | undefined;
  spec?: { replicas?: N } | undefined;
  status?: {
    observedGeneration?: N; replicas?: N; readyReplicas?: N; updatedReplicas?: N; availableReplicas?: N; unavailableReplicas?: N;
    conditions?: { type?: S; status?: S; reason?: S; message?: S }[] | undefined;
  } | undefined;
}

/**
 * kubectl rollout status (DeploymentStatusViewer): done when the controller has observed the latest
 * generation, every wanted replica is updated, no old replica is left, and every updated one is available;
 * a Progressing condition with reason ProgressDeadlineExceeded is a failure.
 */
export function rolloutVerdict(d: DeploymentLike): { done: boolean; failed: boolean; message: string } {
  const name = d.metadata?.name ?? '?';
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0)) {
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
    const updated = s.updatedReplicas ?? 0;
    const replicas = s.replicas ?? 0;
    const available = s.availableReplicas ?? 0;
    if (d.spec?.replicas !== undefined && updated < d.spec.replicas) {
      return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${d.spec.replicas} new replicas have been updated...` };
    }
    if (replicas > updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...` };
    if (available < updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
    return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
  }
  return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
}

export function deploymentStatus(d: DeploymentLike): K8sDeploymentStatus {
  const s = d.status ?? {};
  const v = rolloutVerdict(d);
  return {
    name: d.metadata?.name ?? '',
    namespace: d.metadata?.namespace ?? '',
    generation: d.metadata?.generation ?? null,
    observedGeneration: s.observedGeneration ?? null,
    replicas: d.spec?.replicas ?? 1,
    currentReplicas: s.replicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    unavailableReplicas: s.unavailableReplicas ?? 0,
    conditions: (s.conditions ?? []).map((c) => ({ type: c.type ?? '', status: c.status ?? '', reason: c.reason ?? null, message: c.message ?? null })),
    rolledOut: v.done,
    rollout: v.message,
  };
}

/** One line, like `kubectl get deploy` plus the rollout verdict. */
export function deploymentLine(d: K8sDeploymentStatus): string {
  return `${d.name}: ${d.readyReplicas}/${d.replicas} ready, ${d.updatedReplicas} up-to-date, ${d.availableReplicas} available; generation ${d.generation ?? '?'} (observed ${d.observedGeneration ?? '?'}); ${d.rollout}`;
}

interface PodLike {
  metadata?: { name?: string };
  spec?: { nodeName?: string; containers?: unknown[] };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[]; containerStatuses?: { ready?: boolean; restartCount?: number }[] };
}

export function podSummary(p: PodLike): K8sPod {
  const cs = p.status?.containerStatuses ?? [];
  return {
    name: p.metadata?.name ?? '',
    phase: p.status?.phase ?? 'Unknown',
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    readyContainers: cs.filter((c) => c.ready === true).length,
    containers: p.spec?.containers?.length ?? cs.length,
    restarts: cs.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    node: p.spec?.nodeName ?? null,
  };
}

export function podLine(p: K8sPod): string {
  return `${p.name}  ${p.phase}  ${p.ready ? 'ready' : 'not ready'} ${p.readyContainers}/${p.containers}  restarts ${p.restarts}  node ${p.node ?? '-'}`;
}
