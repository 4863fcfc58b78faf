// Stops what state.json lists, by PID: Patroni first (SIGTERM: it stops its PostgreSQL), then every
// postmaster (fast shutdown, SIGKILL after 10 s; the PID from the data dir's postmaster.pid, so a
// server restarted since lab:up is found too), etcd, Redis and sshd (with its connections).
import { stopPatroni } from './patroni.js';
import { postmasterAlive, postmasterPid, stopPostmaster } from './postgres.js';
import { stopRedis } from './redis.js';
import { stopSshd } from './sshd.js';
import { componentAlive, type LabComponent } from './state.js';

/** Every component and postmaster stopped; returns the names of those still running (none, normally). */
export async function stopComponents(cs: readonly LabComponent[]): Promise<string[]> {
  const of = (k: LabComponent['kind']): LabComponent[] => cs.filter((c) => c.kind === k);
  const dataDirs = cs.flatMap((c) => (c.dataDir === undefined ? [] : [c.dataDir]));
  const etcd = of('etcd')[0];
  await stopPatroni({ patroni: of('patroni'), dataDirs, ...(etcd ? { etcd } : {}), postgres: 'fast' });
  // A postmaster killed before it wrote postmaster.pid is only known by its recorded PID.
  await Promise.all(of('postgres').map((c) => stopPostmaster(c.pid, 'fast', 10_000)));
  await Promise.all([...of('redis').map(stopRedis), ...of('sshd').map(stopSshd)]);
  const left = cs.filter(componentAlive).map((c) => `${c.name} (pid ${c.pid})`);
  for (const c of of('patroni')) {
    const pid = c.dataDir === undefined ? undefined : postmasterPid(c.dataDir);
    if (pid !== undefined && postmasterAlive(pid)) left.push(`${c.name}'s postgres (pid ${pid})`);
  }
  return left;
}
