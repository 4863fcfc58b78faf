// The local lab: `up` starts every part (lab/start.ts) from the machine's own binaries on
// 127.0.0.1, `down` stops every PID in state.json and removes the lab directory, `status` says
// which PIDs are alive and the params that point the library runbooks at the lab.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { PORT_NAMES, type LabConfig, type PortName } from './config.js';
import { paramArgs, runbookParams } from './params.js';
import { clusterView } from './patroni.js';
import { pgOwner, postmasterAlive, postmasterPid } from './postgres.js';
import { executable, portFree } from './process.js';
import { reachable, startPatroni, startPgPair, startRedisPair, startSshdTarget, type StartContext } from './start.js';
import { stopComponents } from './stop.js';
import { componentAlive, livePid, readState, statePath, writeState, type LabState } from './state.js';

export interface Out {
  log(line: string): void;
  error(line: string): void;
}

/** What would stop lab:up before it starts anything: missing binaries, taken ports. */
export async function preflight(cfg: LabConfig): Promise<string[]> {
  const problems: string[] = [];
  const need: [string, string, string][] = [
    [join(cfg.bin.pgBin, 'postgres'), 'PostgreSQL 15 (apt-get install postgresql-15)', 'RUNBOOK_LAB_PG_BIN'],
    [join(cfg.bin.pgBin, 'initdb'), 'PostgreSQL 15 (apt-get install postgresql-15)', 'RUNBOOK_LAB_PG_BIN'],
    [cfg.bin.patroni, 'Patroni (apt-get install patroni)', 'RUNBOOK_LAB_PATRONI'],
    [cfg.bin.etcd, 'etcd (apt-get install etcd-server)', 'RUNBOOK_LAB_ETCD'],
    [cfg.bin.redis, 'Redis (apt-get install redis-server)', 'RUNBOOK_LAB_REDIS_SERVER'],
    [cfg.bin.sshd, 'OpenSSH server (apt-get install openssh-server)', 'RUNBOOK_LAB_SSHD'],
  ];
  for (const [path, what, env] of need) {
    if (!executable(path)) problems.push(`${path} not found: install ${what}, or set ${env}`);
  }
  const taken: PortName[] = [];
  for (const name of PORT_NAMES) {
    if (!(await portFree(cfg.ports[name]))) taken.push(name);
  }
  for (const name of taken) {
    problems.push(`port ${cfg.ports[name]} (${name}) on 127.0.0.1 is taken: stop what listens there, or move it: npm run lab:up -- --port ${name}=N (or RUNBOOK_LAB_PORTS=${name}=N)`);
  }
  return problems;
}

const PARTS = [
  ['Patroni', startPatroni],
  ['PostgreSQL', startPgPair],
  ['Redis', startRedisPair],
  ['sshd', startSshdTarget],
] as const;

