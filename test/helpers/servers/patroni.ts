// A real Patroni cluster for integration tests: one etcd (v3 API) and two Patroni 3.0 nodes managing
// PostgreSQL 15, all on 127.0.0.1:<free ports>, data in a temp dir owned by `postgres` (Patroni and the
// servers it starts run as that user when the tests run as root). start() waits (bounded) for one
// running leader and one running replica on the leader's timeline. stop() ends Patroni (SIGTERM, which
// stops its PostgreSQL), then anything left by PID (Patroni, each postmaster from postmaster.pid, etcd);
// everything is killed on process exit whatever happens.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';
import { PG_BIN } from './postgres.js';

export const PATRONI = '/usr/bin/patroni';
export const ETCD = '/usr/bin/etcd';
export const PATRONI_REQUIREMENT = { what: 'Patroni 3 with PostgreSQL 15', paths: [PATRONI], install: 'apt-get install patroni postgresql-15' } as const;
export const ETCD_REQUIREMENT = { what: 'etcd server', paths: [ETCD], install: 'apt-get install etcd-server' } as const;

const pids = new Set<number>();
const dataDirs = new Set<string>();
process.on('exit', () => {
  for (const pid of pids) tryKill(pid, 'SIGKILL');
  for (const d of dataDirs) {
    const pid = postmasterPid(d);
    if (pid !== undefined) tryKill(pid, 'SIGKILL');
  }
});

function tryKill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function own(path: string): void {
  const who = owner();
  if (who) chownSync(path, who.uid, who.gid);
}

interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  exited: boolean;
}

function start(cmd: string, args: readonly string[], logPath: string, asPostgres: boolean, home: string): Proc {
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, HOME: home, PYTHONUNBUFFERED: '1' }, ...(asPostgres ? (owner() ?? {}) : {}) });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  const p: Proc = { child, pid: child.pid, exited: false };
  pids.add(p.pid);
  child.on('exit', () => {
    p.exited = true;
    pids.delete(p.pid);
  });
  return p;
}

async function stopProc(p: Proc, sig: NodeJS.Signals, waitMs: number): Promise<void> {
  if (p.exited) return;
  tryKill(p.pid, sig);
  const until = Date.now() + waitMs;
  while (!p.exited && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (!p.exited) tryKill(p.pid, 'SIGKILL');
}

export interface PatroniNodeInfo {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly api: string;
  readonly pgPort: number;
  readonly dataDir: string;
}

export interface PatroniCluster {
  readonly scope: string;
  readonly nodes: readonly PatroniNodeInfo[];
  readonly etcd: string;
  readonly dir: string;
  /** GET /cluster from the first node that answers. */
  cluster(): Promise<ClusterView>;
  log(name: string): string;
  stop(): Promise<void>;
}

export interface ClusterView {
  readonly members: readonly { name: string; role: string; state: string; timeline?: number; lag?: number | string }[];
}

function config(scope: string, node: PatroniNodeInfo, apiPort: number, etcdPort: number, dir: string): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    scope,
    namespace: '/runbook-test/',
    name: node.name,
    restapi: { listen: `127.0.0.1:${apiPort}`, connect_address: `127.0.0.1:${apiPort}` },
    etcd3: { hosts: `127.0.0.1:${etcdPort}` },
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
      bin_dir: PG_BIN,
      pgpass: join(dir, `pgpass-${node.name}`),
      authentication: { superuser: { username: 'postgres', password: 'postgres' }, replication: { username: 'replicator', password: 'replicator' } },
      parameters: { unix_socket_directories: join(dir, 'sockets') },
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

/** etcd + two Patroni nodes; resolves once pg0 or pg1 leads and the other runs as its replica on the same timeline. */
export async function startPatroniCluster(): Promise<PatroniCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-patroni-'));
  own(dir);
  mkdirSync(join(dir, 'sockets'));
  own(join(dir, 'sockets'));
  mkdirSync(join(dir, 'etcd'), { mode: 0o700 });
  const scope = `rb-${randomBytes(4).toString('hex')}`;
  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const procs: Proc[] = [];
  const etcd = start(ETCD, [
    '--name', 'e1', '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `e1=http://127.0.0.1:${etcdPeer}`, '--log-level', 'warn',
  ], join(dir, 'etcd.log'), false, dir);
  const nodes: PatroniNodeInfo[] = [];
  const stopAll = async (): Promise<void> => {
    // Patroni stops its PostgreSQL on SIGTERM; whatever is left is killed by PID.
    await Promise.all(procs.map((p) => stopProc(p, 'SIGTERM', 15_000)));
    for (const n of nodes) {
      const pid = postmasterPid(n.dataDir);
      if (pid !== undefined && tryKill(pid, 'SIGQUIT')) await new Promise((r) => setTimeout(r, 200));
      if (pid !== undefined) tryKill(pid, 'SIGKILL');
      dataDirs.delete(n.dataDir);
    }
    await stopProc(etcd, 'SIGTERM', 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (name: string): string => {
    try {
      return readFileSync(join(dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        await getJson(`http://127.0.0.1:${etcdClient}/version`);
        break;
      } catch (e) {
        if (etcd.exited || Date.now() > until) throw new Error(`etcd did not start: ${String(e)}\n${log('etcd')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const name of ['pg0', 'pg1']) {
      const [apiPort, pgPort] = [await freePort(), await freePort()];
      const node: PatroniNodeInfo = { name, api: `http://127.0.0.1:${apiPort}`, pgPort, dataDir: join(dir, name) };
      nodes.push(node);
      dataDirs.add(node.dataDir);
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, config(scope, node, apiPort, etcdClient, dir));
      own(file);
      procs.push(start(PATRONI, [file], join(dir, `${name}.log`), true, dir));
      // Let the first node bootstrap alone, so that it leads and the second clones from it.
      if (name === 'pg0') await waitFor(nodes, (v) => v.members.some((m) => m.role === 'leader' && m.state === 'running'), 60_000, log);
    }
    await waitFor(nodes, (v) => healthy(v), 90_000, log);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    scope, nodes, etcd: `http://127.0.0.1:${etcdClient}`, dir, log,
    cluster: () => clusterView(nodes),
    stop: stopAll,
  };
}

/** One running leader and a running replica on its timeline. */
export function healthy(v: ClusterView): boolean {
  const leader = v.members.find((m) => m.role === 'leader' && m.state === 'running');
  return leader !== undefined && v.members.length === 2 && v.members.every((m) => m === leader || (['replica', 'sync_standby'].includes(m.role) && ['running', 'streaming'].includes(m.state) && m.timeline === leader.timeline));
}

async function clusterView(nodes: readonly PatroniNodeInfo[]): Promise<ClusterView> {
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

export async function waitFor(nodes: readonly PatroniNodeInfo[], ok: (v: ClusterView) => boolean, timeoutMs: number, log: (name: string) => string): Promise<ClusterView> {
  const until = Date.now() + timeoutMs;
  let last: ClusterView | string = 'no answer';
  for (;;) {
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
    await new Promise((r) => setTimeout(r, 250));
  }
}
