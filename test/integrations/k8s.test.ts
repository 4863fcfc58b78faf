// Kubernetes through the CLI and the real client (@kubernetes/client-node) against the FAKE API server
// of test/helpers/fake-kube-api.ts — written for these tests, not Kubernetes (no cluster exists here).
// It records every request, so these tests assert the exact calls: paths, query params, content types
// and patch bodies (kubectl's rollout-restart annotation, the scale merge-patch, server-side apply).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKube, type RecordedRequest } from '../helpers/fake-kube-api.js';
import { freePort } from '../helpers/servers/redis.js';
import { onlyRun } from '../helpers/store.js';
import { k8s, normaliseManifests } from '../../dsl/actions/k8s.js';
import { runbook, RunbookDefinitionError } from '../../dsl/index.js';
import { isReadOnly } from '../../interpreter/render/render.js';
import { applyManifest, callText } from '../../interpreter/adapters/k8s/calls.js';
import { rolloutVerdict } from '../../interpreter/adapters/k8s/status.js';

const ROLLOUT = fileURLToPath(new URL('../fixtures/k8s/rollout.ts', import.meta.url));
const APPLY = fileURLToPath(new URL('../fixtures/k8s/apply.ts', import.meta.url));
const ERRORS = fileURLToPath(new URL('../fixtures/k8s/errors.ts', import.meta.url));
const RECORDER = fileURLToPath(new URL('../helpers/spawn-recorder.mjs', import.meta.url));
const SECRET_VALUE = 'sw0rdfish-k8s-secret';

interface Ev { type: string; stepId?: string; status?: string; result?: Record<string, unknown>; value?: unknown; error?: string; action?: { text: string; effect: string } | null }

let fake: FakeKube;
let tmp: { dir: string; cleanup: () => void };
let kubeconfig: string;

beforeEach(async () => {
  fake = await startFakeKubeApi({
    exec: ({ pod, command }) => {
      if (command.join(' ') === 'cat /etc/hostname') return { stdout: `${pod}\n` };
      if (command[0] === 'sh' && command[2] === 'echo out; echo err >&2; exit 3') return { stdout: 'out\n', stderr: 'err\n', exitCode: 3 };
      return undefined;
    },
  });
  fake.addDeployment('payments', 'eapi', { replicas: 3, restarts: 2, owners: { '.spec.replicas': 'kubectl-client-side-apply' } });
  fake.addDeployment('payments', 'worker', { replicas: 0 });
  tmp = tempDir('runbook-k8s-');
  kubeconfig = fake.kubeconfig(tmp.dir);
});

afterEach(async () => {
  await fake.close();
  tmp.cleanup();
});

function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['run', file, '--store', join(tmp.dir, 'store'), '--ui', 'plain', '-p', `kubeconfig=${kubeconfig}`, ...args], { cwd: tmp.dir, env });
}

function journal(): string {
  return readFileSync(onlyRun(join(tmp.dir, 'store')), 'utf8');
}
function events(): Ev[] {
  return journal().trim().split('\n').map((l) => JSON.parse(l) as Ev);
}
function finished(): Map<string, Ev> {
  return new Map(events().filter((e) => e.type === 'step-finished').map((e) => [e.stepId ?? '', e]));
}
function calls(filter: (r: RecordedRequest) => boolean = () => true): string[] {
  return fake.requests.filter(filter).map((r) => `${r.method} ${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`);
}

