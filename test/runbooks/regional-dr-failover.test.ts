// runbooks/regional-dr-failover.ts as written: lint clean, the dry-run shows the DR plan's commands (Route53, dig,
// pg_promote, conjur-cli, kubectl scale) and the communication templates, and each tabletop scenario takes its path
// — clean failover; DNS propagation slow (the check keeps polling until the resolver follows); DR database standby
// not caught up (the bounded wait runs out, the DBA keeps waiting, then it promotes) — asserted from the journal.
import { describe, expect, it } from 'vitest';
import { actionText, dryRun, expectLintClean, expectPlanShape, finished, notifyMessage, runFinished, simulate, useTempDir } from '../helpers/runbooks.js';
import regional from '../../runbooks/regional-dr-failover.js';

const ID = 'regional-dr-failover';
const tmp = useTempDir('runbook-regional-');

describe('regional-dr-failover: the runbook as written', () => {
  it('is lint clean', () => expectLintClean(ID));

  it('RTO 1 hour; the document\'s order (DNS → database → Conjur → apps) after readiness checks and the declaration; every step estimated', () => {
    const plan = regional.toPlan();
    expect(plan.rtoMs).toBe(3_600_000);
    const ids = plan.steps.map((s) => s.id);
    const at = (id: string): number => {
      const i = ids.indexOf(id);
      expect(i, id).toBeGreaterThanOrEqual(0);
      return i;
    };
    // readiness and the human decisions come before the first change
    for (const id of ['primary-region-down', 'dr-db-standby', 'dr-conjur-healthy', 'dr-deployments', 'primary-region-unavailable', 'declare-disaster', 'declare-slack', 'declare-pagerduty']) {
      expect(at(id)).toBeLessThan(at('dns-switch'));
    }
    expect(at('dns-change-batch')).toBeLessThan(at('dns-switch'));
    expect(at('dns-switch')).toBeLessThan(at('dns-insync'));
    expect(at('dns-insync')).toBeLessThan(at('promote-dr-db'));
    expect(at('dr-db-caught-up')).toBeLessThan(at('promote-dr-db'));
    expect(at('promote-dr-db')).toBeLessThan(at('dr-db-primary'));
    expect(at('dr-db-primary')).toBeLessThan(at('promote-conjur'));
    expect(at('promote-conjur')).toBeLessThan(at('scale-eapi'));
    expect(at('update-data-layer')).toBeLessThan(at('scale-eapi'));
    expect(at('sapi-rolled-out')).toBeLessThan(at('dns-propagated'));
    expect(at('dns-propagated')).toBeLessThan(at('public-health'));
    expect(ids.slice(-2)).toEqual(['complete-slack', 'resolve-pagerduty']);
    expectPlanShape(plan, { questions: true });
  });

  it('dry-run shows the Route53 change and its checks, the promotions, the scale-up, the health checks and the templates', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('GET https://api.eu-west-1.payments.example/api/health (timeout 10s)');
    expect(out).toContain('sh: cat dns-failover.json');
    expect(out).toContain('sh: aws route53 change-resource-record-sets --hosted-zone-id Z0EXAMPLE123456 --change-batch file://dns-failover.json --output json');
    expect(out).toContain('sh: aws route53 wait resource-record-sets-changed --id <steps.dns-switch.value>');
    expect(out).toContain('sh: dig +short @1.1.1.1 api.payments.example');
    expect(out).toContain('(timeout 15s · wait up to 30m, polling every 30s');
    expect(out).toContain('promote:  pg postgres://dr_admin@payments-db.eu-central-1.internal:5432/payment_db: select pg_promote(true, 120) as promoted');
    expect(out).toContain('lag ≤ 16777216 bytes');
    expect(out).toContain('sh: conjur-cli failover --force --site dr');
    expect(out).toContain('sh: conjur health check');
    expect(out).toContain('k8s scale payment-eapi to 3: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-eapi/scale (merge-patch) {"spec":{"replicas":3}} [context dr-eu-central-1]');
    expect(out).toContain('k8s scale payment-sapi to 3: PATCH /apis/apps/v1/namespaces/payment-system/deployments/payment-sapi/scale (merge-patch) {"spec":{"replicas":3}} [context dr-eu-central-1]');
    expect(out).toContain('GET https://api.eu-central-1.payments.example/api/internal-health (expect $.status = "UP")');
    expect(out).toContain('sh: ./scripts/health-check.sh --environment dr');
    expect(out).toContain('DISASTER RECOVERY INITIATED: <run id> - Regional failure of eu-west-1: failing over to eu-central-1');
    expect(out).toContain('Slack Channel: #disaster-recovery');
    expect(out).toContain('notify pagerduty trigger (routing key <not set>, severity critical, dedup key = run id)');
    expect(out).toContain('DR STATUS UPDATE: <run id>');
    expect(out).toContain('DR RECOVERY COMPLETE: <run id>');
    expect(out).toContain('nothing was run');
  });
});

