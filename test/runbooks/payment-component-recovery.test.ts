// runbooks/payment-component-recovery.ts as written: lint clean, the dry-run shows the DR plan's commands as exact
// API calls, and each tabletop scenario takes its path (restart only; restart → scale 0 → 3 → re-apply; deleted
// deployment → straight to re-apply), asserted from the journal with the simulated RTO. The live runs are in
// payment-component-recovery.live.test.ts (against the fake Kubernetes API server).
import { describe, expect, it } from 'vitest';
import { dryRun, each, expectLintClean, expectPlanShape, finished, runFinished, simulate, statuses, useTempDir } from '../helpers/runbooks.js';
import recovery from '../../runbooks/payment-component-recovery.js';

const ID = 'payment-component-recovery';
const RESTART = ['restart-needed', 'rollout-restart', 'restart-rolled-out'];
const SCALE = ['scale-to-zero-ok', 'scale-down', 'scaled-down', 'scale-up', 'scale-rolled-out'];
const REAPPLY = ['read-backup-manifest', 'reapply-ok', 'reapply', 'reapply-rolled-out'];
const VERIFY = ['pods-ready', 'health', 'recovered'];

const tmp = useTempDir('runbook-payment-');

describe('payment-component-recovery: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('RTO 4 hours (the plan\'s RTO for Payment-EAPI/SAPI); each fallback is conditional and gated; every step has an estimate', () => {
    const plan = recovery.toPlan();
    expect(plan.rtoMs).toBe(4 * 3_600_000);
    const ids = plan.steps.map((s) => s.id);
    expect(ids).toEqual(['announce', 'deployment-status', 'pods', 'logs', ...RESTART, ...SCALE, ...REAPPLY, ...VERIFY]);
    for (const id of [...RESTART, ...SCALE, ...REAPPLY]) expect(plan.steps.find((s) => s.id === id)?.options.when, `${id} is conditional`).toBeTypeOf('function');
    expect(ids.indexOf('scale-to-zero-ok')).toBeLessThan(ids.indexOf('scale-down'));
    expect(ids.indexOf('read-backup-manifest')).toBeLessThan(ids.indexOf('reapply-ok'));
    expect(ids.indexOf('reapply-ok')).toBeLessThan(ids.indexOf('reapply'));
    expectPlanShape(plan, { questions: true });
  });

  it('dry-run shows the document\'s commands as the exact Kubernetes API calls, for eapi by default and sapi by param', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('GET /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi [context prod-eu]');
    expect(out).toContain('GET /api/v1/namespaces/payment-system/pods?labelSelector=app%3Dpayment-eapi [context prod-eu]');
    expect(out).toContain('sh: kubectl logs --context prod-eu -n payment-system -l app=payment-eapi --all-containers --prefix --tail=200');
    expect(out).toContain('PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi (strategic-merge-patch) {"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"<now, RFC 3339>"}}}}}');
    expect(out).toContain('k8s scale payment-eapi to 0: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi/scale (merge-patch) {"spec":{"replicas":0}}');
    expect(out).toContain('k8s scale payment-eapi to 3: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi/scale (merge-patch) {"spec":{"replicas":3}}');
    expect(out).toContain('sh: cat /backups/kubernetes/payment-eapi-deployment.yaml');
    expect(out).toContain('k8s apply <steps.read-backup-manifest.stdout> (server-side, fieldManager=runbook, force)');
    expect(out).toContain('GET https://api.payments.example/api/health (expect $.status = "UP")');
    expect(out).toContain('nothing was run');

    const sapi = await dryRun(ID, tmp.dir, ['-p', 'component=sapi', '-p', 'kubeContext=prod-us']);
    expect(sapi.code).toBe(0);
    expect(sapi.stdout).toContain('k8s rollout restart payment-sapi: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-sapi (strategic-merge-patch)');
    expect(sapi.stdout).toContain('sh: cat /backups/kubernetes/payment-sapi-deployment.yaml');
    expect(sapi.stdout).toContain('GET https://api.payments.example/api/internal-health (expect $.status = "UP")');
    expect(sapi.stdout).toContain('[context prod-us]');
    expect(sapi.stdout).not.toContain('payment-eapi');
  });

  it('a component other than eapi or sapi is refused before any step (exit 2)', async () => {
    const r = await dryRun(ID, tmp.dir, ['-p', 'component=ledger']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('component');
  });
});