describe('k8s: restart, scale, wait, pods, exec (fake API server, real client)', () => {
  it('patches like kubectl, waits for the rollouts, reads pods and runs commands in a pod', async () => {
    const r = await run(ROLLOUT, ['--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = finished();
    expect([...f.values()].map((e) => `${e.stepId}:${e.status}`)).toEqual([
      'eapi-status:ok', 'restart-eapi:ok', 'eapi-rolled-out:ok', 'scale-worker:ok', 'worker-rolled-out:ok', 'worker-pods:ok', 'worker-hostname:ok', 'exec-fails:failed',
    ]);

    // rollout restart: the strategic-merge patch of the pod template annotation, exactly as kubectl sends it
    const restart = fake.requests.find((q) => q.method === 'PATCH' && q.path === '/apis/apps/v1/namespaces/payments/deployments/eapi');
    expect(restart?.contentType).toBe('application/strategic-merge-patch+json');
    expect(restart?.rawQuery).toBe('');
    const restartBody = JSON.parse(restart?.body ?? '{}') as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(Object.keys(restartBody)).toEqual(['spec']);
    const at = restartBody.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] ?? '';
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(restart?.body).toBe(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"${at}"}}}}}`);
    expect(f.get('restart-eapi')?.result).toMatchObject({ ok: true, name: 'eapi', restartedAt: at, context: 'fake-cluster', namespace: 'payments', generation: 2 });
    // the new template is a new generation, rolled out over several reads
    const eapi = f.get('eapi-rolled-out')?.result as { polls: number; deployment: { rolledOut: boolean; generation: number; observedGeneration: number; updatedReplicas: number } };
    expect(eapi.deployment).toMatchObject({ rolledOut: true, generation: 2, observedGeneration: 2, updatedReplicas: 3 });
    expect(eapi.polls).toBeGreaterThan(3);
    expect(r.stdout).toContain('Waiting for deployment "eapi" rollout to finish: 0 out of 3 new replicas have been updated...');
    expect(r.stdout).toContain('old replicas are pending termination...');
    expect(r.stdout).toContain('deployment "eapi" successfully rolled out');

    // scale 0 → 3: a merge-patch of the scale subresource
    const scale = fake.requests.find((q) => q.method === 'PATCH' && q.path.endsWith('/worker/scale'));
    expect(scale).toMatchObject({ path: '/apis/apps/v1/namespaces/payments/deployments/worker/scale', contentType: 'application/merge-patch+json', body: '{"spec":{"replicas":3}}', rawQuery: '' });
    expect(f.get('scale-worker')?.result).toMatchObject({ ok: true, replicas: 3, call: 'PATCH /apis/apps/v1/namespaces/payments/deployments/worker/scale' });
    expect(f.get('worker-rolled-out')?.result).toMatchObject({ ok: true, deployment: { replicas: 3, readyReplicas: 3, availableReplicas: 3, rolledOut: true } });
    expect(fake.deployment('payments', 'worker')).toMatchObject({ spec: { replicas: 3 }, status: { availableReplicas: 3 } });

    // pods by label selector, with readiness, restarts and node
    expect(calls((q) => q.path.endsWith('/pods'))).toEqual(['GET /api/v1/namespaces/payments/pods?labelSelector=app%3Dworker']);
    const pods = f.get('worker-pods')?.result as { pods: { name: string; ready: boolean; phase: string; node: string; restarts: number }[]; ready: number };
    expect(pods.ready).toBe(3);
    expect(pods.pods.map((p) => [p.phase, p.ready, p.node])).toEqual([['Running', true, 'fake-node-1'], ['Running', true, 'fake-node-2'], ['Running', true, 'fake-node-1']]);
    for (const p of pods.pods) expect(p.name).toMatch(/^worker-[a-z0-9]{10}-[a-z0-9]{5}$/);

    // exec over the websocket: the client's query and subprotocol, stdout, stderr and the exit code
    const execs = fake.requests.filter((q) => q.path.endsWith('/exec'));
    expect(execs).toHaveLength(2);
    const first = pods.pods[0]?.name ?? '';
    expect(execs[0]?.path).toBe(`/api/v1/namespaces/payments/pods/${first}/exec`);
    expect(execs[0]?.query).toEqual({ stdout: 'true', stderr: 'true', stdin: 'false', tty: 'false', command: ['cat', '/etc/hostname'], container: 'app' });
    expect(execs[0]?.websocket?.offered[0]).toBe('v5.channel.k8s.io');
    expect(execs[0]?.websocket?.chosen).toBe('v5.channel.k8s.io');
    expect(f.get('worker-hostname')?.value).toBe(first);
    expect(f.get('worker-hostname')?.result).toMatchObject({ ok: true, exitCode: 0, stdout: `${first}\n`, stderr: '', pod: first, container: 'app' });
    expect(f.get('exec-fails')?.result).toMatchObject({ ok: false, exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(f.get('exec-fails')?.error).toContain('command exited with code 3');

    // the bearer token from the kubeconfig went to the API server and nowhere else
    expect(fake.requests.every((q) => q.authorization === `Bearer ${fake.token}`)).toBe(true);
    expect(r.stdout + journal()).not.toContain(fake.token);
  });

  it('a read-only step shows the deployment like kubectl (generation, observed, conditions)', async () => {
    const r = await run(ROLLOUT, ['--yes', '--only', 'eapi-status']);
    expect(r.code).toBe(0);
    const d = (finished().get('eapi-status')?.result as { deployment: Record<string, unknown> }).deployment;
    expect(d).toMatchObject({
      name: 'eapi', namespace: 'payments', replicas: 3, currentReplicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3, unavailableReplicas: 0,
      generation: 1, observedGeneration: 1, rolledOut: true, rollout: 'deployment "eapi" successfully rolled out',
    });
    expect(d['conditions']).toEqual([
      expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
      expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
    ]);
    expect(calls()).toEqual(['GET /apis/apps/v1/namespaces/payments/deployments/eapi']);
  });

  it('waitForRollout fails at once on a rollout past its progress deadline, and times out (bounded) on one that never finishes', async () => {
    fake.addDeployment('payments', 'stuck', { replicas: 2, rolledOut: false, stuck: true });
    const file = join(tmp.dir, 'stuck.ts');
    writeFileSync(file, `import { k8s, param, runbook } from 'runbook';
export default runbook('k8s-stuck', { title: 'Stuck', params: { kubeconfig: param.string() } })
  .check('stuck', 'Stuck rollout', k8s.waitForRollout((c) => ({ kubeconfig: c.params.kubeconfig }), 'stuck', { timeout: '30s', interval: '10ms' }), { continueOnError: true })
  .check('slow', 'Slow rollout', k8s.waitForRollout((c) => ({ kubeconfig: c.params.kubeconfig }), 'worker', { timeout: '50ms', interval: '10ms' }), { continueOnError: true });
`);
    fake.addDeployment('payments', 'worker', { replicas: 50, rolledOut: false });
    const r = await run(file, ['--yes']);
    expect(r.code).toBe(0);
    const f = finished();
    expect(f.get('stuck')?.status).toBe('failed');
    expect(f.get('stuck')?.error).toContain('deployment "stuck" exceeded its progress deadline');
    expect((f.get('stuck')?.result as { polls: number }).polls).toBe(1);
    expect(f.get('slow')?.status).toBe('failed');
    expect(f.get('slow')?.result).toMatchObject({ timedOut: true, error: { code: 'ETIMEDOUT' } });
  });
});

describe('k8s: server-side apply', () => {
  it('applies with apply-patch+yaml and fieldManager=runbook; a field another manager owns is a 409 (data), applied with force', async () => {
    const r = await run(APPLY, ['--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const patches = fake.requests.filter((q) => q.method === 'PATCH');
    expect(patches.map((q) => `${q.method} ${q.path}?${q.rawQuery}`)).toEqual([
      'PATCH /api/v1/namespaces/payments/configmaps/eapi-config?fieldManager=runbook',
      'PATCH /api/v1/namespaces/payments/secrets/eapi-db?fieldManager=runbook',
      'PATCH /api/v1/namespaces/payments/services/eapi?fieldManager=runbook',
      'PATCH /apis/autoscaling/v2/namespaces/payments/horizontalpodautoscalers/eapi?fieldManager=runbook',
      'PATCH /apis/apps/v1/namespaces/payments/deployments/eapi?fieldManager=runbook',
      'PATCH /apis/apps/v1/namespaces/payments/deployments/eapi?fieldManager=runbook&force=true',
    ]);
    for (const q of patches) expect(q.contentType).toBe('application/apply-patch+yaml');
    expect(JSON.parse(patches[0]?.body ?? '')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'eapi-config' }, data: { DR_MODE: 'active' } });
    expect(JSON.parse(patches[3]?.body ?? '')).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: { minReplicas: 3, maxReplicas: 10 } });
    expect(patches[4]?.body).toBe('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"eapi","namespace":"payments"},"spec":{"replicas":5}}');
    expect(fake.object('configmaps', 'payments', 'eapi-config')).toMatchObject({ data: { DR_MODE: 'active' } });

    const f = finished();
    expect((f.get('apply-config')?.result as { objects: unknown[] }).objects).toEqual([
      expect.objectContaining({ kind: 'ConfigMap', name: 'eapi-config', namespace: 'payments', ok: true }),
      expect.objectContaining({ kind: 'Secret', name: 'eapi-db', ok: true }),
      expect.objectContaining({ kind: 'Service', name: 'eapi', ok: true }),
      expect.objectContaining({ kind: 'HorizontalPodAutoscaler', name: 'eapi', ok: true }),
    ]);
    // the conflict is data, with the API's own message
    expect(f.get('apply-deployment')?.status).toBe('failed');
    expect(f.get('apply-deployment')?.result).toMatchObject({
      ok: false, error: { code: 'Conflict', status: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' },
    });
    expect(f.get('apply-deployment')?.error).toContain('409 Conflict: Apply failed with 1 conflict');
    expect(f.get('apply-deployment-force')?.status).toBe('ok');
    expect(fake.deployment('payments', 'eapi')).toMatchObject({ spec: { replicas: 5 } });

    // the Secret's value: sent to the API (it has to be), shown nowhere, journaled nowhere
    expect(patches[1]?.body).toContain(SECRET_VALUE);
    const b64 = Buffer.from(SECRET_VALUE).toString('base64');
    for (const text of [r.stdout, r.stderr, journal()]) {
      expect(text).not.toContain(SECRET_VALUE);
      expect(text).not.toContain(b64);
    }
    expect(r.stdout).toContain('"stringData":{"password":"***"}');
  });
});

describe('k8s: errors are data', () => {
  it('404 and 403 are ordinary checks with the API message; a refused connection is ECONNREFUSED; a 404 on a change fails with the message', async () => {
    fake.forbid('kube-system');
    const dead = join(tmp.dir, 'dead');
    mkdirSync(dead);
    const deadKubeconfig = fake.kubeconfig(dead, { server: `http://127.0.0.1:${await freePort()}` });
    const r = await run(ERRORS, ['--yes', '-p', `deadKubeconfig=${deadKubeconfig}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = finished();
    expect(f.get('missing')).toMatchObject({ status: 'ok', result: { ok: false, error: { code: 'NotFound', status: 404, message: 'deployments.apps "nope" not found' } } });
    expect(f.get('forbidden')?.status).toBe('ok');
    expect((f.get('forbidden')?.result as { error: { message: string } }).error.message).toBe(
      'deployments.apps "coredns" is forbidden: User "system:serviceaccount:ops:runbook" cannot get resource "deployments" in API group "apps" in the namespace "kube-system"');
    expect(f.get('refused')).toMatchObject({ status: 'ok', result: { ok: false, error: { code: 'ECONNREFUSED', status: null } } });
    expect(f.get('scale-missing')?.status).toBe('failed');
    expect(f.get('scale-missing')?.error).toBe('PATCH /apis/apps/v1/namespaces/payments/deployments/nope/scale [context fake-cluster]: 404 NotFound: deployments.apps "nope" not found');
    expect(f.get('exec-missing')?.status).toBe('failed');
    expect(f.get('exec-missing')?.result).toMatchObject({ ok: false, exitCode: null, error: { code: 'NotFound', status: 404 } });
  });

  it('a kubeconfig that does not exist, or a context it lacks, fails the step with a message (no crash)', async () => {
    const file = join(tmp.dir, 'bad-config.ts');
    writeFileSync(file, `import { k8s, param, runbook } from 'runbook';
export default runbook('k8s-bad-config', { title: 'Bad config', params: { kubeconfig: param.string() } })
  .check('no-file', 'No such kubeconfig', k8s.pods({ kubeconfig: '/nonexistent/kubeconfig' }, 'app=x'), { continueOnError: true })
  .check('no-context', 'No such context', k8s.pods((c) => ({ kubeconfig: c.params.kubeconfig, context: 'prod-eu' }), 'app=x'), { continueOnError: true });
`);
    const r = await run(file, ['--yes']);
    expect(r.code).toBe(0);
    const f = finished();
    expect(f.get('no-file')?.error).toContain('/nonexistent/kubeconfig');
    expect(f.get('no-file')?.result).toMatchObject({ ok: false, error: { code: 'EKUBECONFIG' } });
    expect(f.get('no-context')?.error).toContain('context "prod-eu" is not in the kubeconfig (it has: fake-cluster)');
    expect(fake.requests).toEqual([]);
  });
});

describe('k8s: dry-run and probe', () => {
  function recorded(log: string): { kind: string; target?: string; line: string }[] {
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; target?: string; line: string });
  }

  it('dry-run shows the exact API calls and opens no socket (the fake API server sees nothing)', async () => {
    const log = join(tmp.dir, 'spawn.ndjson');
    writeFileSync(log, '');
    const where = `[context fake-cluster, kubeconfig ${kubeconfig}]`;
    const r = await run(ROLLOUT, ['--dry-run'], { NODE_OPTIONS: `--import ${RECORDER}`, RUNBOOK_SPAWN_LOG: log });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`k8s deployment eapi (read-only): GET /apis/apps/v1/namespaces/payments/deployments/eapi ${where}`);
    expect(r.stdout).toContain(`k8s rollout restart eapi: PATCH /apis/apps/v1/namespaces/payments/deployments/eapi (strategic-merge-patch) {"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"<now, RFC 3339>"}}}}} ${where}`);
    expect(r.stdout).toContain(`k8s scale worker to 3: PATCH /apis/apps/v1/namespaces/payments/deployments/worker/scale (merge-patch) {"spec":{"replicas":3}} ${where}`);
    expect(r.stdout).toContain(`k8s wait for the rollout of worker (up to 30s, every 20ms) (read-only): GET /apis/apps/v1/namespaces/payments/deployments/worker ${where}, repeated`);
    expect(r.stdout).toContain(`k8s pods app=worker (read-only): GET /api/v1/namespaces/payments/pods?labelSelector=app%3Dworker ${where}`);
    expect(r.stdout).toContain(`k8s exec in <steps.worker-pods.value.pods.0.name>/app: cat /etc/hostname: GET /api/v1/namespaces/payments/pods/<steps.worker-pods.value.pods.0.name>/exec?stdout=true&stderr=true&stdin=false&tty=false&command=cat&command=%2Fetc%2Fhostname&container=app (websocket) ${where}`);
    expect(fake.requests).toEqual([]);
    const entries = recorded(log);
    expect(entries.some((e) => e.kind === 'recorder')).toBe(true);
    expect(entries.filter((e) => e.kind === 'socket')).toEqual([]);
  });

  it('dry-run of an apply shows each object\'s PATCH with the Secret\'s values hidden', async () => {
    const r = await run(APPLY, ['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('k8s apply 4 objects (server-side, fieldManager=runbook):');
    expect(r.stdout).toContain(`ConfigMap eapi-config: PATCH /api/v1/namespaces/payments/configmaps/eapi-config?fieldManager=runbook (apply-patch+yaml) {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"eapi-config"},"data":{"DR_MODE":"active"}} [current context, kubeconfig ${kubeconfig}]`);
    expect(r.stdout).toContain('"stringData":{"password":"***"}');
    expect(r.stdout).toContain('PATCH /apis/apps/v1/namespaces/payments/deployments/eapi?fieldManager=runbook&force=true (apply-patch+yaml)');
    expect(r.stdout + journal()).not.toContain(SECRET_VALUE);
    expect(fake.requests).toEqual([]);
  });

  it('probe makes the reads (GET) for real and no change (no PATCH, no exec)', async () => {
    const r = await run(ROLLOUT, ['--dry-run', '--probe']);
    expect(r.stderr).toBe('');
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((q) => q.method === 'GET' && !q.websocket)).toBe(true);
    const f = finished();
    expect(f.get('eapi-status')?.status).toBe('ok');
    expect(f.get('restart-eapi')?.status).toBe('planned');
    expect(f.get('scale-worker')?.status).toBe('planned');
    expect(f.get('worker-hostname')?.status).toBe('planned');
    expect(fake.deployment('payments', 'worker')).toMatchObject({ spec: { replicas: 0 } });
  });
});


describe('k8s DSL and rules (no server)', () => {
  it('bad targets, names, replicas, commands and manifests fail at build time, naming the problem', () => {
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RunbookDefinitionError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(() => k8s.deployment({ cluster: 'prod' } as never, 'eapi'))).toMatch(/unknown field "cluster" in the cluster target/);
    expect(err(() => k8s.scale({}, 'Eapi_1', 3))).toMatch(/"Eapi_1" is not a Kubernetes object name/);
    expect(err(() => k8s.scale({}, 'eapi', -1))).toMatch(/replicas must be a whole number ≥ 0, got -1/);
    expect(err(() => k8s.exec({}, 'p', 'c', 'ls -l' as never))).toMatch(/array of strings/);
    expect(err(() => k8s.apply({}, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }))).toMatch(/Pod \(v1\) is not one k8s.apply knows; it applies Deployment, Service, ConfigMap, Secret, HorizontalPodAutoscaler/);
    expect(err(() => k8s.apply({}, 'kind: ConfigMap\napiVersion: v1\nmetadata: [oops'))).toMatch(/YAML document #1/);
    expect(err(() => k8s.apply({}, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n'))).toMatch(/metadata.name undefined is not a Kubernetes object name/);
  });

  it('reads are read-only for probe; changes and exec are not', () => {
    const plan = runbook('k8s-ro', { title: 'ro' })
      .check('d', 'd', k8s.deployment({}, 'eapi'))
      .check('ds', 'ds', k8s.deployments({}))
      .check('w', 'w', k8s.waitForRollout({}, 'eapi'))
      .check('p', 'p', k8s.pods({}, 'app=eapi'))
      .exec('s', 's', k8s.scale({}, 'eapi', 1))
      .exec('r', 'r', k8s.rolloutRestart({}, 'eapi'))
      .exec('x', 'x', k8s.exec({}, 'pod', 'app', ['true']))
      .exec('a', 'a', k8s.apply({}, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }))
      .toPlan();
    expect(plan.steps.map((st) => `${st.id}:${isReadOnly(st)}`)).toEqual(['d:true', 'ds:true', 'w:true', 'p:true', 's:false', 'r:false', 'x:false', 'a:false']);
  });

  it('renders a scale like the issue asks, and a Secret without its values', () => {
    const [secret] = normaliseManifests('apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMg==}\nstringData: {user: admin}\n');
    expect(callText(applyManifest('payments', secret!, false), '[context prod-eu]')).toBe(
      'PATCH /api/v1/namespaces/payments/secrets/db?fieldManager=runbook (apply-patch+yaml) {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"***"},"stringData":{"user":"***"}} [context prod-eu]');
  });

  it("kubectl's rollout rule", () => {
    const d = (generation: number, observed: number, spec: number, s: { replicas?: number; updated?: number; available?: number; deadline?: boolean }) => rolloutVerdict({
      metadata: { name: 'eapi', generation }, spec: { replicas: spec },
      status: { observedGeneration: observed, replicas: s.replicas, updatedReplicas: s.updated, availableReplicas: s.available, conditions: s.deadline ? [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] : [] },
    });
    expect(d(2, 1, 3, { replicas: 3, updated: 3, available: 3 }).message).toBe('Waiting for deployment spec update to be observed...');
    expect(d(2, 2, 3, { replicas: 4, updated: 1, available: 3 }).message).toBe('Waiting for deployment "eapi" rollout to finish: 1 out of 3 new replicas have been updated...');
    expect(d(2, 2, 3, { replicas: 4, updated: 3, available: 3 }).message).toBe('Waiting for deployment "eapi" rollout to finish: 1 old replicas are pending termination...');
    expect(d(2, 2, 3, { replicas: 3, updated: 3, available: 2 }).message).toBe('Waiting for deployment "eapi" rollout to finish: 2 of 3 updated replicas are available...');
    expect(d(2, 2, 3, { replicas: 3, updated: 3, available: 3 })).toEqual({ done: true, failed: false, message: 'deployment "eapi" successfully rolled out' });
    expect(d(2, 2, 3, { replicas: 3, updated: 1, deadline: true })).toEqual({ done: false, failed: true, message: 'deployment "eapi" exceeded its progress deadline' });
    expect(d(1, 1, 0, {}).done).toBe(true);
  });
});
