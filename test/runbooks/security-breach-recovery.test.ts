// runbooks/security-breach-recovery.ts: lint clean, dry-run shows the DR plan's commands and the
// digest-pinned apply, the helpers judge image references, and each tabletop scenario takes its path
// (a failing credential rotation: retried, skipped with a reason, verification done by hand).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dryRun, expectLintClean, expectPlanShape, finished, simulate, useTempDir } from '../helpers/runbooks.js';
import breach, { digestOf, imageIds, pinnedDeployment, unpinnedImages } from '../../runbooks/security-breach-recovery.js';

const ID = 'security-breach-recovery';
const EAPI = 'registry.example.com/payments/payment-eapi@sha256:0d3f5e8a1b2c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6';
const tmp = useTempDir('runbook-breach-');

describe('security-breach-recovery: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('the DR plan\'s order: containment, rotation, clean redeploy, verification, monitoring; 4-hour RTO; evidence before any change', () => {
    const plan = breach.toPlan();
    expect(plan.rtoMs).toBe(4 * 3_600_000);
    expect([...new Set(plan.steps.map((s) => s.phase))]).toEqual(['Declare', 'Containment', 'Credential rotation', 'Clean redeploy', 'Security verification', 'Enhanced monitoring', 'Close']);
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf('preserve-cluster-evidence')).toBeLessThan(ids.indexOf('rotate-client-credentials'));
    expect(ids.indexOf('images-verified')).toBeLessThan(ids.indexOf('redeploy-eapi'));
    // the new secrets are shown on the operator's terminal only
    expect(plan.steps.filter((s) => s.options.interactive).map((s) => s.id)).toEqual(['rotate-conjur-admin-key', 'rotate-db-password']);
    expectPlanShape(plan);
  });

  it('only digest-pinned images pass, and the apply changes only the image and a per-run annotation', () => {
    expect(unpinnedImages([EAPI])).toEqual([]);
    expect(unpinnedImages(['registry.example.com/payments/payment-eapi:2.4.1', 'payment-sapi@sha256:abc'])).toHaveLength(2);
    expect(digestOf(EAPI)).toBe('sha256:0d3f5e8a1b2c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6');
    expect(imageIds(`docker-pullable://${EAPI}\n\n${EAPI}\n`)).toEqual([`docker-pullable://${EAPI}`, EAPI]);
    expect(pinnedDeployment('payment-system', 'payment-eapi', EAPI, 'run-1')).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payment-eapi', namespace: 'payment-system' },
      spec: { template: { metadata: { annotations: { 'runbook/breach-redeploy-run': 'run-1' } }, spec: { containers: [{ name: 'payment-eapi', image: EAPI }] } } },
    });
  });

  it('dry-run shows the DR plan\'s commands and the digest-pinned server-side apply', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain("sh: ./scripts/rotate-credentials.sh emergency-rotation --all-clients --force --reason 'Security breach recovery'");
    expect(out).toContain('sh: ./scripts/verify-credentials.sh --all-clients');
    expect(out).toContain("sh: psql postgres://dr-admin@payment-db.internal:5432/payment_db -c '\\password payment_app'");
    expect(out).toContain('PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi?fieldManager=runbook&force=true (apply-patch+yaml)');
    expect(out).toContain(`"image":"${EAPI}"`);
    expect(out).toContain('sh: ./scripts/security-scan.sh --comprehensive');
    expect(out).toContain('sh: ./scripts/verify-security-config.sh');
    expect(out).toContain('sh: kubectl --context prod-primary apply -f enhanced-security-monitoring.yaml');
    expect(out).toContain('sh: ./scripts/configure-security-alerts.sh --enhanced');
    expect(out).toContain('nothing was run');
  });
});

describe('security-breach-recovery: tabletop scenarios', () => {
  it('tabletop: every step ok, the running pods carry the verified digests, within the 4-hour RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    expect(ev[0]).toMatchObject({ type: 'run-started', mode: 'simulate', scenario: { name: 'Compromised payment API image, clean recovery' } });
    const notOk = ev.filter((e) => e.type === 'step-finished' && e.status !== 'ok').map((e) => e.stepId);
    expect(notOk).toEqual([]);
    expect(finished(ev, 'eapi-runs-verified-image')?.value).toHaveLength(3);
    expect(ev.filter((e) => e.type === 'decision')).toEqual([]);
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeLessThanOrEqual(4 * 3_600_000);
    expect(r.stdout).toMatch(/DONE · simulated 2h09m of RTO 4h00m \([\d.]+%, within RTO\)/);
  });

  it('a credential rotation fails: retried once, then skipped with the reason; the verification is done by hand; the run goes on to the end', async () => {
    const r = await simulate(ID, 'credential-rotation-fails.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events;
    const failures = ev.filter((e) => e.type === 'attempt-failed' && e.stepId === 'rotate-client-credentials');
    expect(failures.map((e) => e.attempt)).toEqual([1, 2]);
    expect(failures[0]!.error).toContain('client xyz-vendor: Conjur API answered 503');
    expect(ev.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([
      ['rotate-client-credentials', 'retry'],
      ['rotate-client-credentials', 'skip'],
      ['verify-client-credentials', 'done'],
    ]);
    const rotation = finished(ev, 'rotate-client-credentials')!;
    expect(rotation).toMatchObject({ status: 'skipped', attempts: 2 });
    expect(rotation.reason).toContain('xyz-vendor');
    expect(finished(ev, 'verify-client-credentials')).toMatchObject({ status: 'done-by-hand' });
    // the rest of the recovery still happens, in order
    for (const id of ['rotate-conjur-admin-key', 'rotate-db-password', 'redeploy-eapi', 'redeploy-sapi', 'security-scan', 'deploy-security-monitoring']) {
      expect(finished(ev, id)?.status, id).toBe('ok');
    }
    const end = ev.at(-1)!;
    expect(end).toMatchObject({ type: 'run-finished', status: 'done' });
    expect(end.simDurationMs).toBeLessThanOrEqual(4 * 3_600_000);
    const md = readFileSync(/Report: (\S+)/.exec(r.stdout)![1]!, 'utf8');
    expect(md).toMatch(/\| `rotate-client-credentials` \| after failure: skip \| scenario/);
    expect(md).toMatch(/\| `verify-client-credentials` \| after failure: done by hand \| scenario/);
  });
});
