// The library runbook runbooks/redis-cache-failover.ts run LIVE through the CLI (--yes) against real Redis servers:
// a primary and its replica (redis-server on 127.0.0.1, started by test/helpers/servers/redis.ts, with a password).
// The primary is stopped (the incident); the runbook diagnoses, promotes the replica, repoints the clients with a
// command and verifies. The real end state is asserted on the servers: the old replica is master, its replica link
// is gone, it takes writes, the runbook's canary key is there with a TTL. A second case proves that a replica which
// answers with the wrong password is not taken for "down": the run stops and nothing changes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { finished, runRunbook, statuses, type Run } from '../helpers/runbooks.js';
import { REDIS_REQUIREMENT, startRedisPair, type RedisPair } from '../helpers/servers/redis.js';
import { startReceiver, type Receiver } from '../helpers/servers/http-receiver.js';

const HAVE = requires(REDIS_REQUIREMENT);
const ID = 'redis-cache-failover';
const PASSWORD = 'c4che-Pa55 with spaces';

let tmp: { dir: string; cleanup: () => void };
let pair: RedisPair | undefined;
let slack: Receiver | undefined;
beforeEach(() => {
  tmp = tempDir('runbook-redis-live-');
});
afterEach(async () => {
  await pair?.stop();
  await slack?.close();
  pair = undefined;
  slack = undefined;
  tmp.cleanup();
});

const store = (): string => join(tmp.dir, 'store');

function run(p: RedisPair, extra: readonly string[], env: Record<string, string>): Promise<Run> {
  return runRunbook(ID, store(), [
    '--yes', '--operator', 'dana',
    '-p', 'platform=hosts', '-p', 'repoint=command', '-p', 'redisName=live-test-redis',
    '-p', 'primaryHost=127.0.0.1', '-p', `primaryPort=${p.primary.port}`, '-p', 'replicaHost=127.0.0.1', '-p', `replicaPort=${p.replica.port}`,
    ...extra,
  ], { cwd: tmp.dir, env, timeoutMs: 60_000 });
}

describe.skipIf(!HAVE)('redis-cache-failover, live against a real redis-server primary + replica', () => {
  it('primary down, replica alive: diagnoses, promotes the replica, repoints the clients, verifies — the old replica is now a master that takes writes', async () => {
    pair = await startRedisPair({ password: PASSWORD });
    slack = await startReceiver({ status: 200, body: 'ok', contentType: 'text/plain' });
    const before = await pair.client('replica').call('ROLE') as unknown[];
    expect(before[0]).toBe('slave');
    await pair.primary.stop(); // the incident: the primary is gone

    const pointer = join(tmp.dir, 'redis-primary.txt');
    const r = await run(pair, ['-p', `repointCommand=printf '%s:%s' "$NEW_REDIS_HOST" "$NEW_REDIS_PORT" > ${pointer}`], {
      REDIS_PASSWORD: PASSWORD, SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/live-test`,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DONE');

    // The path: diagnosis → promotion branch; the rebuild branch is skipped; verification passes.
    const s = statuses(r.events);
    expect(s).toMatchObject({
      announce: 'ok', 'redis-pods': 'skipped', 'primary-down': 'ok', 'replica-state': 'ok', 'primary-really-down': 'ok',
      'promote-replica': 'ok', 'new-primary-role': 'ok', 'repoint-service': 'skipped', 'service-selects-primary': 'skipped', 'repoint-command': 'ok',
      'rebuild-cache': 'skipped', 'restore-rdb': 'skipped', 'latest-rdb': 'skipped', 'delete-redis-pods': 'skipped', 'rebuilt-primary-up': 'skipped', 'replica-resynced': 'skipped',
      'verify-ping': 'ok', 'verify-keyspace': 'ok', 'canary-write': 'ok', 'canary-read': 'ok', 'canary-ttl': 'ok', recovered: 'ok',
    });
    const ev = r.events;
    const down = finished(ev, 'primary-down');
    expect((down?.value as { error?: { code?: string } }).error?.code).toBe('ECONNREFUSED');
    const promoted = finished(ev, 'promote-replica')?.value as Record<string, unknown>;
    expect(promoted).toMatchObject({ ok: true, roleBefore: 'slave', roleAfter: 'master', newPrimary: `redis://:***@127.0.0.1:${pair.replica.port}` });
    expect((promoted['before'] as Record<string, unknown>)['masterLinkStatus']).toBe('down');

    // The real end state, read from the server itself.
    const c = pair.client('replica');
    const role = await c.call('ROLE') as unknown[];
    expect(role[0]).toBe('master');
    const info = await c.info('replication');
    expect(info).toMatch(/^role:master\r?$/m);
    expect(info).not.toMatch(/^master_host:/m); // the replica link is gone
    expect(info).not.toMatch(/^master_link_status:/m);
    expect(await c.set('live-test:after-failover', 'written')).toBe('OK');
    expect(await c.get('live-test:after-failover')).toBe('written');
    const { runId } = ev.find((e) => e.type === 'run-started') as unknown as { runId: string };
    expect(await c.keys('runbook:canary:*')).toEqual([`runbook:canary:${runId}`]);
    expect(await c.get(`runbook:canary:${runId}`)).toBe(runId);
    const ttl = await c.ttl(`runbook:canary:${runId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);

    // The clients were repointed at the promoted node.
    expect(readFileSync(pointer, 'utf8')).toBe(`127.0.0.1:${pair.replica.port}`);

    // People heard: start, then recovery complete naming the promotion.
    expect(slack.requests.map((q) => q.method)).toEqual(['POST', 'POST']);
    const texts = slack.requests.map((q) => (JSON.parse(q.body) as { text: string }).text);
    expect(texts[0]).toContain('Redis cache failure (live-test-redis): recovery started by dana');
    expect(texts[1]).toContain('DR RECOVERY COMPLETE');
    expect(texts[1]).toContain(`Replica 127.0.0.1:${pair.replica.port} promoted to primary; clients repointed (command)`);

    // The password never reached the screen, the journal or the report.
    const report = readdirSync(join(store(), 'reports')).map((f) => readFileSync(join(store(), 'reports', f), 'utf8')).join('\n');
    for (const text of [r.stdout, r.journal, report, ...slack.requests.map((q) => q.body)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it('a replica that answers with the wrong password is alive, not "down": the run stops at the diagnosis and nothing changes', async () => {
    pair = await startRedisPair({ password: PASSWORD });
    slack = await startReceiver({ status: 200, body: 'ok', contentType: 'text/plain' });
    await pair.primary.stop();
    const r = await run(pair, ['-p', 'repointCommand=true'], { REDIS_PASSWORD: 'not-the-password', SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/live-test` });
    expect(r.code).toBe(1);
    const s = statuses(r.events);
    expect(s['primary-down']).toBe('ok'); // refused: down
    expect(s['replica-state']).toBe('failed'); // WRONGPASS from a live server: neither promote nor rebuild
    expect(s['promote-replica']).toBeUndefined();
    expect(s['rebuild-cache']).toBeUndefined();
    const failed = finished(r.events, 'replica-state');
    expect(JSON.stringify(failed?.value)).toMatch(/WRONGPASS|NOAUTH/);
    const role = await pair.client('replica').call('ROLE') as unknown[];
    expect(role[0]).toBe('slave'); // untouched
  });
});
