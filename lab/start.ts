// The lab's four parts, each started detached on its fixed ports under the lab directory, every
// process recorded in state.json the moment it is spawned (so a failed or interrupted lab:up, or a
// lab:down after a crash, finds it):
//   pg/       PostgreSQL primary + streaming standby      pg-primary, pg-standby
//   patroni/  etcd + Patroni pg0 (leader), pg1 (replica)  etcd, patroni-pg0, patroni-pg1
//   redis/    Redis primary + replica                     redis-primary, redis-replica
//   ssh/      sshd, host key, client key, known_hosts     sshd
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabConfig } from './config.js';
import { startPatroniCluster } from './patroni.js';
import { baseBackup, createOpsRole, initPrimary, pgDsn, pgQuery, prepareRoot, startPostgres, waitStreaming } from './postgres.js';
import { tryKill, type Owner, type SpawnOptions } from './process.js';
import { startRedis, waitLinked } from './redis.js';
import { authorize, currentLogin, ensureLoginUser, keygen, publicKeyLine, sshdConfig, startSshd } from './sshd.js';
import { writeState, type ComponentKind, type LabState } from './state.js';

export interface StartContext {
  readonly cfg: LabConfig;
  readonly state: LabState;
  /** Set when lab:up gives up (a part failed, or Ctrl-C): a process spawned after that is killed at once. */
  aborted: boolean;
}

/** Where each named process belongs: its kind, port and (PostgreSQL) data dir. */
function describe(cfg: LabConfig, name: string): { kind: ComponentKind; port: number; dataDir?: string } {
  const p = cfg.ports;
  switch (name) {
    case 'pg-primary': return { kind: 'postgres', port: p['pg-primary'], dataDir: join(cfg.dir, 'pg', 'primary') };
    case 'pg-standby': return { kind: 'postgres', port: p['pg-standby'], dataDir: join(cfg.dir, 'pg', 'standby') };
    case 'etcd': return { kind: 'etcd', port: p.etcd };
    case 'patroni-pg0': return { kind: 'patroni', port: p['patroni-pg0-api'], dataDir: join(cfg.dir, 'patroni', 'pg0') };
    case 'patroni-pg1': return { kind: 'patroni', port: p['patroni-pg1-api'], dataDir: join(cfg.dir, 'patroni', 'pg1') };
    case 'redis-primary': return { kind: 'redis', port: p['redis-primary'] };
    case 'redis-replica': return { kind: 'redis', port: p['redis-replica'] };
    case 'sshd': return { kind: 'sshd', port: p.sshd };
    default: throw new Error(`lab: unknown process ${name}`);
  }
}

/** Detached, and recorded in state.json as soon as spawned. */
function spawnOptions(ctx: StartContext): SpawnOptions {
  return {
    detached: true,
    onSpawn: (p, name) => {
      ctx.state.components.push({ name, ...describe(ctx.cfg, name), pid: p.pid, match: p.match, log: p.log });
      writeState(ctx.state);
      if (ctx.aborted) {
        tryKill(p.pid, 'SIGKILL');
        throw new Error('lab:up was stopped');
      }
    },
  };
}

/** As root: whether `who` can reach `dir` (every parent searchable), else a sentence saying what to do. */
export function reachable(dir: string, who: Owner, login: string): string | undefined {
  try {
    execFileSync('test', ['-x', dir], { ...who, stdio: 'ignore' });
    return undefined;
  } catch {
    return `the user ${login} cannot reach ${dir} (a parent directory is not searchable by others): set RUNBOOK_LAB_DIR to a directory under /tmp, or make the path searchable (chmod o+x)`;
  }
}

/** Data for the backup runbook to dump, restore and count: `payment_db` with two tables (before the standby is cloned). */
async function seedPaymentDb(port: number): Promise<void> {
  await pgQuery(port, 'create database payment_db');
  await pgQuery(port, [
    'create table accounts (id serial primary key, owner text not null, balance numeric(12,2) not null);',
    'create table payments (id serial primary key, account_id int not null references accounts, amount numeric(12,2) not null, created_at timestamptz not null default now());',
    "insert into accounts (owner, balance) select 'owner-' || g, g * 10 from generate_series(1, 100) g;",
    'insert into payments (account_id, amount) select 1 + (g % 100), g from generate_series(1, 1000) g;',
  ].join('\n'), undefined, 'payment_db');
}

