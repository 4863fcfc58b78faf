// A FAKE Kubernetes API server, written for these tests. It is not Kubernetes and runs no containers.
//
// No real cluster exists on the machines these tests run on, so the k8s adapter is tested through the
// real client (@kubernetes/client-node) against this: node:http on 127.0.0.1 implementing just enough
// of the API with realistic JSON — Deployments (with generation / observedGeneration and a rollout that
// progresses one step per read of the deployment, so a poller sees it move), the scale subresource,
// Pod lists filtered by label selectors, Services, ConfigMaps, Secrets and HorizontalPodAutoscalers by
// server-side apply (with field ownership: a field another manager owns is a 409 conflict unless
// force=true), `kind: Status` errors (404, 403, 409, 415, 400), bearer-token auth, and the exec
// websocket (the channel protocol, v5.channel.k8s.io / v4.channel.k8s.io, hand-written framing) whose
// commands are answered by a script the test supplies. It records every request (method, path, query,
// content type, body) so tests can assert the exact calls. Things it does not do: watch, real strategic
// merge of lists (objects merge, lists are replaced), json-patch (it answers 415), admission, events.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The raw query string, as sent. */
  readonly rawQuery: string;
  /** Decoded; repeated keys (exec's command) become arrays. */
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly authorization: string | undefined;
  /** Exec: the subprotocols the client offered and the one chosen. */
  readonly websocket?: { readonly offered: readonly string[]; readonly chosen: string | null };
}

export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
}

export interface ExecReply {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

export interface FakeDeploymentSpec {
  readonly replicas: number;
  /** All replicas start updated and available (default), or none (a fresh rollout). */
  readonly rolledOut?: boolean;
  readonly image?: string;
  /** Restarts of the first pod's container. */
  readonly restarts?: number;
  /** The rollout never progresses; the Progressing condition says ProgressDeadlineExceeded. */
  readonly stuck?: boolean;
  /** Field owners other than us (e.g. { '.spec.replicas': 'kubectl-client-side-apply' }). */
  readonly owners?: Readonly<Record<string, string>>;
}

export interface FakeKube {
  readonly url: string;
  readonly port: number;
  /** The bearer token the kubeconfig carries and the server requires. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Writes a kubeconfig (context `fake-cluster`, namespace `payments` by default) into `dir`; returns its path. */
  kubeconfig(dir: string, o?: { context?: string; namespace?: string; server?: string }): string;
  addDeployment(namespace: string, name: string, spec: FakeDeploymentSpec): void;
  /** The deployment as the API would return it now (does not advance the rollout). */
  deployment(namespace: string, name: string): Record<string, unknown> | undefined;
  /** Any other object stored by apply, as the API would return it. */
  object(plural: string, namespace: string, name: string): Record<string, unknown> | undefined;
  /** Every request in `namespace` is answered 403 Forbidden. */
  forbid(namespace: string): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

interface Dep {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly created: string;
  labels: Record<string, string>;
  template: Json;
  generation: number;
  observedGeneration: number;
  replicas: number;
  updated: number;
  available: number;
  old: number;
  hash: string;
  oldHash: string;
  revision: number;
  resourceVersion: number;
  restarts: number;
  stuck: boolean;
  owners: Map<string, string>;
}

interface Stored {
  body: Json;
  owners: Map<string, string>;
}

const GROUP_OF: Readonly<Record<string, string>> = { deployments: 'apps', horizontalpodautoscalers: 'autoscaling', services: '', configmaps: '', secrets: '', pods: '' };

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function resourceName(plural: string): string {
  const g = GROUP_OF[plural];
  return g ? `${plural}.${g}` : plural;
}

function hashOf(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex').replace(/[^bcdfghjklmnpqrstvwxz2456789]/g, '').slice(0, 10).padEnd(10, 'b');
}

function podSuffix(hash: string, i: number): string {
  return createHash('sha256').update(`${hash}/${i}`).digest('hex').replace(/[^bcdfghjklmnpqrstvwxz2456789]/g, '').slice(0, 5).padEnd(5, 'x');
}

/** RFC 7386 merge patch (also used for our strategic-merge patches, which touch no lists). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Leaf paths of an applied object (`.spec.replicas`), which server-side apply tracks ownership of. */
function leafPaths(v: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (prefix === '' && (k === 'apiVersion' || k === 'kind')) continue;
      if (prefix === '.metadata' && (k === 'name' || k === 'namespace')) continue;
      for (const [p, y] of leafPaths(x, `${prefix}.${k}`)) out.set(p, y);
    }
  } else {
    out.set(prefix, v);
  }
  return out;
}

