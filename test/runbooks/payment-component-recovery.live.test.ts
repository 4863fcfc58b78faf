// The library runbook runbooks/payment-component-recovery.ts run LIVE through the CLI (--yes) against the FAKE
// Kubernetes API server of test/helpers/fake-kube-api.ts — written for these tests, not Kubernetes (no cluster
// exists here) — through the real client. The fake records every request, so the three recovery paths are asserted
// by the exact API calls they made: restart only; restart → scale 0 → 3; restart → scale → re-apply of the backup
// manifest (test/fixtures/runbooks-k8s/). `kubectl logs` is a stub script on PATH that records its arguments (the
// fake serves no logs), and the health endpoint is a local HTTP receiver answering {"status":"UP"}.
//
// The fake has no crash-loop model; a deployment marked `stuck` never rolls out (ProgressDeadlineExceeded). The
// "the cold start / the backup fixed it" moments are played by re-creating the deployment healthy when the API
// receives the scale-to-0 (or the apply) request, just before the fake handles it.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKube, type RecordedRequest } from '../helpers/fake-kube-api.js';
import { finished, readEvents, runRunbook, statuses, type Run } from '../helpers/runbooks.js';
import { startReceiver, type Receiver } from '../helpers/servers/http-receiver.js';

const ID = 'payment-component-recovery';
const BACKUPS = fileURLToPath(new URL('../fixtures/runbooks-k8s', import.meta.url));
const NS = 'payment-system';
const DEP = `/apis/apps/v1/namespaces/${NS}/deployments/payment-eapi`;

let tmp: { dir: string; cleanup: () => void };
let fake: FakeKube;
let health: Receiver;
let slack: Receiver;
let kubeconfig: string;
let kubectlLog: string;
let bin: string;

beforeEach(async () => {
  tmp = tempDir('runbook-payment-live-');
  fake = await startFakeKubeApi();
  kubeconfig = fake.kubeconfig(tmp.dir, { namespace: NS });
  health = await startReceiver({ status: 200, body: '{"status":"UP","components":{"conjur":{"status":"UP"}}}' });
  slack = await startReceiver({ status: 200, body: 'ok', contentType: 'text/plain' });
  bin = join(tmp.dir, 'bin');
  mkdirSync(bin);
  kubectlLog = join(tmp.dir, 'kubectl.log');
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "$KUBECTL_LOG"\necho '[pod/payment-eapi-6f7c9d8b5-2xkqp/app] ERROR stub kubectl: a log line'\n`);
  chmodSync(join(bin, 'kubectl'), 0o755);
});
afterEach(async () => {
  await fake.close();
  await health.close();
  await slack.close();
  tmp.cleanup();
});

function run(): Promise<Run> {
  return runRunbook(ID, join(tmp.dir, 'store'), [
    '--yes', '-p', 'kubeContext=fake-cluster', '-p', `apiEndpoint=${health.url}`, '-p', `backupDir=${BACKUPS}`,
  ], { cwd: tmp.dir, env: { KUBECONFIG: kubeconfig, KUBECTL_LOG: kubectlLog, SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/live-test`, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, timeoutMs: 55_000 });
}

/** The value step `id` finished with, in the journal of this test's run. */
function value(id: string): Record<string, unknown> {
  return finished(readEvents(join(tmp.dir, 'store')), id)?.value as Record<string, unknown>;
}
/** The calls that change something, in order: `PATCH <path> <content type> <body>`. */
function changes(): { path: string; type: string; body: string; query: RecordedRequest['query'] }[] {
  return fake.requests.filter((q) => q.method !== 'GET').map((q) => ({ path: q.path, type: (q.contentType ?? '').split(';')[0] ?? '', body: q.body, query: q.query }));
}
/** Runs `f` on each request the fake receives, before the fake handles it. */
function beforeHandling(f: (q: RecordedRequest) => void): void {
  const push = fake.requests.push.bind(fake.requests);
  fake.requests.push = (...items: RecordedRequest[]): number => {
    for (const q of items) f(q);
    return push(...items);
  };
}
const isScaleTo = (q: RecordedRequest, n: number): boolean =>
  q.method === 'PATCH' && q.path === `${DEP}/scale` && (JSON.parse(q.body) as { spec?: { replicas?: number } }).spec?.replicas === n;