describe('payment-component-recovery: tabletop scenarios', () => {
  it('tabletop: the rolling restart rolls out, so scaling and re-applying are skipped; within RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toEqual({
      announce: 'ok', 'deployment-status': 'ok', pods: 'ok', logs: 'ok', ...each(RESTART, 'ok'), ...each(SCALE, 'skipped'), ...each(REAPPLY, 'skipped'), ...each(VERIFY, 'ok'),
    });
    expect(r.events.filter((e) => e.type === 'step-finished' && e.status === 'skipped').every((e) => e.reason === 'condition (when) is false')).toBe(true);
    const end = runFinished(r.events);
    expect(end).toMatchObject({ status: 'done', exitCode: 0 });
    expect(end.simDurationMs).toBe(7 * 60_000);
    expect(r.stdout).toMatch(/DONE · simulated 7m00s of RTO 4h00m \(2\.9%, within RTO\)/);
  });

  it('crash-looping: the restart does not roll out → scale 0 → 3 does not either → the backup manifest is read, confirmed, applied; within RTO', async () => {
    const r = await simulate(ID, 'crash-looping.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toEqual({
      announce: 'ok', 'deployment-status': 'ok', pods: 'ok', logs: 'ok', ...each(RESTART, 'ok'), ...each(SCALE, 'ok'), ...each(REAPPLY, 'ok'), ...each(VERIFY, 'ok'),
    });
    // the decisions people took, in order
    expect(r.events.filter((e) => e.type === 'confirm-answered').map((e) => [e.stepId, e.answer, e.by])).toEqual([
      ['restart-needed', true, 'scenario'], ['scale-to-zero-ok', true, 'scenario'], ['reapply-ok', true, 'scenario'],
    ]);
    // what sent the run down each fallback: the rollouts seen not rolled out
    const val = (id: string): { ok?: boolean } => finished(r.events, id)?.value as { ok?: boolean };
    expect(val('restart-rolled-out').ok).toBe(false);
    expect(val('scale-rolled-out').ok).toBe(false);
    // the manifest read from the backup is what gets applied
    const apply = r.events.find((e) => e.type === 'step-started' && e.stepId === 'reapply');
    expect(apply?.action?.text).toContain('Deployment payment-eapi: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi?fieldManager=runbook&force=true (apply-patch+yaml)');
    expect(apply?.action?.text).toContain('"image":"registry.example/payment-eapi:2.4.1"');
    const end = runFinished(r.events);
    expect(end).toMatchObject({ status: 'done', exitCode: 0 });
    expect(end.simDurationMs).toBe(25 * 60_000 + 35_000);
    expect(r.stdout).toMatch(/DONE · simulated 25m35s of RTO 4h00m \(10\.7%, within RTO\)/);
  });

  it('deployment deleted: 404 on the status → restart and scale skipped → re-applied from the backup after one failed read (share not mounted, retried)', async () => {
    const r = await simulate(ID, 'deployment-deleted.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toEqual({
      announce: 'ok', 'deployment-status': 'ok', pods: 'ok', logs: 'ok', ...each(RESTART, 'skipped'), ...each(SCALE, 'skipped'), ...each(REAPPLY, 'ok'), ...each(VERIFY, 'ok'),
    });
    expect(r.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([['read-backup-manifest', 'retry']]);
    expect(finished(r.events, 'read-backup-manifest')).toMatchObject({ status: 'ok', attempts: 2 });
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(r.stdout).toMatch(/DONE · simulated 6m45s of RTO 4h00m \(2\.8%, within RTO\)/);
  });
});
