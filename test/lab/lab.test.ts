// The local lab through its entry point (`node dist/lab.js up|status|down`, what npm run lab:* runs),
// in a temp RUNBOOK_LAB_DIR on free (non-default) ports: every component comes up for real (a write
// on the primary reaches the streaming standby, Patroni has a leader and a replica, the Redis
// replica's link is up, sshd accepts the generated key checked against the generated known_hosts),
// status says all alive, a second up starts nothing, down leaves no PID alive and no directory. A
// taken port fails before anything starts; a part that fails mid-way leaves nothing running.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_NAMES, type LabPorts } from '../../lab/config.js';
import { ETCD, healthy, PATRONI, type ClusterView } from '../../lab/patroni.js';
import { PG_BIN, postmasterPid } from '../../lab/postgres.js';
import { freePort, pidAlive, portFree } from '../../lab/process.js';
import { REDIS_SERVER } from '../../lab/redis.js';
import { SSHD } from '../../lab/sshd.js';
import type { LabState } from '../../lab/state.js';
import { requires } from '../helpers/requires.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAB = join(ROOT, 'dist', 'lab.js');
const HAVE = [
  requires({ what: 'PostgreSQL 15 server', paths: [`${PG_BIN}/postgres`], install: 'apt-get install postgresql-15' }),
  requires({ what: 'Patroni 3 with PostgreSQL 15', paths: [PATRONI], install: 'apt-get install patroni postgresql-15' }),
  requires({ what: 'etcd server', paths: [ETCD], install: 'apt-get install etcd-server' }),
  requires({ what: 'Redis server', paths: [REDIS_SERVER], install: 'apt-get install redis-server' }),
  requires({ what: 'OpenSSH server', paths: [SSHD], install: 'apt-get install openssh-server' }),
].every(Boolean);

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node dist/lab.js <args>` with the lab dir and ports in its environment. */
function lab(args: readonly string[], env: Record<string, string>): Promise<Result> {
  if (!existsSync(LAB)) throw new Error(`${LAB} is missing: run "npm run build"`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAB, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Eleven distinct free ports, none of them the defaults. */
async function freePorts(): Promise<LabPorts> {
  const used = new Set<number>();
  const ports = {} as LabPorts;
  for (const name of PORT_NAMES) {
    let p = await freePort();
    while (used.has(p)) p = await freePort();
    used.add(p);
    ports[name] = p;
  }
  return ports;
}

const portsEnv = (ports: LabPorts): string => PORT_NAMES.map((n) => `${n}=${ports[n]}`).join(',');
const newDir = (): string => join(tmpdir(), `runbook-lab-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

