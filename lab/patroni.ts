// A two-node Patroni cluster on 127.0.0.1: one etcd (v3 API) and two Patroni 3 nodes (pg0, pg1)
// managing PostgreSQL 15, data in one directory owned by the servers' user (`postgres` as root,
// else ourselves). startPatroniCluster() lets pg0 bootstrap alone (so it leads) and waits (bounded)
// for one running leader and one replica on its timeline. stopPatroni() ends Patroni (SIGTERM, which
// stops its PostgreSQL), then each postmaster left (from postmaster.pid) and etcd, all by PID.
// Used by the lab and by test/helpers/servers/patroni.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { own, PG_BIN, pgOwner, postmasterPid, prepareRoot, stopPostmaster } from './postgres.js';
import { readText, sleep, spawnLogged, stopPid, waitUntil, type PidRef, type Proc, type SpawnOptions } from './process.js';

export const PATRONI = '/usr/bin/patroni';
export const ETCD = '/usr/bin/etcd';

export interface PatroniNodeInfo {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly api: string;
  readonly pgPort: number;
  readonly dataDir: string;
}

export interface ClusterView {
  readonly members: readonly { name: string; role: string; state: string; timeline?: number; lag?: number | string }[];
}

export interface PatroniPorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  /** REST API of pg0 and pg1. */
  readonly api: readonly [number, number];
  /** PostgreSQL of pg0 and pg1. */
  readonly pg: readonly [number, number];
}

export interface PatroniOptions {
  readonly dir: string;
  readonly scope: string;
  /** The DCS namespace, e.g. `/runbook-lab/`. */
  readonly namespace: string;
  readonly ports: PatroniPorts;
  readonly patroni?: string;
  readonly etcd?: string;
  readonly pgBin?: string;
  readonly spawn?: SpawnOptions;
}

export interface PatroniProcesses {
  readonly scope: string;
  readonly dir: string;
  readonly nodes: readonly PatroniNodeInfo[];
  /** http://127.0.0.1:<client port> */
  readonly etcd: string;
  readonly etcdProc: Proc;
  readonly patroniProcs: readonly Proc[];
  log(name: string): string;
}