describe('regional-dr-failover: tabletop scenarios', () => {
  it('tabletop: every step passes in order, the declaration, two status updates and the completion are captured; within RTO', async () => {
    const r = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fin = r.events.filter((e) => e.type === 'step-finished');
    expect(fin.map((e) => e.status).every((s) => s === 'ok')).toBe(true);
    expect(fin.map((e) => e.stepId)).toEqual(regional.toPlan().steps.map((s) => s.id));
    expect(r.events.filter((e) => e.type === 'confirm-answered').map((e) => [e.stepId, e.answer])).toEqual([['primary-region-unavailable', true], ['declare-disaster', true]]);
    expect(finished(r.events, 'dns-switch')?.value).toBe('/change/C02168177BNS6R50C32Q');
    expect(actionText(r.events, 'dns-insync')).toContain('aws route53 wait resource-record-sets-changed --id /change/C02168177BNS6R50C32Q');
    expect(finished(r.events, 'dns-propagated')).toMatchObject({ attempts: 1, value: ['payments-dr-lb.eu-central-1.elb.example', '18.194.22.7'] });
    expect(notifyMessage(r.events, 'declare-slack')).toContain('DISASTER RECOVERY INITIATED');
    expect(notifyMessage(r.events, 'update-data-layer')).toContain('Data layer promoted in the DR region');
    expect(notifyMessage(r.events, 'update-apps')).toContain('Payment APIs up in the DR region');
    expect(notifyMessage(r.events, 'complete-slack')).toContain('DR RECOVERY COMPLETE');
    expect(notifyMessage(r.events, 'complete-slack')).toContain('- Payment database: Fully operational');
    expect(notifyMessage(r.events, 'complete-slack')).not.toContain('Redis cache: Fully operational'); // not recovered by this procedure
    expect(notifyMessage(r.events, 'declare-slack')).toContain('Affected Services: Payment-EAPI, Payment-SAPI, Conjur vault, Payment database, Redis cache');
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0, simDurationMs: 22 * 60_000 + 1_000 });
    expect(r.stdout).toMatch(/DONE · simulated 22m01s of RTO 1h00m \(36\.7%, within RTO\)/);
  });

  it('DNS propagation slow: INSYNC at once, but the resolver answers the old region until 31m — the check polls until then and only then passes; within RTO', async () => {
    const r = await simulate(ID, 'dns-propagation-slow.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.type === 'sim-event').map((e) => e.atMs)).toEqual([31 * 60_000]);
    const started = r.events.find((e) => e.type === 'step-started' && e.stepId === 'dns-propagated')!;
    const done = finished(r.events, 'dns-propagated')!;
    expect(done.status).toBe('ok');
    expect(started.simAtMs).toBeLessThan(20 * 60_000); // it began polling well before the resolver followed …
    expect(done.simAtMs).toBeGreaterThanOrEqual(31 * 60_000); // … and did not pass before
    expect(done.value).toEqual(['payments-dr-lb.eu-central-1.elb.example', '18.194.22.7']);
    // nothing after it ran before the resolver followed: the public check saw the DR region
    const publicHealth = r.events.find((e) => e.type === 'step-started' && e.stepId === 'public-health')!;
    expect(publicHealth.simAtMs).toBeGreaterThanOrEqual(31 * 60_000);
    expect(r.events.every((e) => e.type !== 'step-finished' || e.status === 'ok')).toBe(true);
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(r.stdout).toMatch(/DONE · simulated 34m25s of RTO 1h00m \(57\.4%, within RTO\)/);
  });

  it('DR database not caught up: the bounded wait (15m) runs out, the DBA keeps waiting (retry), the standby replays by 29m, then it is promoted; within RTO', async () => {
    const r = await simulate(ID, 'dr-db-not-caught-up.yaml', tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.type === 'sim-event').map((e) => e.atMs)).toEqual([20 * 60_000, 29 * 60_000]);
    const failed = r.events.filter((e) => e.type === 'attempt-failed' && e.stepId === 'dr-db-caught-up');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toContain('still not met after waiting 15m00s');
    expect(r.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice, e.by])).toEqual([['dr-db-caught-up', 'retry', 'scenario']]);
    const caughtUp = finished(r.events, 'dr-db-caught-up')!;
    expect(caughtUp).toMatchObject({ status: 'ok', attempts: 2 });
    expect(caughtUp.simAtMs).toBeGreaterThanOrEqual(29 * 60_000);
    // the promotion waited for it
    const promote = r.events.find((e) => e.type === 'step-started' && e.stepId === 'promote-dr-db')!;
    expect(promote.simAtMs).toBeGreaterThanOrEqual(caughtUp.simAtMs!);
    expect(finished(r.events, 'promote-dr-db')?.status).toBe('ok');
    expect(runFinished(r.events)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(r.stdout).toMatch(/DONE · simulated 39m36s of RTO 1h00m \(66%, within RTO\)/);
  });
});