async function poll<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await get();
      if (ok(v)) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs / 1000}s; last: ${String(last instanceof Error ? last.message : JSON.stringify(last))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function query<T extends Record<string, unknown>>(dsn: string, sql: string, values?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: dsn, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

async function redisInfo(url: string): Promise<string> {
  const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await r.info('replication');
  } finally {
    r.disconnect();
  }
}

/** Every PID the lab runs now: what state.json lists and the postmasters Patroni started. */
function labPids(s: LabState): number[] {
  return [...s.components.map((c) => c.pid), ...s.components.flatMap((c) => (c.dataDir === undefined ? [] : [postmasterPid(c.dataDir) ?? -1]))].filter((p) => p > 0);
}

describe.skipIf(!HAVE)('lab:up / lab:status / lab:down', () => {
  const dir = newDir();
  let ports: LabPorts;
  let env: Record<string, string>;
  let state: LabState;
  let upResult: Result;

  beforeAll(async () => {
    ports = await freePorts();
    env = { RUNBOOK_LAB_DIR: dir, RUNBOOK_LAB_PORTS: portsEnv(ports) };
    upResult = await lab(['up'], env);
    if (existsSync(join(dir, 'state.json'))) state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LabState;
  }, 300_000);

  afterAll(async () => {
    // Whatever happened above: nothing of the lab survives the test file.
    if (existsSync(join(dir, 'state.json'))) await lab(['down'], env);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('up brings every component up on the given ports and records them in state.json', () => {
    expect(upResult.code, upResult.stderr + upResult.stdout).toBe(0);
    expect(state.status).toBe('up');
    expect(state.dir).toBe(dir);
    expect(state.ports).toEqual(ports);
    expect(state.components.map((c) => c.name).sort()).toEqual(['etcd', 'patroni-pg0', 'patroni-pg1', 'pg-primary', 'pg-standby', 'redis-primary', 'redis-replica', 'sshd']);
    for (const c of state.components) expect(pidAlive(c.pid, c.match), c.name).toBe(true);
    expect(state.postgres?.primary).toBe(`postgres://postgres@127.0.0.1:${ports['pg-primary']}/postgres`);
    expect(state.ssh?.target).toMatch(new RegExp(`@127\\.0\\.0\\.1:${ports.sshd}$`));
  });

  it('the primary accepts writes (as ops, with its password) and the standby streams them, in recovery', async () => {
    const pgState = state.postgres;
    if (!pgState) throw new Error('no postgres in state.json');
    await query(pgState.ops.primary, 'create table lab_probe (note text)');
    await query(pgState.ops.primary, 'insert into lab_probe values ($1)', ['from the test']);
    const standby = await query<{ r: boolean; status: string | null }>(pgState.standby, 'select pg_is_in_recovery() as r, (select status from pg_stat_wal_receiver) as status');
    expect(standby[0]).toEqual({ r: true, status: 'streaming' });
    const rows = await poll('the row on the standby', () => query<{ note: string }>(pgState.standby, "select note from lab_probe where note = 'from the test'").catch(() => []), (r) => r.length === 1);
    expect(rows[0]?.note).toBe('from the test');
    const replicas = await query<{ state: string }>(pgState.primary, 'select state from pg_stat_replication');
    expect(replicas.map((r) => r.state)).toEqual(['streaming']);
  });

  it('Patroni has a running leader and a streaming replica on its timeline', async () => {
    const api = state.patroni?.api[0];
    if (!api) throw new Error('no patroni in state.json');
    const view = (await (await fetch(`${api}/cluster`)).json()) as ClusterView;
    expect(healthy(view)).toBe(true);
    expect(view.members.map((m) => m.role).sort()).toEqual(['leader', 'replica']);
    const replicaDsn = state.patroni?.nodes.find((n) => n.name === view.members.find((m) => m.role === 'replica')?.name)?.dsn ?? '';
    // The WAL receiver can be between connections for a moment after Patroni reports the member
    // (under load): poll, bounded, until it streams.
    let r: { r: boolean; status: string | null }[] = [];
    for (let i = 0; i < 60; i++) {
      r = await query<{ r: boolean; status: string | null }>(replicaDsn, 'select pg_is_in_recovery() as r, (select status from pg_stat_wal_receiver) as status');
      if (r[0]?.status === 'streaming') break;
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(r[0]).toEqual({ r: true, status: 'streaming' });
  });

  it('the Redis replica is linked to the primary', async () => {
    const info = await redisInfo(state.redis?.replica ?? '');
    expect(info).toMatch(/role:slave/);
    expect(info).toMatch(/master_link_status:up/);
    expect(info).toContain(`master_port:${ports['redis-primary']}`);
    expect(await redisInfo(state.redis?.primary ?? '')).toMatch(/connected_slaves:1/);
  });

  it('sshd accepts the generated key, its host key checked against the generated known_hosts', () => {
    const s = state.ssh;
    if (!s) throw new Error('no ssh in state.json');
    const out = execFileSync('ssh', [
      '-i', s.privateKey, '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes', '-F', '/dev/null', '-p', String(s.port), `${s.user}@${s.host}`, 'echo "lab $(id -un)"',
    ], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe(`lab ${s.user}`);
    if (process.getuid?.() === 0) expect(s.user).toBe('runbook-lab');
  });

  it('status shows every component alive and the runbook params', async () => {
    const r = await lab(['status'], env);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['pg-primary', 'pg-standby', 'etcd', 'patroni-pg0', 'patroni-pg1', 'redis-primary', 'redis-replica', 'sshd']) {
      expect(r.stdout).toMatch(new RegExp(`^ +${name} +\\d+ +yes +\\d+`, 'm'));
    }
    expect(r.stdout).toMatch(/└ postgres +\d+ +yes/);
    expect(r.stdout).not.toMatch(/ NO /);
    expect(r.stdout).toContain(`-p primary=postgres://postgres@127.0.0.1:${ports['pg-primary']}/postgres -p standby=postgres://postgres@127.0.0.1:${ports['pg-standby']}/postgres`);
    expect(r.stdout).toContain(`-p api=http://127.0.0.1:${ports['patroni-pg0-api']},http://127.0.0.1:${ports['patroni-pg1-api']}`);
    expect(r.stdout).toContain(`-p primaryPort=${ports['redis-primary']}`);
    expect(r.stdout).not.toContain(state.postgres?.ops.password ?? 'no password');
  });

  it('up again says the lab is already up and starts nothing', async () => {
    const r = await lab(['up'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already up/);
    const again = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LabState;
    expect(again.components).toEqual(state.components);
  });

  it('down stops every PID and removes the lab directory', async () => {
    const pids = labPids(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LabState);
    expect(pids.length).toBeGreaterThanOrEqual(10); // 8 components + Patroni's 2 postmasters
    const r = await lab(['down'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(pids.filter((p) => pidAlive(p))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    for (const name of PORT_NAMES) expect(await portFree(ports[name]), name).toBe(true);
    const second = await lab(['down'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/not up/);
    const st = await lab(['status'], env);
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/not up/);
  }, 120_000);
});

describe.skipIf(!HAVE)('lab:up that cannot finish leaves nothing running', () => {
  it('a taken port: refused before anything starts, naming the port and how to move it', async () => {
    const dir = newDir();
    const ports = await freePorts();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(ports['redis-replica'], '127.0.0.1', () => r()));
    try {
      const r = await lab(['up'], { RUNBOOK_LAB_DIR: dir, RUNBOOK_LAB_PORTS: portsEnv(ports) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${ports['redis-replica']} (redis-replica) on 127.0.0.1 is taken`);
      expect(r.stderr).toContain('--port redis-replica=N');
      expect(r.stderr).toContain('nothing started');
      expect(existsSync(dir)).toBe(false);
      for (const name of PORT_NAMES.filter((n) => n !== 'redis-replica')) expect(await portFree(ports[name]), name).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('a part that fails mid-way (Patroni does not run): what the others started is stopped and the directory removed', async () => {
    const dir = newDir();
    const ports = await freePorts();
    const r = await lab(['up'], { RUNBOOK_LAB_DIR: dir, RUNBOOK_LAB_PORTS: portsEnv(ports), RUNBOOK_LAB_PATRONI: '/bin/false' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lab:up failed, everything it started is stopped:\nPatroni: .*exited/);
    expect(existsSync(dir)).toBe(false);
    for (const name of PORT_NAMES) expect(await portFree(ports[name]), name).toBe(true);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(dir));
    expect(left).toEqual([]);
  }, 120_000);
});