function config(o: PatroniOptions, node: PatroniNodeInfo, apiPort: number): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    scope: o.scope,
    namespace: o.namespace,
    name: node.name,
    restapi: { listen: `127.0.0.1:${apiPort}`, connect_address: `127.0.0.1:${apiPort}` },
    etcd3: { hosts: `127.0.0.1:${o.ports.etcdClient}` },
    bootstrap: {
      dcs: {
        ttl: 10, loop_wait: 1, retry_timeout: 3, maximum_lag_on_failover: 1_048_576,
        postgresql: {
          use_pg_rewind: true,
          parameters: { wal_level: 'replica', hot_standby: 'on', max_wal_senders: 10, max_replication_slots: 10, wal_keep_size: '128MB', wal_log_hints: 'on', fsync: 'off', shared_buffers: '16MB', max_connections: 40 },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { 'auth-local': 'trust' }, { 'auth-host': 'trust' }],
    },
    postgresql: {
      listen: `127.0.0.1:${node.pgPort}`,
      connect_address: `127.0.0.1:${node.pgPort}`,
      data_dir: node.dataDir,
      bin_dir: o.pgBin ?? PG_BIN,
      pgpass: join(o.dir, `pgpass-${node.name}`),
      authentication: { superuser: { username: 'postgres', password: 'postgres' }, replication: { username: 'replicator', password: 'replicator' } },
      parameters: { unix_socket_directories: join(o.dir, 'sockets') },
      pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust'],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  }, null, 2);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** GET /cluster from the first node that answers. */
export async function clusterView(nodes: readonly PatroniNodeInfo[]): Promise<ClusterView> {
  let last: unknown;
  for (const n of nodes) {
    try {
      return (await getJson(`${n.api}/cluster`)) as ClusterView;
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/** One running leader and a running replica on its timeline. */
export function healthy(v: ClusterView): boolean {
  const leader = v.members.find((m) => m.role === 'leader' && m.state === 'running');
  return leader !== undefined && v.members.length === 2 && v.members.every((m) => m === leader || (['replica', 'sync_standby'].includes(m.role) && ['running', 'streaming'].includes(m.state) && m.timeline === leader.timeline));
}

/**
 * Polls GET /cluster (bounded) until `ok`; the error has the last view and each node's log tail.
 * `failed` (a process that exited) ends the wait at once.
 */
export async function waitFor(nodes: readonly PatroniNodeInfo[], ok: (v: ClusterView) => boolean, timeoutMs: number, log: (name: string) => string, failed?: () => string | undefined): Promise<ClusterView> {
  const until = Date.now() + timeoutMs;
  let last: ClusterView | string = 'no answer';
  for (;;) {
    const why = failed?.();
    if (why !== undefined) throw new Error(`Patroni cluster failed: ${why}\n${nodes.map((n) => `--- ${n.name}\n${log(n.name).slice(-3000)}`).join('\n')}`);
    try {
      const v = await clusterView(nodes);
      last = v;
      if (ok(v)) return v;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > until) {
      throw new Error(`Patroni cluster not ready within ${timeoutMs / 1000}s; last: ${JSON.stringify(last)}\n${nodes.map((n) => `--- ${n.name}\n${log(n.name).slice(-3000)}`).join('\n')}`);
    }
    await sleep(250);
  }
}

/**
 * Starts etcd and the two nodes in `o.dir` (created if missing). On failure everything started is
 * stopped before the error is thrown; `o.dir` is left to the caller.
 */
export async function startPatroniCluster(o: PatroniOptions): Promise<PatroniProcesses> {
  const { dir, ports } = o;
  mkdirSync(dir, { recursive: true });
  prepareRoot(dir);
  mkdirSync(join(dir, 'etcd'), { mode: 0o700 });
  const log = (name: string): string => readText(join(dir, `${name}.log`));
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  const nodes: PatroniNodeInfo[] = [];
  const patroniProcs: Proc[] = [];
  let etcdProc: Proc | undefined;
  const exited = (): string | undefined => [etcdProc, ...patroniProcs].filter((p) => p?.exited()).map((p) => `${p?.match} (pid ${p?.pid}) exited`)[0];
  try {
    const etcd = spawnLogged('etcd', o.etcd ?? ETCD, [
      '--name', 'e1', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `e1=${peerUrl}`, '--log-level', 'warn',
    ], { ...o.spawn, log: join(dir, 'etcd.log'), env: { HOME: dir } });
    etcdProc = etcd;
    await waitUntil(`etcd on port ${ports.etcdClient}`, async () => (await getJson(`${etcdUrl}/version`)) !== undefined, {
      timeoutMs: 20_000, failed: () => (etcd.exited() ? 'exited at start' : undefined), detail: () => log('etcd'),
    });
    for (const [i, name] of (['pg0', 'pg1'] as const).entries()) {
      const apiPort = ports.api[i] ?? 0;
      const node: PatroniNodeInfo = { name, api: `http://127.0.0.1:${apiPort}`, pgPort: ports.pg[i] ?? 0, dataDir: join(dir, name) };
      nodes.push(node);
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, config(o, node, apiPort));
      own(file);
      const p = spawnLogged(`patroni-${name}`, o.patroni ?? PATRONI, [file], { ...o.spawn, log: join(dir, `${name}.log`), as: pgOwner(), env: { HOME: dir, PYTHONUNBUFFERED: '1' } });
      patroniProcs.push(p);
      // Let the first node bootstrap alone, so that it leads and the second clones from it.
      if (name === 'pg0') await waitFor(nodes, (v) => v.members.some((m) => m.role === 'leader' && m.state === 'running'), 60_000, log, exited);
    }
    await waitFor(nodes, healthy, 90_000, log, exited);
  } catch (e) {
    await stopPatroni({ patroni: patroniProcs, dataDirs: nodes.map((n) => n.dataDir), ...(etcdProc ? { etcd: etcdProc } : {}), postgres: 'immediate' });
    throw e;
  }
  return { scope: o.scope, dir, nodes, etcd: etcdUrl, etcdProc, patroniProcs, log };
}

/**
 * Stops a Patroni cluster by PID: each Patroni (SIGTERM: it stops its PostgreSQL; SIGKILL after
 * 15 s), then any postmaster still in a data dir (`postgres` mode, SIGKILL after a bounded wait),
 * then etcd. True when every process is gone.
 */
export async function stopPatroni(o: { patroni: readonly PidRef[]; dataDirs: readonly string[]; etcd?: PidRef; postgres: 'fast' | 'immediate' }): Promise<boolean> {
  const stopped = await Promise.all(o.patroni.map((p) => stopPid(p.pid, 'SIGTERM', 15_000, p.match)));
  for (const d of o.dataDirs) {
    const pid = postmasterPid(d);
    if (pid !== undefined) stopped.push(await stopPostmaster(pid, o.postgres, o.postgres === 'fast' ? 10_000 : 2_000));
  }
  if (o.etcd) stopped.push(await stopPid(o.etcd.pid, 'SIGTERM', 5_000, o.etcd.match));
  return stopped.every(Boolean);
}
