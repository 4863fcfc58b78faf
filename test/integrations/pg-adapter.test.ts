// The pg adapter against a real PostgreSQL 15 (started by the test): one client per target per run,
// a broken connection dropped and replaced, statement timeouts and interrupts as data with the
// statement cancelled on the server, and the read-only transaction a check runs in.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pg } from '../../dsl/actions/pg.js';
import { ACTION_BRAND } from '../../dsl/brand.js';
import type { ActionNode, RunbookPlan, RuntimeCtx } from '../../dsl/nodes.js';
import type { PgResult } from '../../dsl/results.js';
import { RunResources } from '../../interpreter/engine/resources.js';
import { runLive } from '../../interpreter/adapters/live.js';
import { pgError } from '../../interpreter/adapters/pg/errors.js';
import type { ActionEnv, ActionOutcome } from '../../interpreter/modes/types.js';
import { requires } from '../helpers/requires.js';
import { PG_REQUIREMENT, startPrimary, stopAll, type PgPrimary } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT);

function envFor(resources: RunResources, o: { timeoutMs?: number; signal?: AbortSignal; out?: string[] } = {}): ActionEnv {
  const ctx = { params: {}, steps: {}, run: { id: 'r', runbookId: 'rb', mode: 'live', operator: 'test', startedAt: '' } } as unknown as RuntimeCtx;
  return {
    stepId: 's', ctx, timeoutMs: o.timeoutMs, signal: o.signal ?? new AbortController().signal, interactive: false,
    onOutput: (_s, t) => o.out?.push(t), redact: (t) => t, runbookId: 'rb', runId: 'r', resources,
    progress: { plan: {} as RunbookPlan, outputs: new Map(), startedAtMs: Date.now(), now: () => Date.now() },
  };
}

const node = (a: unknown): ActionNode => (a as Record<PropertyKey, ActionNode>)[ACTION_BRAND] as ActionNode;
const result = (o: ActionOutcome): PgResult => o.result as PgResult;