export async function up(cfg: LabConfig, out: Out): Promise<number> {
  const existing = readState(cfg.dir);
  if (existing) {
    const dead = existing.components.filter((c) => !componentAlive(c));
    if (existing.status === 'up' && dead.length === 0) {
      out.log(`The lab is already up in ${cfg.dir}: nothing started. (npm run lab:status shows it, npm run lab:down stops it.)`);
      return 0;
    }
    out.error(`A lab was started in ${cfg.dir} (${existing.status}) but ${dead.length ? dead.map((c) => c.name).join(', ') + ` ${dead.length === 1 ? 'is' : 'are'} not running` : 'it is still starting, or never finished'}: run npm run lab:down, then lab:up.`);
    return 1;
  }
  if (existsSync(cfg.dir) && readdirSync(cfg.dir).length > 0) {
    out.error(`${cfg.dir} exists and is not a lab (no state.json): remove it, or set RUNBOOK_LAB_DIR to another directory.`);
    return 1;
  }
  const problems = await preflight(cfg);
  if (problems.length > 0) {
    out.error(`lab:up: nothing started:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  mkdirSync(cfg.dir, { recursive: true });
  chmodSync(cfg.dir, 0o755); // the servers' users (postgres, the ssh login) traverse it
  const pgUser = pgOwner();
  const state: LabState = {
    version: 1, status: 'starting', dir: cfg.dir, startedAt: new Date().toISOString(),
    runAs: { postgres: pgUser ? 'postgres' : userInfo().username, ssh: cfg.sshUser },
    ports: cfg.ports, components: [],
  };
  writeState(state);
  const ctx: StartContext = { cfg, state, aborted: false };
  let sweeping: Promise<string[]> | undefined;
  const giveUp = (): Promise<string[]> => {
    ctx.aborted = true;
    sweeping ??= stopComponents(state.components);
    return sweeping;
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    out.error(`\nlab:up: ${sig}: stopping what was started…`);
    void giveUp().then(async () => {
      await stopComponents(state.components);
      rmSync(cfg.dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const why = pgUser ? reachable(cfg.dir, pgUser, 'postgres') : undefined;
    if (why !== undefined) throw new Error(why);
    out.log(`Starting the lab in ${cfg.dir} …`);
    const errors: string[] = [];
    await Promise.all(PARTS.map(async ([what, start]) => {
      try {
        out.log(`  ✔ ${await start(ctx)}`);
      } catch (e) {
        if (!ctx.aborted) errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        void giveUp(); // the other parts' waits end as soon as their processes are gone
      }
    }));
    if (errors.length > 0 || ctx.aborted) throw new Error(errors.join('\n') || 'stopped');
  } catch (e) {
    await giveUp();
    const left = await stopComponents(state.components); // anything spawned while the first sweep ran
    out.error(`lab:up failed, everything it started is stopped${left.length ? ` except ${left.join(', ')}` : ''}:\n${e instanceof Error ? e.message : String(e)}`);
    if (left.length === 0) rmSync(cfg.dir, { recursive: true, force: true });
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  state.status = 'up';
  writeState(state);
  out.log('');
  await status(cfg, out);
  return 0;
}

export async function down(cfg: LabConfig, out: Out): Promise<number> {
  const state = readState(cfg.dir);
  if (!state) {
    if (!existsSync(cfg.dir)) {
      out.log(`The lab is not up (no ${cfg.dir}).`);
      return 0;
    }
    out.error(`${cfg.dir} has no state.json: nothing to stop by PID. If it is a lab left over, remove it (rm -r ${cfg.dir}).`);
    return 1;
  }
  out.log(`Stopping ${state.components.length} processes of the lab in ${cfg.dir} …`);
  const left = await stopComponents(state.components);
  if (left.length > 0) {
    out.error(`Still running after SIGKILL: ${left.join(', ')}. ${statePath(cfg.dir)} is kept: run lab:down again.`);
    return 1;
  }
  rmSync(cfg.dir, { recursive: true, force: true });
  out.log(`Stopped; removed ${cfg.dir}.`);
  return 0;
}

/** Patroni's leader now, asked with a short timeout; undefined when no member answers. */
async function patroniLeader(s: LabState): Promise<string | undefined> {
  if (!s.patroni) return undefined;
  try {
    const v = await clusterView(s.patroni.nodes.map((n) => ({ name: n.name, api: n.api, pgPort: 0, dataDir: n.dataDir })));
    return v.members.find((m) => m.role === 'leader')?.name;
  } catch {
    return undefined;
  }
}

export async function status(cfg: LabConfig, out: Out): Promise<number> {
  const s = readState(cfg.dir);
  if (!s) {
    out.log(`The lab is not up (no ${statePath(cfg.dir)}). Start it with npm run lab:up.`);
    return 1;
  }
  const leader = await patroniLeader(s);
  const rows: string[][] = [['component', 'pid', 'alive', 'port', 'address']];
  const address = (name: string): string => {
    const n = s.patroni?.nodes.find((x) => `patroni-${x.name}` === name);
    if (n) return `${n.api}${leader === n.name ? ' (leader)' : ''}`;
    return ({
      'pg-primary': s.postgres?.primary, 'pg-standby': s.postgres?.standby, etcd: s.patroni?.etcd,
      'redis-primary': s.redis?.primary, 'redis-replica': s.redis?.replica, sshd: s.ssh?.target,
    } as Record<string, string | undefined>)[name] ?? '';
  };
  let allAlive = s.status === 'up';
  const order = ['pg-primary', 'pg-standby', 'etcd', 'patroni-pg0', 'patroni-pg1', 'redis-primary', 'redis-replica', 'sshd'];
  for (const c of [...s.components].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))) {
    const alive = componentAlive(c);
    allAlive &&= alive;
    rows.push([c.name, String(livePid(c)), alive ? 'yes' : 'NO', String(c.port), address(c.name)]);
    if (c.kind === 'patroni' && c.dataDir !== undefined) {
      const pid = postmasterPid(c.dataDir);
      const pgAlive = pid !== undefined && postmasterAlive(pid);
      allAlive &&= pgAlive;
      const n = s.patroni?.nodes.find((x) => `patroni-${x.name}` === c.name);
      const port = c.name.endsWith('pg0') ? s.ports['patroni-pg0'] : s.ports['patroni-pg1'];
      rows.push([`  └ postgres`, pid === undefined ? '-' : String(pid), pgAlive ? 'yes' : 'NO', String(port), n?.dsn ?? '']);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  out.log(`Lab in ${s.dir} (${s.status}, started ${s.startedAt}; PostgreSQL and Patroni run as ${s.runAs.postgres}, ssh login ${s.runAs.ssh})`);
  for (const r of rows) out.log(`  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`);
  if (s.ssh) {
    out.log('');
    out.log(`ssh target: ${s.ssh.target}  key: ${s.ssh.privateKey}  known_hosts: ${s.ssh.knownHosts}`);
    out.log(`  ssh -i ${s.ssh.privateKey} -o UserKnownHostsFile=${s.ssh.knownHosts} -p ${s.ssh.port} ${s.ssh.user}@127.0.0.1`);
  }
  out.log('');
  out.log('Params for the library runbooks (npx runbook run <runbook> <params>):');
  for (const p of runbookParams(s, leader)) {
    out.log(`  ${p.runbook}`);
    out.log(`    ${paramArgs(p)}`);
    if (p.note) out.log(`    (${p.note})`);
  }
  out.log('');
  out.log(`Everything else (the ops password, DSNs, data dirs, logs): ${statePath(s.dir)}`);
  if (!allAlive) out.error(s.status === 'up' ? 'Some lab processes are not running (NO above): npm run lab:down, then lab:up.' : 'The lab did not finish starting: npm run lab:down.');
  return allAlive ? 0 : 1;
}
