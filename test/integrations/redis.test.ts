// Redis through the CLI against real servers: a primary and a replica (redis-server on 127.0.0.1,
// started by the test), the replica promoted for real. Refused connections are data; the password never
// reaches the screen or the journal; dry-run renders the commands and opens no socket; probe runs only
// the read-only commands.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { onlyRun } from '../helpers/store.js';
import { freePort, REDIS_REQUIREMENT, startRedisPair, type RedisPair } from '../helpers/servers/redis.js';
import { parseRedisConn, redis, redisConnText } from '../../dsl/actions/redis.js';
import { runbook, RunbookDefinitionError } from '../../dsl/index.js';
import { isReadOnly, renderAction } from '../../interpreter/render/render.js';
import type { RuntimeCtx } from '../../dsl/nodes.js';

const HAVE = requires(REDIS_REQUIREMENT);
const FAILOVER = fileURLToPath(new URL('../fixtures/redis/failover.ts', import.meta.url));
const REFUSED = fileURLToPath(new URL('../fixtures/redis/refused.ts', import.meta.url));
const RECORDER = fileURLToPath(new URL('../helpers/spawn-recorder.mjs', import.meta.url));
const PASSWORD = 'Tr0ub4dor&3 xyzzy';

interface Ev { type: string; stepId?: string; status?: string; result?: unknown; error?: string; action?: { text: string; effect: string } | null }

function events(store: string): Ev[] {
  return readFileSync(onlyRun(store), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
}
function finished(store: string): Map<string, Ev> {
  return new Map(events(store).filter((e) => e.type === 'step-finished').map((e) => [e.stepId ?? '', e]));
}

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-redis-');
});
afterEach(() => tmp.cleanup());

function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['run', file, '--store', join(tmp.dir, 'store'), '--ui', 'plain', ...args], { cwd: tmp.dir, env });
}