export async function startPgPair(ctx: StartContext): Promise<string> {
  const { cfg, state } = ctx;
  const root = join(cfg.dir, 'pg');
  mkdirSync(root);
  prepareRoot(root);
  const spawn = spawnOptions(ctx);
  const bin = cfg.bin.pgBin;
  const primaryDir = join(root, 'primary');
  initPrimary(primaryDir, bin);
  const primary = await startPostgres({ name: 'pg-primary', root, dataDir: primaryDir, port: cfg.ports['pg-primary'], bin, spawn });
  const password = await createOpsRole(primary.port);
  await seedPaymentDb(primary.port);
  const standbyDir = join(root, 'standby');
  baseBackup(primary.port, standbyDir, bin);
  const standby = await startPostgres({ name: 'pg-standby', root, dataDir: standbyDir, port: cfg.ports['pg-standby'], bin, spawn });
  await waitStreaming(standby);
  // For the backup runbook: where it writes, and the passphrase of the encrypted copy (never on a command line).
  const backupDir = join(cfg.dir, 'backups');
  mkdirSync(backupDir, { mode: 0o700 });
  const passphraseFile = join(cfg.dir, 'backup-key');
  writeFileSync(passphraseFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  state.postgres = {
    primary: pgDsn(primary.port), standby: pgDsn(standby.port), database: 'payment_db', backupDir, passphraseFile,
    ops: { user: 'ops', password, primary: pgDsn(primary.port, 'ops', password), standby: pgDsn(standby.port, 'ops', password) },
    primaryDataDir: primaryDir, standbyDataDir: standbyDir, bin,
  };
  writeState(state);
  return `PostgreSQL primary 127.0.0.1:${primary.port}, standby 127.0.0.1:${standby.port} (streaming)`;
}

export async function startPatroni(ctx: StartContext): Promise<string> {
  const { cfg, state } = ctx;
  const p = cfg.ports;
  const c = await startPatroniCluster({
    dir: join(cfg.dir, 'patroni'), scope: 'runbook-lab', namespace: '/runbook-lab/',
    ports: { etcdClient: p.etcd, etcdPeer: p['etcd-peer'], api: [p['patroni-pg0-api'], p['patroni-pg1-api']], pg: [p['patroni-pg0'], p['patroni-pg1']] },
    patroni: cfg.bin.patroni, etcd: cfg.bin.etcd, pgBin: cfg.bin.pgBin, spawn: spawnOptions(ctx),
  });
  state.patroni = {
    scope: c.scope, api: c.nodes.map((n) => n.api), etcd: c.etcd,
    nodes: c.nodes.map((n) => ({ name: n.name, api: n.api, dsn: pgDsn(n.pgPort), dataDir: n.dataDir, config: join(c.dir, `${n.name}.yml`) })),
  };
  writeState(state);
  return `Patroni cluster ${c.scope}: pg0 (leader) ${c.nodes[0]?.api}, pg1 (replica) ${c.nodes[1]?.api}, etcd ${c.etcd}`;
}

export async function startRedisPair(ctx: StartContext): Promise<string> {
  const { cfg, state } = ctx;
  const dir = join(cfg.dir, 'redis');
  mkdirSync(dir);
  const spawn = spawnOptions(ctx);
  const primary = await startRedis({ dir, name: 'redis-primary', port: cfg.ports['redis-primary'], bin: cfg.bin.redis, spawn });
  const replica = await startRedis({ dir, name: 'redis-replica', port: cfg.ports['redis-replica'], replicaOf: primary.port, bin: cfg.bin.redis, spawn });
  await waitLinked(replica, undefined, () => `${primary.log().slice(-1000)}\n--- replica ---\n${replica.log().slice(-1000)}`);
  state.redis = { primary: primary.url, replica: replica.url };
  writeState(state);
  return `Redis primary 127.0.0.1:${primary.port}, replica 127.0.0.1:${replica.port} (link up)`;
}

export async function startSshdTarget(ctx: StartContext): Promise<string> {
  const { cfg, state } = ctx;
  const dir = join(cfg.dir, 'ssh');
  mkdirSync(dir, { mode: 0o711 });
  const root = process.getuid?.() === 0;
  const user = root ? ensureLoginUser(cfg.sshUser) : currentLogin();
  if (root) {
    const why = reachable(dir, user, user.name);
    if (why !== undefined) throw new Error(why);
  }
  const hostKey = join(dir, 'host_ed25519');
  const privateKey = join(dir, 'client_ed25519');
  keygen(hostKey, 'runbook-lab-host');
  keygen(privateKey, 'runbook-lab-client');
  // In the lab dir, not the user's ~/.ssh: nothing of the lab outlives lab:down. Outside the home,
  // StrictModes would refuse a path through /tmp; the file is the user's and 0600 all the same.
  const authorizedKeys = join(dir, 'authorized_keys');
  authorize(authorizedKeys, `${privateKey}.pub`, user);
  const port = cfg.ports.sshd;
  const configPath = join(dir, 'sshd_config');
  writeFileSync(configPath, sshdConfig({ port, dir, hostKey, authorizedKeys, user: user.name, strictModes: false }));
  const s = await startSshd({ configPath, logPath: join(dir, 'sshd.log'), port, bin: cfg.bin.sshd, spawn: spawnOptions(ctx) });
  if (s.outcome !== 'listening') throw new Error(`sshd did not start on 127.0.0.1:${port}: ${s.log().trim().slice(-2000)}`);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${publicKeyLine(`${hostKey}.pub`)}\n`);
  state.ssh = { target: `${user.name}@127.0.0.1:${port}`, host: '127.0.0.1', port, user: user.name, privateKey, knownHosts };
  writeState(state);
  return `sshd ${user.name}@127.0.0.1:${port} (key ${privateKey})`;
}
