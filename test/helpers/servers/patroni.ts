// A real Patroni cluster for integration tests (lab/patroni.ts does the work): one etcd (v3 API) and
// two Patroni 3.0 nodes managing PostgreSQL 15, all on 127.0.0.1:<free ports>, data in a temp dir
// owned by `postgres` (Patroni and the servers it starts run as that user when the tests run as
// root). start() waits (bounded) for one running leader and one running replica on the leader's
// timeline. stop() ends Patroni (SIGTERM, which stops its PostgreSQL), then anything left by PID
// (Patroni, each postmaster from postmaster.pid, etcd); everything is killed on process exit whatever happens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterView, ETCD, healthy, PATRONI, startPatroniCluster as startCluster, stopPatroni, waitFor, type ClusterView, type PatroniNodeInfo } from '../../../lab/patroni.js';
import { postmasterPid } from '../../../lab/postgres.js';
import { freePort, onExit, tryKill } from '../../../lab/process.js';

export { ETCD, healthy, PATRONI, waitFor, type ClusterView, type PatroniNodeInfo };
export const PATRONI_REQUIREMENT = { what: 'Patroni 3 with PostgreSQL 15', paths: [PATRONI], install: 'apt-get install patroni postgresql-15' } as const;
export const ETCD_REQUIREMENT = { what: 'etcd server', paths: [ETCD], install: 'apt-get install etcd-server' } as const;

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

/** etcd + two Patroni nodes; resolves once pg0 or pg1 leads and the other runs as its replica on the same timeline. */
export async function startPatroniCluster(): Promise<PatroniCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-patroni-'));
  // The postmasters are Patroni's children, not ours: killed by their postmaster.pid on exit.
  const forget = onExit(() => {
    for (const n of ['pg0', 'pg1']) {
      const pid = postmasterPid(join(dir, n));
      if (pid !== undefined) tryKill(pid, 'SIGKILL');
    }
  });
  const [etcdClient, etcdPeer, api0, api1, pg0, pg1] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  let c;
  try {
    c = await startCluster({
      dir, scope: `rb-${randomBytes(4).toString('hex')}`, namespace: '/runbook-test/',
      ports: { etcdClient, etcdPeer, api: [api0, api1], pg: [pg0, pg1] },
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    forget();
    throw e;
  }
  const { nodes, etcdProc, patroniProcs } = c;
  return {
    scope: c.scope, nodes, etcd: c.etcd, dir, log: c.log,
    cluster: () => clusterView(nodes),
    stop: async () => {
      await stopPatroni({ patroni: patroniProcs, dataDirs: nodes.map((n) => n.dataDir), etcd: etcdProc, postgres: 'immediate' });
      rmSync(dir, { recursive: true, force: true });
      forget();
    },
  };
}
