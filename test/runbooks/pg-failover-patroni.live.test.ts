// The library runbook runbooks/pg-failover-patroni.ts run LIVE through the CLI (`--yes` answers its confirm)
// against a real Patroni 3 cluster started on 127.0.0.1: etcd and two Patroni nodes managing PostgreSQL 15.
// `patronictl list` runs for real (`patronictl -c <node config>`), the switchover goes through the REST API.
// The end state is asked of the cluster and of PostgreSQL afterwards: the leader changed to the candidate on
// a later timeline, and the old leader runs as a replica (in recovery, streaming from the new leader).
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { runRunbook } from '../helpers/runbooks.js';
import { PG_REQUIREMENT } from '../helpers/servers/postgres.js';
import { ETCD_REQUIREMENT, PATRONI_REQUIREMENT, startPatroniCluster, type PatroniCluster } from '../helpers/servers/patroni.js';

const HAVE = requires(PATRONI_REQUIREMENT) && requires(ETCD_REQUIREMENT) && requires(PG_REQUIREMENT);
const ID = 'pg-failover-patroni';

async function ask<T extends Record<string, unknown>>(port: number, sql: string): Promise<T[]> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe.skipIf(!HAVE)('pg-failover-patroni LIVE (real etcd + 2 Patroni nodes + PostgreSQL 15)', () => {
  let cluster: PatroniCluster | undefined;
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    tmp = tempDir('runbook-patroni-live-');
    const t0 = Date.now();
    cluster = await startPatroniCluster();
    process.stderr.write(`patroni cluster up in ${Date.now() - t0} ms\n`);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    tmp?.cleanup();
  }, 60_000);

  it('switches over with patronictl list before/after: the leader changed, the old leader is a running replica; exit 0', async () => {
    const k = cluster as PatroniCluster;
    const before = await k.cluster();
    const leader = before.members.find((m) => m.role === 'leader');
    const replica = before.members.find((m) => m !== leader);
    if (!leader || !replica) throw new Error(`no leader/replica: ${JSON.stringify(before)}`);
    const node = (name: string) => k.nodes.find((n) => n.name === name)!;
    const store = join(tmp.dir, 'store');
    const t0 = Date.now();
    const r = await runRunbook(ID, store, ['--yes',
      '-p', `api=${k.nodes.map((n) => n.api).join(',')}`,
      '-p', `leader=${leader.name}`, '-p', `candidate=${replica.name}`,
      '-p', `candidateDsn=postgres://postgres@127.0.0.1:${node(replica.name).pgPort}/postgres`,
      '-p', `patronictl=patronictl -c ${join(k.dir, `${leader.name}.yml`)}`,
      '-p', 'conjur=false',
    ], { cwd: tmp.dir, timeoutMs: 200_000 });
    process.stderr.write(`pg-failover-patroni live run: ${Date.now() - t0} ms\n`);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);

    const evs = r.events;
    const fin = r.finished;
    expect(fin.get('patronictl-list-before')).toMatchObject({ status: 'ok', value: leader.name });
    expect(r.stdout).toMatch(/\|\s*Leader\s*\|/); // the real patronictl table is on the screen
    expect(fin.get('switchover')?.status).toBe('ok');
    expect(fin.get('switchover')?.value).toMatchObject({ ok: true, operation: 'switchover', oldPrimary: leader.name, newPrimary: replica.name });
    const sw = fin.get('switchover')?.value as { timelineBefore: number; timelineAfter: number };
    expect(sw.timelineAfter).toBeGreaterThan(sw.timelineBefore);
    expect(fin.get('failover')).toMatchObject({ status: 'skipped', reason: 'condition (when) is false' });
    expect(fin.get('patronictl-list-after')).toMatchObject({ status: 'ok', value: replica.name });
    expect(fin.get('write-readback')?.status).toBe('ok');
    expect(evs.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });

    // The real end state, asked directly.
    const after = await k.cluster();
    const newLeader = after.members.find((m) => m.role === 'leader');
    const old = after.members.find((m) => m.name === leader.name);
    expect(newLeader?.name).toBe(replica.name);
    expect(newLeader?.timeline).toBe(sw.timelineAfter);
    expect(old?.role).toMatch(/^(replica|sync_standby)$/);
    expect(old?.state).toMatch(/^(running|streaming)$/);
    expect(old?.timeline).toBe(newLeader?.timeline);
    // The old leader's PostgreSQL is a standby now, receiving WAL from the new leader; the new one takes writes.
    expect(await ask(node(leader.name).pgPort, 'select pg_is_in_recovery() as r')).toEqual([{ r: true }]);
    const recv = await ask<{ status: string; port: number }>(node(leader.name).pgPort, 'select status, sender_port as port from pg_stat_wal_receiver');
    expect(recv).toEqual([{ status: 'streaming', port: node(replica.name).pgPort }]);
    expect(await ask(node(replica.name).pgPort, 'select pg_is_in_recovery() as r')).toEqual([{ r: false }]);
    expect(await ask(node(replica.name).pgPort, "insert into runbook_dr_probe (note) values ('test') returning note")).toEqual([{ note: 'test' }]);
  }, 240_000);
});