const RESTART_PATCH = /^\{"spec":\{"template":\{"metadata":\{"annotations":\{"kubectl\.kubernetes\.io\/restartedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\}\}\}\}$/;

function expectVerified(): void {
  expect(health.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /api/health']);
  expect(readFileSync(kubectlLog, 'utf8')).toBe(`logs --context fake-cluster -n ${NS} -l app=payment-eapi --all-containers --prefix --tail=200\n`);
  const d = fake.deployment(NS, 'payment-eapi') as { status: Record<string, number> };
  expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
  expect(value('pods-ready')).toMatchObject({ ready: 3, total: 3 });
  const texts = slack.requests.map((q) => (JSON.parse(q.body) as { text: string }).text);
  expect(texts).toHaveLength(2);
  expect(texts[0]).toContain('Payment-EAPI failure: component recovery started');
  expect(texts[1]).toContain('DR RECOVERY COMPLETE');
  expect(texts[1]).toContain('Payment-EAPI: Fully operational');
}

describe('payment-component-recovery, live against the FAKE Kubernetes API server (test/helpers/fake-kube-api.ts)', () => {
  it('restart path: a rolling restart rolls out, so nothing is scaled or re-applied; the only change is the restart patch', async () => {
    fake.addDeployment(NS, 'payment-eapi', { replicas: 3, restarts: 7 });
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toMatchObject({
      announce: 'ok', 'deployment-status': 'ok', pods: 'ok', logs: 'ok', 'restart-needed': 'ok', 'rollout-restart': 'ok', 'restart-rolled-out': 'ok',
      'scale-to-zero-ok': 'skipped', 'scale-down': 'skipped', 'scaled-down': 'skipped', 'scale-up': 'skipped', 'scale-rolled-out': 'skipped',
      'read-backup-manifest': 'skipped', 'reapply-ok': 'skipped', reapply: 'skipped', 'reapply-rolled-out': 'skipped',
      'pods-ready': 'ok', health: 'ok', recovered: 'ok',
    });
    expect(value('restart-rolled-out')).toMatchObject({ ok: true });
    const ch = changes();
    expect(ch.map((c) => `${c.path} ${c.type}`)).toEqual([`${DEP} application/strategic-merge-patch+json`]);
    expect(ch[0]?.body).toMatch(RESTART_PATCH);
    const template = (fake.deployment(NS, 'payment-eapi') as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template;
    expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/Z$/);
    expectVerified();
  });

  it('scale path: the restart does not roll out (progress deadline exceeded), so it scales to 0, waits, scales back to 3 — in that order, and nothing is re-applied', async () => {
    fake.addDeployment(NS, 'payment-eapi', { replicas: 3, stuck: true, restarts: 14 });
    beforeHandling((q) => {
      if (isScaleTo(q, 0)) fake.addDeployment(NS, 'payment-eapi', { replicas: 3 }); // the cold start clears the fault
    });
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toMatchObject({
      'rollout-restart': 'ok', 'restart-rolled-out': 'ok', 'scale-to-zero-ok': 'ok', 'scale-down': 'ok', 'scaled-down': 'ok', 'scale-up': 'ok', 'scale-rolled-out': 'ok',
      'read-backup-manifest': 'skipped', 'reapply-ok': 'skipped', reapply: 'skipped', 'reapply-rolled-out': 'skipped', 'pods-ready': 'ok', health: 'ok',
    });
    const restart = value('restart-rolled-out');
    expect(restart['ok']).toBe(false); // seen not rolled out: that is what sent the run down the scale path
    expect(JSON.stringify(restart)).toContain('ProgressDeadlineExceeded');
    expect(value('scale-rolled-out')).toMatchObject({ ok: true });
    expect(changes().map((c) => `${c.path} ${c.type} ${c.body.startsWith('{"spec":{"template"') ? 'restartedAt' : c.body}`)).toEqual([
      `${DEP} application/strategic-merge-patch+json restartedAt`,
      `${DEP}/scale application/merge-patch+json {"spec":{"replicas":0}}`,
      `${DEP}/scale application/merge-patch+json {"spec":{"replicas":3}}`,
    ]);
    // scaled-down waited for 0 pods between the two scale calls: a read of the deployment sits between them
    const i0 = fake.requests.findIndex((q) => isScaleTo(q, 0));
    const i3 = fake.requests.findIndex((q) => isScaleTo(q, 3));
    expect(fake.requests.slice(i0 + 1, i3).some((q) => q.method === 'GET' && q.path === DEP)).toBe(true);
    expectVerified();
  });

  it('re-apply path: neither the restart nor scaling rolls out, so the backup manifest is read and applied (server-side, forced) and rolls out', async () => {
    fake.addDeployment(NS, 'payment-eapi', { replicas: 3, stuck: true, image: 'registry.example/payment-eapi:2.5.0-hotfix' });
    beforeHandling((q) => {
      if (isScaleTo(q, 0)) fake.addDeployment(NS, 'payment-eapi', { replicas: 3, image: 'registry.example/payment-eapi:2.5.0-hotfix' });
      if (isScaleTo(q, 3)) fake.addDeployment(NS, 'payment-eapi', { replicas: 0, stuck: true, image: 'registry.example/payment-eapi:2.5.0-hotfix' }); // crash-loops again
      if (q.method === 'PATCH' && q.path === DEP && (q.contentType ?? '').startsWith('application/apply-patch+yaml')) {
        fake.addDeployment(NS, 'payment-eapi', { replicas: 3, image: 'registry.example/payment-eapi:2.5.0-hotfix' }); // the fake's own rollout takes it from here
      }
    });
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toMatchObject({
      'restart-rolled-out': 'ok', 'scale-down': 'ok', 'scaled-down': 'ok', 'scale-up': 'ok', 'scale-rolled-out': 'ok',
      'read-backup-manifest': 'ok', 'reapply-ok': 'ok', reapply: 'ok', 'reapply-rolled-out': 'ok', 'pods-ready': 'ok', health: 'ok',
    });
    expect(value('scale-rolled-out')['ok']).toBe(false);
    const ch = changes();
    expect(ch.map((c) => `${c.path} ${c.type}`)).toEqual([
      `${DEP} application/strategic-merge-patch+json`,
      `${DEP}/scale application/merge-patch+json`,
      `${DEP}/scale application/merge-patch+json`,
      `${DEP} application/apply-patch+yaml`,
    ]);
    const apply = ch[3]!;
    expect(apply.query).toMatchObject({ fieldManager: 'runbook', force: 'true' });
    const applied = parseYaml(apply.body) as { kind: string; metadata: { name: string }; spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(applied).toMatchObject({ kind: 'Deployment', metadata: { name: 'payment-eapi' } });
    expect(applied.spec.template.spec.containers[0]?.image).toBe('registry.example/payment-eapi:2.4.1'); // the backup's, not the hotfix's
    const live = fake.deployment(NS, 'payment-eapi') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(live.spec.template.spec.containers[0]?.image).toBe('registry.example/payment-eapi:2.4.1');
    expectVerified();
  });

  it('deleted deployment: the status answers 404 NotFound, so restart and scale are skipped and the backup manifest re-creates it', async () => {
    // no deployment at all in the namespace
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statuses(r.events)).toMatchObject({
      'deployment-status': 'ok', pods: 'ok', logs: 'ok', 'restart-needed': 'skipped', 'rollout-restart': 'skipped', 'restart-rolled-out': 'skipped',
      'scale-to-zero-ok': 'skipped', 'scale-down': 'skipped', 'scale-up': 'skipped', 'scale-rolled-out': 'skipped',
      'read-backup-manifest': 'ok', 'reapply-ok': 'ok', reapply: 'ok', 'reapply-rolled-out': 'ok', 'pods-ready': 'ok', health: 'ok',
    });
    expect(value('deployment-status')).toMatchObject({ ok: false, deployment: null, error: { code: 'NotFound', status: 404 } });
    expect(value('pods')).toMatchObject({ ok: true, total: 0 });
    const ch = changes();
    expect(ch.map((c) => `${c.path} ${c.type}`)).toEqual([`${DEP} application/apply-patch+yaml`]);
    expect(ch[0]?.query).toMatchObject({ fieldManager: 'runbook', force: 'true' });
    const live = fake.deployment(NS, 'payment-eapi') as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    expect(live.spec.replicas).toBe(3);
    expect(live.spec.template.spec.containers[0]?.image).toBe('registry.example/payment-eapi:2.4.1');
    expectVerified();
  });
});