describe.skipIf(!HAVE)('pg adapter (real PostgreSQL 15)', () => {
  let server: PgPrimary | undefined;
  let dsn = '';
  beforeAll(async () => {
    server = await startPrimary();
    dsn = server.dsn('ops', server.password);
  }, 60_000);
  afterAll(async () => {
    await stopAll(server, []);
  });

  const backends = async (): Promise<number> =>
    Number((await (server as PgPrimary).query<{ n: string }>("select count(*) as n from pg_stat_activity where application_name = 'runbook'"))[0]?.n);

  it('keeps one client per target for the run, and closes it when the run ends', async () => {
    const resources = new RunResources();
    for (let i = 0; i < 3; i++) expect((await runLive(node(pg.query(dsn, 'select $1::int as i', [i])), envFor(resources))).ok).toBe(true);
    expect(resources.size).toBe(1);
    expect(await backends()).toBe(1);
    await resources.closeAll();
    for (let i = 0; i < 50 && (await backends()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await backends()).toBe(0);
  });

  it('a connection killed between steps is replaced: the next step connects afresh', async () => {
    const resources = new RunResources();
    const env = envFor(resources);
    const first = await runLive(node(pg.query(dsn, 'select pg_backend_pid() as pid')), env);
    const pid = result(first).rows[0]?.['pid'];
    await (server as PgPrimary).query('select pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 200));
    const second = await runLive(node(pg.query(dsn, 'select pg_backend_pid() as pid')), env);
    expect(second.ok).toBe(true);
    expect(result(second).rows[0]?.['pid']).not.toBe(pid);
    await resources.closeAll();
  });

  it("a statement running past the step's timeout is stopped by the server and comes back as timedOut data", async () => {
    const resources = new RunResources();
    const o = await runLive(node(pg.exec(dsn, 'select pg_sleep(30)')), envFor(resources, { timeoutMs: 300 }));
    expect(o.ok).toBe(false);
    expect(o.timedOut).toBe(true);
    expect(result(o)).toMatchObject({ ok: false, timedOut: true, error: { code: 'ETIMEDOUT' } });
    expect(o.error).toContain('canceling statement due to statement timeout');
    // the session is still usable afterwards
    expect((await runLive(node(pg.query(dsn, 'select 1 as one')), envFor(resources))).ok).toBe(true);
    await resources.closeAll();
  });

  it('an interrupt cancels the statement on the server (no pg_sleep left running) and drops the client', async () => {
    const resources = new RunResources();
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGINT'), 300);
    const o = await runLive(node(pg.exec(dsn, 'select pg_sleep(30)')), envFor(resources, { signal: ac.signal }));
    expect(o.ok).toBe(false);
    expect(result(o).error?.code).toBe('EABORTED');
    expect(resources.size).toBe(0);
    let sleeping = 1;
    for (let i = 0; i < 100 && sleeping > 0; i++) {
      sleeping = Number((await (server as PgPrimary).query<{ n: string }>("select count(*) as n from pg_stat_activity where query like 'select pg_sleep(30)%' and state = 'active'"))[0]?.n);
      if (sleeping > 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sleeping).toBe(0);
    await resources.closeAll();
  });

  it('a check runs read-only: no writes, no way to switch to read-write, one statement only', async () => {
    const resources = new RunResources();
    const env = envFor(resources);
    const write = await runLive(node(pg.query(dsn, 'insert into pg_temp.x values (1)')), env);
    expect(write.ok).toBe(false);
    const rw = await runLive(node(pg.query(dsn, 'set transaction read write')), env);
    expect(result(rw).error).toMatchObject({ code: '25001' });
    const escape = await runLive(node(pg.query(dsn, 'commit; create table escaped (x int)')), env);
    expect(result(escape).error?.code).toBe('42601'); // cannot insert multiple commands into a prepared statement
    expect((await (server as PgPrimary).query("select to_regclass('public.escaped') as t"))[0]?.['t']).toBeNull();
    // and the session is clean for the next step
    expect((await runLive(node(pg.exec(dsn, 'create table made_by_exec (x int)')), env)).ok).toBe(true);
    expect((await (server as PgPrimary).query("select to_regclass('public.made_by_exec') as t"))[0]?.['t']).toBe('made_by_exec');
    await resources.closeAll();
  });

  it('an exec that leaves a transaction open is rolled back and fails, naming why', async () => {
    const resources = new RunResources();
    const o = await runLive(node(pg.exec(dsn, 'begin; create table half_done (x int)')), envFor(resources));
    expect(o.ok).toBe(false);
    expect(result(o).error?.code).toBe('EOPENTX');
    expect((await (server as PgPrimary).query("select to_regclass('public.half_done') as t"))[0]?.['t']).toBeNull();
    await resources.closeAll();
  });

  it('a server that accepts but never answers: the connect attempt ends at the step timeout as ETIMEDOUT', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((sock) => void sockets.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const resources = new RunResources();
    const o = await runLive(node(pg.query(`postgres://ops@127.0.0.1:${port}/postgres`, 'select 1')), envFor(resources, { timeoutMs: 300 }));
    expect(o.ok).toBe(false);
    expect(o.timedOut).toBe(true);
    expect(result(o).error).toEqual({ code: 'ETIMEDOUT', message: 'no connection within 300 ms' });
    await resources.closeAll();
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a wrong database, an unknown host and a bad lazy target are data, never the password', async () => {
    const resources = new RunResources();
    const p = server as PgPrimary;
    const noDb = await runLive(node(pg.query(`postgres://ops:${p.password}@127.0.0.1:${p.port}/nope`, 'select 1')), envFor(resources));
    expect(result(noDb).error).toEqual({ code: '3D000', message: 'database "nope" does not exist' });
    const dns = await runLive(node(pg.query('postgres://ops@no-such-host.invalid:5432/postgres', 'select 1')), envFor(resources));
    expect(result(dns).error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
    const lazy = await runLive(node(pg.query(() => { throw new Error('no standby known'); }, 'select 1')), envFor(resources));
    expect(lazy.ok).toBe(false);
    expect(lazy.error).toContain('no standby known');
    expect(JSON.stringify([noDb, dns, lazy])).not.toContain(p.password);
    // a driver message that does contain it is scrubbed
    expect(pgError(new Error(`boom ${p.password} and ${encodeURIComponent(p.password)}`), { host: 'h', port: 1, user: 'u', password: p.password, database: 'd', sslmode: 'disable' }).message).toBe('boom *** and ***');
    await resources.closeAll();
  });
});