function valueAt(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.').slice(1)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

/** Equality-based and set-based label selectors (`a=b,c!=d,e in (x,y),!f,g`). */
function matcher(selector: string): ((labels: Record<string, string>) => boolean) | string {
  const terms = selector.split(/,(?![^(]*\))/).map((t) => t.trim()).filter(Boolean);
  const tests: ((l: Record<string, string>) => boolean)[] = [];
  for (const t of terms) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(t))) {
      const [, k = '', op, v = ''] = m;
      tests.push(op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const [, k = '', op, list = ''] = m;
      const vs = list.split(',').map((s) => s.trim());
      tests.push(op === 'in' ? (l) => l[k] !== undefined && vs.includes(l[k] ?? '') : (l) => l[k] === undefined || !vs.includes(l[k] ?? ''));
    } else if ((m = /^!([\w./-]+)$/.exec(t))) {
      const k = m[1] ?? '';
      tests.push((l) => !(k in l));
    } else if ((m = /^([\w./-]+)$/.exec(t))) {
      const k = m[1] ?? '';
      tests.push((l) => k in l);
    } else {
      return `unable to parse requirement: ${JSON.stringify(t)}`;
    }
  }
  return (l) => tests.every((f) => f(l));
}

export async function startFakeKubeApi(o: { exec?: (r: ExecRequest) => ExecReply | undefined } = {}): Promise<FakeKube> {
  const token = `fake-token-${randomUUID()}`;
  const requests: RecordedRequest[] = [];
  const deps = new Map<string, Dep>();
  const stored = new Map<string, Stored>();
  const forbidden = new Set<string>();
  const sockets = new Set<Socket>();
  let rv = 1000;
  const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  // ---- deployments -------------------------------------------------------------------------------------------
  const depKey = (ns: string, name: string): string => `${ns}/${name}`;

  function newDep(ns: string, name: string, replicas: number, template: Json, labels: Record<string, string>): Dep {
    const hash = hashOf(template);
    return {
      namespace: ns, name, uid: randomUUID(), created: now(), labels, template, generation: 1, observedGeneration: 1,
      replicas, updated: replicas, available: replicas, old: 0, hash, oldHash: hash, revision: 1, resourceVersion: ++rv, restarts: 0, stuck: false,
      owners: new Map([['.spec.replicas', 'kube-controller-manager-fake']]),
    };
  }

  function addDeployment(ns: string, name: string, s: FakeDeploymentSpec): void {
    const labels = { app: name };
    const template = { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'app', image: s.image ?? `registry.example/${name}:1.0.0` }] } };
    const d = newDep(ns, name, s.replicas, template, labels);
    if (s.rolledOut === false) Object.assign(d, { updated: 0, available: 0, observedGeneration: 0 });
    d.restarts = s.restarts ?? 0;
    d.stuck = s.stuck === true;
    d.owners = new Map(Object.entries(s.owners ?? {}));
    deps.set(depKey(ns, name), d);
  }

  /** A spec change: a new generation; a new pod template starts a rollout from the old pods. */
  function changed(d: Dep, before: { replicas: number; template: Json }): void {
    const specChanged = before.replicas !== d.replicas || JSON.stringify(before.template) !== JSON.stringify(d.template);
    d.resourceVersion = ++rv;
    if (!specChanged) return;
    d.generation += 1;
    const hash = hashOf(d.template);
    if (hash !== d.hash) {
      d.old = Math.max(d.updated, d.old);
      d.oldHash = d.hash;
      d.hash = hash;
      d.updated = 0;
      d.available = 0;
      d.revision += 1;
    }
  }

  /** One step of the controller, taken each time the deployment is read. */
  function tick(d: Dep): void {
    if (d.observedGeneration < d.generation) {
      d.observedGeneration = d.generation;
      d.updated = Math.min(d.updated, d.replicas);
      d.available = Math.min(d.available, d.updated);
    } else if (d.stuck) {
      return;
    } else if (d.updated < d.replicas) {
      d.updated += 1;
    } else if (d.available < d.updated) {
      d.available += 1;
    } else if (d.old > 0) {
      d.old = 0;
    } else {
      return;
    }
    d.resourceVersion = ++rv;
  }

  function depJson(d: Dep): Json {
    const current = d.updated + d.old;
    const availableAll = d.available + d.old;
    const done = d.observedGeneration >= d.generation && d.updated >= d.replicas && d.old === 0 && d.available >= d.updated;
    const rs = `${d.name}-${d.hash}`;
    const omit0 = (k: string, v: number): Json => (v === 0 ? {} : { [k]: v });
    return {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: {
        name: d.name, namespace: d.namespace, uid: d.uid, resourceVersion: String(d.resourceVersion), generation: d.generation,
        creationTimestamp: d.created, labels: d.labels, annotations: { 'deployment.kubernetes.io/revision': String(d.revision) },
      },
      spec: {
        replicas: d.replicas, selector: { matchLabels: d.labels }, template: d.template,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: d.observedGeneration, ...omit0('replicas', current), ...omit0('updatedReplicas', d.updated),
        ...omit0('readyReplicas', availableAll), ...omit0('availableReplicas', availableAll), ...omit0('unavailableReplicas', Math.max(0, d.replicas - availableAll)),
        conditions: [
          availableAll >= d.replicas
            ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: d.created, lastTransitionTime: d.created }
            : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: d.created, lastTransitionTime: d.created },
          d.stuck
            ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.`, lastUpdateTime: d.created, lastTransitionTime: d.created }
            : done
              ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.`, lastUpdateTime: d.created, lastTransitionTime: d.created }
              : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.`, lastUpdateTime: d.created, lastTransitionTime: d.created },
        ],
      },
    };
  }

  function scaleJson(d: Dep): Json {
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: d.name, namespace: d.namespace, uid: d.uid, resourceVersion: String(d.resourceVersion), creationTimestamp: d.created },
      spec: { replicas: d.replicas },
      status: { replicas: d.updated + d.old, selector: Object.entries(d.labels).map(([k, v]) => `${k}=${v}`).join(',') },
    };
  }

  function podsOf(d: Dep): Json[] {
    const image = ((d.template['spec'] as Json | undefined)?.['containers'] as Json[] | undefined)?.[0]?.['image'] ?? 'unknown';
    const pod = (hash: string, i: number, ready: boolean, restarts: number): Json => {
      const name = `${d.name}-${hash}-${podSuffix(hash, i)}`;
      const cond = (type: string, ok: boolean): Json => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: d.created });
      return {
        kind: 'Pod', apiVersion: 'v1',
        metadata: {
          name, namespace: d.namespace, uid: createHash('md5').update(name).digest('hex'), labels: { ...d.labels, 'pod-template-hash': hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${d.name}-${hash}`, controller: true }], creationTimestamp: d.created,
        },
        spec: { nodeName: `fake-node-${(i % 2) + 1}`, containers: [{ name: 'app', image }] },
        status: {
          phase: ready ? 'Running' : 'Pending',
          conditions: [cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)],
          containerStatuses: [{
            name: 'app', image, ready, restartCount: restarts, started: ready,
            state: ready ? { running: { startedAt: d.created } } : { waiting: { reason: 'ContainerCreating' } },
          }],
          podIP: `10.244.${(i % 2) + 1}.${10 + i}`,
        },
      };
    };
    const out: Json[] = [];
    for (let i = 0; i < d.updated; i++) out.push(pod(d.hash, i, i < d.available, i === 0 ? d.restarts : 0));
    for (let i = 0; i < d.old; i++) out.push(pod(d.oldHash, i, true, 0));
    return out;
  }

  function allPods(ns: string): Json[] {
    return [...deps.values()].filter((d) => d.namespace === ns).flatMap(podsOf);
  }

  // ---- server-side apply ------------------------------------------------------------------------------------
  function conflicts(owners: Map<string, string>, current: unknown, applied: Json, manager: string, apiVersion: string): { field: string; manager: string }[] {
    const out: { field: string; manager: string }[] = [];
    for (const [path, value] of leafPaths(applied)) {
      const owner = owners.get(path);
      if (owner !== undefined && owner !== manager && JSON.stringify(valueAt(current, path)) !== JSON.stringify(value)) out.push({ field: path, manager: owner });
    }
    void apiVersion;
    return out;
  }

  function conflictStatus(cs: { field: string; manager: string }[], apiVersion: string): Json {
    const lines = cs.map((c) => `conflict with "${c.manager}" using ${apiVersion}: ${c.field}`);
    return status(409, 'Conflict', `Apply failed with ${cs.length} conflict${cs.length === 1 ? '' : 's'}: ${lines.join('\n')}`, {
      causes: cs.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${apiVersion}`, field: c.field })),
    });
  }

  // ---- HTTP ---------------------------------------------------------------------------------------------------
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push(record(req, url, body));
      try {
        const [code, json] = route(req, url, body);
        res.writeHead(code, { 'content-type': 'application/json', 'audit-id': randomUUID() });
        res.end(JSON.stringify(json));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status(500, 'InternalError', `fake API server: ${e instanceof Error ? e.message : String(e)}`)));
      }
    });
  });

  function record(req: IncomingMessage, url: URL, body: string, websocket?: RecordedRequest['websocket']): RecordedRequest {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const have = query[k];
      query[k] = have === undefined ? v : Array.isArray(have) ? [...have, v] : [have, v];
    }
    return {
      method: req.method ?? '', path: url.pathname, rawQuery: url.search.replace(/^\?/, ''), query, contentType: req.headers['content-type'], body,
      authorization: req.headers.authorization, ...(websocket ? { websocket } : {}),
    };
  }

  function authorised(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${token}`;
  }

  function forbiddenFor(verb: string, plural: string, ns: string, name?: string): Json {
    const group = GROUP_OF[plural] ?? '';
    return status(403, 'Forbidden',
      `${resourceName(plural)}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:ops:runbook" cannot ${verb} resource "${plural}" in API group "${group}" in the namespace "${ns}"`,
      { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: plural });
  }

  function notFound(plural: string, name: string): Json {
    const group = GROUP_OF[plural] ?? '';
    return status(404, 'NotFound', `${resourceName(plural)} "${name}" not found`, { name, ...(group ? { group } : {}), kind: plural });
  }

  function patchType(ct: string | undefined): 'merge' | 'strategic' | 'apply' | undefined {
    const t = (ct ?? '').split(';')[0]?.trim();
    if (t === 'application/merge-patch+json') return 'merge';
    if (t === 'application/strategic-merge-patch+json') return 'strategic';
    if (t === 'application/apply-patch+yaml') return 'apply';
    return undefined;
  }

  function unsupported(ct: string | undefined): [number, Json] {
    return [415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (this fake API server does not implement json-patch; got ${ct ?? 'none'})`)];
  }

  function parseBody(body: string, type: 'merge' | 'strategic' | 'apply'): Json | string {
    try {
      const v: unknown = type === 'apply' ? parseYaml(body) : JSON.parse(body);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the patch is not an object';
      return v as Json;
    } catch (e) {
      return `error decoding patch: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  function route(req: IncomingMessage, url: URL, body: string): [number, Json] {
    if (!authorised(req)) return [401, status(401, 'Unauthorized', 'Unauthorized')];
    const method = req.method ?? 'GET';
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (p === '/version') return [200, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake', platform: 'linux/amd64' }];

    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(p)) && method === 'GET') {
      const ns = decodeURIComponent(m[1] ?? '');
      if (forbidden.has(ns)) return [403, forbiddenFor('list', 'deployments', ns)];
      const match = matcher(url.searchParams.get('labelSelector') ?? '');
      if (typeof match === 'string') return [400, status(400, 'BadRequest', match)];
      const items = [...deps.values()].filter((d) => d.namespace === ns && match(d.labels)).map(depJson);
      return [200, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: String(rv) }, items }];
    }

    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)(\/scale)?$/.exec(p))) {
      const ns = decodeURIComponent(m[1] ?? '');
      const name = decodeURIComponent(m[2] ?? '');
      const scale = m[3] !== undefined;
      const verb = method === 'GET' ? 'get' : 'patch';
      if (forbidden.has(ns)) return [403, forbiddenFor(verb, 'deployments', ns, name)];
      const d = deps.get(depKey(ns, name));
      if (method === 'GET') {
        if (!d) return [404, notFound('deployments', name)];
        if (scale) return [200, scaleJson(d)];
        tick(d);
        return [200, depJson(d)];
      }
      if (method !== 'PATCH') return [405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (fake: ${method})`)];
      const type = patchType(req.headers['content-type']);
      if (!type) return unsupported(req.headers['content-type']);
      const patch = parseBody(body, type);
      if (typeof patch === 'string') return [400, status(400, 'BadRequest', patch)];
      if (type === 'apply') return applyDeployment(ns, name, patch, url);
      if (!d) return [404, notFound('deployments', name)];
      const before = { replicas: d.replicas, template: d.template };
      if (scale) {
        const replicas = (patch['spec'] as Json | undefined)?.['replicas'];
        if (replicas !== undefined) {
          if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) return [422, status(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`)];
          d.replicas = replicas;
        }
        changed(d, before);
        return [200, scaleJson(d)];
      }
      const merged = mergePatch(depJson(d), patch) as Json;
      const spec = (merged['spec'] ?? {}) as Json;
      d.replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : d.replicas;
      d.template = (spec['template'] ?? d.template) as Json;
      changed(d, before);
      return [200, depJson(d)];
    }

    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p)) && method === 'GET') {
      const ns = decodeURIComponent(m[1] ?? '');
      if (forbidden.has(ns)) return [403, forbiddenFor('list', 'pods', ns)];
      const match = matcher(url.searchParams.get('labelSelector') ?? '');
      if (typeof match === 'string') return [400, status(400, 'BadRequest', match)];
      const items = allPods(ns).filter((pod) => match(((pod['metadata'] as Json)['labels'] ?? {}) as Record<string, string>));
      return [200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items }];
    }

    if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec$/.test(p)) {
      return [400, status(400, 'BadRequest', 'Upgrade request required')];
    }

    if ((m = /^(\/api\/v1|\/apis\/autoscaling\/v[12])\/namespaces\/([^/]+)\/(services|configmaps|secrets|horizontalpodautoscalers)\/([^/]+)$/.exec(p))) {
      const [, prefix = '', nsE = '', plural = '', nameE = ''] = m;
      const ns = decodeURIComponent(nsE);
      const name = decodeURIComponent(nameE);
      const apiVersion = prefix === '/api/v1' ? 'v1' : prefix.replace('/apis/', '');
      if ((plural === 'horizontalpodautoscalers') !== prefix.startsWith('/apis/autoscaling')) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
      if (forbidden.has(ns)) return [403, forbiddenFor(method === 'GET' ? 'get' : 'patch', plural, ns, name)];
      const key = `${plural}/${ns}/${name}`;
      const have = stored.get(key);
      if (method === 'GET') return have ? [200, have.body] : [404, notFound(plural, name)];
      if (method !== 'PATCH') return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
      const type = patchType(req.headers['content-type']);
      if (!type) return unsupported(req.headers['content-type']);
      const patch = parseBody(body, type);
      if (typeof patch === 'string') return [400, status(400, 'BadRequest', patch)];
      if (type !== 'apply') {
        if (!have) return [404, notFound(plural, name)];
        have.body = mergePatch(have.body, patch) as Json;
        (have.body['metadata'] as Json)['resourceVersion'] = String(++rv);
        return [200, have.body];
      }
      const bad = checkApply(patch, apiVersion, KIND_OF[plural] ?? '', name, ns, url);
      if (bad) return bad;
      const manager = url.searchParams.get('fieldManager') ?? '';
      const owners = have?.owners ?? new Map<string, string>();
      const cs = url.searchParams.get('force') === 'true' ? [] : conflicts(owners, have?.body, patch, manager, apiVersion);
      if (cs.length > 0) return [409, conflictStatus(cs, apiVersion)];
      for (const path of leafPaths(patch).keys()) owners.set(path, manager);
      let next = mergePatch(have?.body ?? {}, patch) as Json;
      if (plural === 'secrets') next = secretData(next);
      const meta = next['metadata'] as Json;
      Object.assign(meta, {
        namespace: ns, uid: (have?.body['metadata'] as Json | undefined)?.['uid'] ?? randomUUID(), resourceVersion: String(++rv),
        creationTimestamp: (have?.body['metadata'] as Json | undefined)?.['creationTimestamp'] ?? now(),
        managedFields: [...new Set(owners.values())].map((mgr) => ({ manager: mgr, operation: 'Apply', apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: {} })),
      });
      stored.set(key, { body: next, owners });
      return [have ? 200 : 201, next];
    }

    return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
  }

  const KIND_OF: Readonly<Record<string, string>> = { services: 'Service', configmaps: 'ConfigMap', secrets: 'Secret', horizontalpodautoscalers: 'HorizontalPodAutoscaler', deployments: 'Deployment' };

  function checkApply(patch: Json, apiVersion: string, kind: string, name: string, ns: string, url: URL): [number, Json] | undefined {
    if (!url.searchParams.get('fieldManager')) return [422, status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')];
    if (patch['apiVersion'] !== apiVersion || patch['kind'] !== kind) return [400, status(400, 'BadRequest', `the API version in the data (${String(patch['apiVersion'])}) does not match the expected API version (${apiVersion}) or kind (${String(patch['kind'])} vs ${kind})`)];
    const meta = (patch['metadata'] ?? {}) as Json;
    if (meta['name'] !== name) return [400, status(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`)];
    if (meta['namespace'] !== undefined && meta['namespace'] !== ns) return [400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')];
    return undefined;
  }

  /** The API stores stringData as base64 data, as a real API server does. */
  function secretData(s: Json): Json {
    const stringData = s['stringData'] as Record<string, string> | undefined;
    if (!stringData) return s;
    const data = { ...((s['data'] ?? {}) as Record<string, string>) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    const { stringData: _drop, ...rest } = s;
    void _drop;
    return { ...rest, data };
  }

  function applyDeployment(ns: string, name: string, patch: Json, url: URL): [number, Json] {
    const bad = checkApply(patch, 'apps/v1', 'Deployment', name, ns, url);
    if (bad) return bad;
    const manager = url.searchParams.get('fieldManager') ?? '';
    let d = deps.get(depKey(ns, name));
    const cs = url.searchParams.get('force') === 'true' || !d ? [] : conflicts(d.owners, depJson(d), patch, manager, 'apps/v1');
    if (cs.length > 0) return [409, conflictStatus(cs, 'apps/v1')];
    const spec = (patch['spec'] ?? {}) as Json;
    const created = !d;
    if (!d) {
      const labels = (((spec['selector'] ?? {}) as Json)['matchLabels'] ?? { app: name }) as Record<string, string>;
      d = newDep(ns, name, typeof spec['replicas'] === 'number' ? spec['replicas'] : 1, (spec['template'] ?? {}) as Json, labels);
      Object.assign(d, { updated: 0, available: 0, observedGeneration: 0, owners: new Map() });
      deps.set(depKey(ns, name), d);
    } else {
      const before = { replicas: d.replicas, template: d.template };
      if (typeof spec['replicas'] === 'number') d.replicas = spec['replicas'];
      if (spec['template'] !== undefined) d.template = mergePatch(d.template, spec['template']) as Json;
      changed(d, before);
    }
    for (const path of leafPaths(patch).keys()) d.owners.set(path, manager);
    return [created ? 201 : 200, depJson(d)];
  }

  // ---- exec over a websocket (RFC 6455 framing by hand; the channel protocol of the API server) -----------
  const SUPPORTED = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

  function frame(opcode: number, payload: Buffer): Buffer {
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
    if (len >= 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    return Buffer.concat([head, payload]);
  }

  function channel(n: number, data: string | Buffer): Buffer {
    return frame(0x2, Buffer.concat([Buffer.from([n]), Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8')]));
  }

  /** Reads the client's frames; answers a close frame with one and ends the connection. */
  function onClientFrames(socket: Socket): void {
    let buf = Buffer.alloc(0);
    socket.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      for (;;) {
        if (buf.length < 2) return;
        const opcode = (buf[0] ?? 0) & 0x0f;
        const masked = ((buf[1] ?? 0) & 0x80) !== 0;
        let len = (buf[1] ?? 0) & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        const total = off + (masked ? 4 : 0) + len;
        if (buf.length < total) return;
        buf = buf.subarray(total);
        if (opcode === 0x8) {
          socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
          return;
        }
      }
    });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const chosen = offered.find((p) => SUPPORTED.includes(p)) ?? null;
    requests.push(record(req, url, '', { offered, chosen }));
    const refuse = (code: number, json: Json): void => {
      const text = JSON.stringify(json);
      socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    if (!authorised(req)) return refuse(401, status(401, 'Unauthorized', 'Unauthorized'));
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) return refuse(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const ns = decodeURIComponent(m[1] ?? '');
    const podName = decodeURIComponent(m[2] ?? '');
    if (forbidden.has(ns)) return refuse(403, forbiddenFor('create', 'pods', ns, podName));
    const pod = allPods(ns).find((x) => (x['metadata'] as Json)['name'] === podName);
    if (!pod) return refuse(404, notFound('pods', podName));
    const container = url.searchParams.get('container') ?? '';
    const containers = ((pod['spec'] as Json)['containers'] as Json[]).map((c) => String(c['name']));
    if (!containers.includes(container)) return refuse(400, status(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`));
    if (!chosen) return refuse(400, status(400, 'BadRequest', `no supported channel protocol among: ${offered.join(', ')}`));
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${chosen}\r\n\r\n`);
    onClientFrames(socket);
    const command = url.searchParams.getAll('command');
    const reply = o.exec?.({ namespace: ns, pod: podName, container, command }) ?? { stderr: `fake API server: no scripted answer for ${JSON.stringify(command)}\n`, exitCode: 127 };
    if (reply.stdout) socket.write(channel(1, reply.stdout));
    if (reply.stderr) socket.write(channel(2, reply.stderr));
    const exitCode = reply.exitCode ?? 0;
    const st = exitCode === 0
      ? { metadata: {}, status: 'Success' }
      : {
          metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
          message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
          details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
        };
    socket.write(channel(3, JSON.stringify(st)));
    // The server closes after the status if the client does not (it does: the status ends its handler).
    setTimeout(() => {
      if (!socket.destroyed) socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
    }, 2_000).unref();
  });

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url, port, token, requests,
    kubeconfig(dir, k = {}) {
      const path = join(dir, 'kubeconfig.yaml');
      const context = k.context ?? 'fake-cluster';
      writeFileSync(path, [
        'apiVersion: v1', 'kind: Config',
        'clusters:', '- name: fake', '  cluster:', `    server: ${k.server ?? url}`, '    insecure-skip-tls-verify: true',
        'users:', '- name: runbook-test', '  user:', `    token: ${token}`,
        'contexts:', `- name: ${context}`, '  context:', '    cluster: fake', '    user: runbook-test', `    namespace: ${k.namespace ?? 'payments'}`,
        `current-context: ${context}`, '',
      ].join('\n'));
      return path;
    },
    addDeployment,
    deployment: (ns, name) => {
      const d = deps.get(depKey(ns, name));
      return d ? depJson(d) : undefined;
    },
    object: (plural, ns, name) => stored.get(`${plural}/${ns}/${name}`)?.body,
    forbid: (ns) => void forbidden.add(ns),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