describe.skipIf(!HAVE)('redis: promote a replica (real redis-server primary + replica)', () => {
  let pair: RedisPair;
  beforeAll(async () => {
    pair = await startRedisPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('checks PING and role, promotes the replica, verifies role:master, and a write then succeeds on it', async () => {
    const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
    const r = await run(FAILOVER, [...p, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const store = join(tmp.dir, 'store');
    const f = finished(store);
    expect([...f.values()].map((e) => `${e.stepId}:${e.status}`)).toEqual([
      'replica-ping:ok', 'replica-role:ok', 'promote-replica:ok', 'now-master:ok', 'write:ok', 'read-back:ok',
    ]);
    expect(f.get('replica-ping')?.result).toMatchObject({ ok: true, reply: 'PONG', command: 'PING', target: `redis://127.0.0.1:${pair.replica.port}` });
    // the promotion's stages: the old link state before, slave → master after
    const promote = f.get('promote-replica')?.result as { ok: boolean; stages: Record<string, { ok: boolean; text: string; result?: Record<string, unknown> }> };
    expect(promote).toMatchObject({
      ok: true, driver: 'redis', oldPrimary: `redis://127.0.0.1:${pair.primary.port}`, newPrimary: `redis://127.0.0.1:${pair.replica.port}`,
      roleBefore: 'slave', roleAfter: 'master', before: { masterLinkStatus: 'up', lagBytes: 0 },
    });
    expect(r.stdout).toContain(`[done] primary: redis://127.0.0.1:${pair.primary.port} → redis://127.0.0.1:${pair.replica.port}`);
    expect(promote.stages['precheck']?.result).toMatchObject({
      role: 'slave', masterHost: '127.0.0.1', masterPort: pair.primary.port, masterLinkStatus: 'up', masterSyncInProgress: false, lagBytes: 0,
    });
    expect(promote.stages['precheck']?.text).toContain('master_link_status: up');
    expect(promote.stages['action']).toMatchObject({ ok: true, text: 'OK' });
    expect(promote.stages['verify']?.text).toMatch(/^role: slave → master/);
    expect(promote.stages['verify']?.result).toMatchObject({ roleBefore: 'slave', roleAfter: 'master' });
    expect(r.stdout).toContain('redis redis://127.0.0.1:');
    expect(r.stdout).toContain('REPLICAOF NO ONE');

    // the servers agree: the replica is a master now and holds the write
    const c = pair.client('replica');
    expect(await c.call('ROLE')).toEqual(expect.arrayContaining(['master']));
    expect(await c.get('runbook:failover')).toBe('promoted');
  });

  it('the precheck refuses a node that is already master: nothing changes, the step fails naming why', async () => {
    // the replica was promoted by the test above; run the promote alone again
    const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
    const r = await run(FAILOVER, [...p, '--yes', '--only', 'promote-replica']);
    expect(r.code).toBe(1);
    const e = finished(join(tmp.dir, 'store')).get('promote-replica');
    expect(e?.status).toBe('failed');
    expect(e?.error).toMatch(/precheck failed: .*is not a replica \(ROLE says master\)/);
    expect(e?.result).toMatchObject({ ok: false, failedStage: 'precheck', driver: 'redis', roleBefore: 'master', newPrimary: null, roleAfter: null });
    expect((e?.result as { stages: Record<string, unknown> }).stages['action']).toBeUndefined();
  });
});

describe.skipIf(!HAVE)('redis: with a password', () => {
  let pair: RedisPair;
  beforeAll(async () => {
    pair = await startRedisPair({ password: PASSWORD });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('authenticates, promotes, and the password is in neither the output nor the journal', async () => {
    const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
    const env = { RB_REDIS_TEST_PASSWORD: PASSWORD };
    const dry = await run(FAILOVER, [...p, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`redis redis://:***@127.0.0.1:${pair.replica.port}: PING (read-only)`);

    const r = await run(FAILOVER, [...p, '--yes'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`redis://:***@127.0.0.1:${pair.replica.port}`);
    const journals = allJournals(join(tmp.dir, 'store'));
    expect(journals.split('\n').filter((l) => l.includes('"run-started"'))).toHaveLength(2);
    for (const text of [dry.stdout, dry.stderr, r.stdout, r.stderr, journals]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
    expect(journals).toContain('redis://:***@127.0.0.1');
  });

  it('a wrong password is data: the check fails with the server\'s WRONGPASS, not a crash', async () => {
    const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
    const r = await run(FAILOVER, [...p, '--yes', '--only', 'replica-ping'], { RB_REDIS_TEST_PASSWORD: 'not-the-password' });
    expect(r.code).toBe(1);
    const e = finished(join(tmp.dir, 'store')).get('replica-ping');
    expect((e?.result as { error?: { code: string } }).error?.code).toBe('WRONGPASS');
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });
});

function allJournals(store: string): string {
  const dir = join(store, 'runs');
  return readdirSync(dir).filter((f) => f.endsWith('.ndjson')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe.skipIf(!HAVE)('redis: failures and modes', () => {
  it('a refused connection is data: "the primary is down" is an ordinary passing check', async () => {
    const port = await freePort();
    const r = await run(REFUSED, ['-p', `port=${port}`, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = finished(join(tmp.dir, 'store'));
    expect(f.get('primary-down')?.status).toBe('ok');
    expect(f.get('primary-down')?.result).toMatchObject({ ok: false, reply: null, target: `redis://127.0.0.1:${port}`, error: { code: 'ECONNREFUSED' } });
    expect(f.get('ping-anyway')?.status).toBe('failed');
    expect(f.get('ping-anyway')?.error).toContain(`redis redis://127.0.0.1:${port}/2: PING: ECONNREFUSED`);
  });

  describe('dry-run and probe', () => {
    let pair: RedisPair;
    beforeAll(async () => {
      pair = await startRedisPair();
    });
    afterAll(async () => {
      await pair?.stop();
    });

    function recorded(log: string): { kind: string; target?: string; line: string }[] {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; target?: string; line: string });
    }

    it('dry-run renders every command against its server and opens no socket', async () => {
      const log = join(tmp.dir, 'spawn.ndjson');
      writeFileSync(log, '');
      const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
      const r = await run(FAILOVER, [...p, '--dry-run'], { NODE_OPTIONS: `--import ${RECORDER}`, RUNBOOK_SPAWN_LOG: log });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const rp = pair.replica.port;
      expect(r.stdout).toContain(`redis redis://127.0.0.1:${rp}: PING (read-only)`);
      expect(r.stdout).toContain(`redis redis://127.0.0.1:${rp}: INFO replication (read-only)`);
      expect(r.stdout).toContain('promote (redis):');
      expect(r.stdout).toContain(`precheck: redis redis://127.0.0.1:${rp}: ROLE, INFO replication (must be a replica;`);
      expect(r.stdout).toContain(`lag vs primary redis://127.0.0.1:${pair.primary.port}`);
      expect(r.stdout).toContain(`promote:  redis redis://127.0.0.1:${rp}: REPLICAOF NO ONE`);
      expect(r.stdout).toContain(`verify:   redis redis://127.0.0.1:${rp}: INFO replication until role:master (up to 10s)`);
      expect(r.stdout).toContain(`redis redis://127.0.0.1:${rp}: SET runbook:failover promoted`);
      const entries = recorded(log);
      expect(entries.some((e) => e.kind === 'recorder')).toBe(true);
      expect(entries.filter((e) => e.kind === 'socket')).toEqual([]);
      // and the replica is untouched
      expect(await pair.client('replica').call('ROLE')).toEqual(expect.arrayContaining(['slave']));
    });

    it('probe runs the read-only commands (PING, INFO) for real and not the promotion or the write', async () => {
      const log = join(tmp.dir, 'spawn.ndjson');
      writeFileSync(log, '');
      const p = ['-p', `primaryPort=${pair.primary.port}`, '-p', `replicaPort=${pair.replica.port}`];
      const r = await run(FAILOVER, [...p, '--dry-run', '--probe'], { NODE_OPTIONS: `--import ${RECORDER}`, RUNBOOK_SPAWN_LOG: log });
      expect(r.stderr).toBe('');
      const f = finished(join(tmp.dir, 'store'));
      expect(f.get('replica-ping')?.status).toBe('ok');
      expect(f.get('replica-role')?.status).toBe('ok');
      expect(f.get('promote-replica')?.status).toBe('planned');
      expect(f.get('write')?.status).toBe('planned');
      const sockets = recorded(log).filter((e) => e.kind === 'socket');
      expect(sockets.length).toBeGreaterThanOrEqual(1);
      for (const s of sockets) expect(s.target).toBe(`127.0.0.1:${pair.replica.port}`);
      const c = pair.client('replica');
      expect(await c.call('ROLE')).toEqual(expect.arrayContaining(['slave']));
      expect(await c.exists('runbook:failover')).toBe(0);
    });
  });
});

describe('redis DSL (no server)', () => {
  it('parses connections and never shows the password', () => {
    const url = parseRedisConn('redis://:p%40ss%20word@10.0.0.5:6380/2');
    expect(url).toEqual({ host: '10.0.0.5', port: 6380, username: undefined, password: 'p@ss word', db: 2, tls: false });
    expect(redisConnText(url)).toBe('redis://:***@10.0.0.5:6380/2');
    expect(redisConnText(parseRedisConn({ host: '10.0.0.6', password: 'x', tls: true }))).toBe('rediss://:***@10.0.0.6:6379');
    expect(redisConnText(parseRedisConn('redis://ops:secret@[::1]:7000'))).toBe('redis://ops:***@[::1]:7000');
    expect(redisConnText(parseRedisConn('redis://127.0.0.1'))).toBe('redis://127.0.0.1:6379');
  });

  it('a bad connection or command fails at build time, naming it, without the password', () => {
    expect(() => redis.command('http://:hunter2@host:1', 'PING')).toThrow(RunbookDefinitionError);
    expect(() => redis.command('http://:hunter2@host:1', 'PING')).toThrow(/not a Redis URL/);
    expect(() => redis.command('http://:hunter2@host:1', 'PING')).not.toThrow(/hunter2/);
    expect(() => redis.command({ host: 'h', port: 70000 }, 'PING')).toThrow(/port 70000 is not a TCP port/);
    expect(() => redis.command('redis://h:1', 'CONFIG GET')).toThrow(/Arguments go after it/);
    expect(() => redis.promote({} as never)).toThrow(/needs the replica/);
    expect(() => redis.promote({ replica: 'redis://h:1', maxLag: 5 } as never)).toThrow(/unknown option "maxLag"/);
  });

  it('read-only by an allowlist of commands (and subcommands); everything else mutates', () => {
    const plan = runbook('redis-ro', { title: 'ro' })
      .check('ping', 'ping', redis.command('redis://h:1', 'ping'))
      .check('config-get', 'config get', redis.command('redis://h:1', 'CONFIG', 'get', 'maxmemory'))
      .exec('get', 'get in an exec step', redis.command('redis://h:1', 'GET', 'k'))
      .check('config-set', 'config set', redis.command('redis://h:1', 'CONFIG', 'SET', 'maxmemory', '1gb'))
      .check('lazy-sub', 'subcommand computed at run time', redis.command('redis://h:1', 'CONFIG', () => 'GET', 'x'))
      .exec('flush', 'flush', redis.command('redis://h:1', 'FLUSHALL'))
      .promote('promote', 'promote', redis.promote({ replica: 'redis://h:1' }))
      .toPlan();
    expect(plan.steps.map((s) => [s.id, isReadOnly(s)])).toEqual([
      ['ping', true], ['config-get', true], ['get', true], ['config-set', false], ['lazy-sub', false], ['flush', false], ['promote', false],
    ]);
  });

  it('.promote takes redis.promote and renders its stages; a plain command is refused there', () => {
    const plan = runbook('redis-promote', { title: 'p' })
      .promote('promote', 'promote', redis.promote({ replica: 'redis://:pw@10.0.0.6:6379', primary: 'redis://:pw@10.0.0.5:6379', verifyTimeout: '30s' }))
      .toPlan();
    const step = plan.steps[0];
    expect(step?.kind === 'promote' && step.action.type === 'promote' && step.action.driver).toBe('redis');
    const text = step && step.kind !== 'confirm' ? renderAction(step.action, {} as RuntimeCtx) : '';
    expect(text).toBe([
      'promote (redis):',
      '  precheck: redis redis://:***@10.0.0.6:6379: ROLE, INFO replication (must be a replica; report master_link_status, master_last_io_seconds_ago, master_sync_in_progress); lag vs primary redis://:***@10.0.0.5:6379: INFO replication',
      '  promote:  redis redis://:***@10.0.0.6:6379: REPLICAOF NO ONE',
      '  verify:   redis redis://:***@10.0.0.6:6379: INFO replication until role:master (up to 30s)',
    ].join('\n'));
    expect(() => runbook('x', { title: 'x' }).promote('p', 'p', redis.command('redis://h:1', 'REPLICAOF', 'NO', 'ONE') as never)).toThrow(RunbookDefinitionError);
  });
});
