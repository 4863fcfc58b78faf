// A runbook that uses every adapter, as a dry-run and as a simulation: each action is printed exactly
// (targets masked) or played, and nothing is touched — no process, no socket (spawn/socket recorder),
// no connection reaches the listener every target points at, no file is created.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { assertRecorderWasLoaded, effects, recorded, recorderEnv } from '../helpers/recorder.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/adapters/every-adapter.ts', import.meta.url));
const SECRETS = { EVERY_SLACK_URL: 'https://hooks.slack.com/services/T000/B000/topsecretslack', EVERY_PD_KEY: 'pdkey-topsecret-0123456789', EVERY_PG_PASSWORD: 'pg-topsecret-pw' };

let server: Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-every-adapter-');
  connections = 0;
});
afterEach(() => tmp.cleanup());

async function run(mode: string[], secrets: boolean): Promise<{ code: number | null; stdout: string; stderr: string; journal: string; log: string }> {
  const store = join(tmp.dir, 'store');
  const log = join(tmp.dir, 'spawn.ndjson');
  const r = await runCli(['run', FIXTURE, ...mode, '-p', `port=${port}`, '-p', `marker=${join(tmp.dir, 'marker')}`, '--ui', 'plain', '--store', store], {
    cwd: tmp.dir, env: { ...recorderEnv(log), ...(secrets ? SECRETS : {}) },
  });
  const runs = readdirSync(join(store, 'runs'));
  return { ...r, journal: readFileSync(join(store, 'runs', runs[0]!), 'utf8'), log };
}

function assertTouchedNothing(r: { journal: string; log: string }): void {
  const started = JSON.parse(r.journal.split('\n')[0]!) as { pid: number };
  const log = recorded(r.log);
  assertRecorderWasLoaded(log, started.pid);
  expect(effects(log)).toEqual([]);
  expect(connections).toBe(0);
  expect(existsSync(join(tmp.dir, 'marker'))).toBe(false);
}

describe('every adapter', () => {
  it('dry-run prints each action exactly and opens no connection', async () => {
    const r = await run(['--dry-run'], false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    assertTouchedNothing(r);
    const p = port;
    for (const line of [
      `notify slack http://127.0.0.1:${p}/slack: declaration template`,
      `notify pagerduty trigger (routing key ***, severity critical, dedup key = run id) via http://127.0.0.1:${p}/pd: "Primary database down"`,
      `GET http://127.0.0.1:${p}/health (expect $.status = "UP")`,
      `pg postgres://ops:***@127.0.0.1:${p}/postgres: select pg_is_in_recovery() as value (read-only)`,
      `redis redis://127.0.0.1:${p}: PING (read-only)`,
      `GET http://127.0.0.1:${p}/cluster (read-only)`,
      `k8s deployment eapi (read-only): GET /apis/apps/v1/namespaces/payments/deployments/eapi`,
      `ssh ops@127.0.0.1:${p}: systemctl stop vault`,
      `ssh.each 2 hosts (concurrency 1`,
      `promote:  pg postgres://ops@127.0.0.1:${p}/postgres: select pg_promote(true, 60) as promoted`,
      `promote:  POST http://127.0.0.1:${p}/switchover {"leader":"pg1","candidate":"pg2"}`,
      `promote:  redis redis://127.0.0.1:${p}: REPLICAOF NO ONE`,
      `PATCH /apis/apps/v1/namespaces/payments/deployments/eapi/scale (merge-patch) {"spec":{"replicas":3}}`,
      `notify webhook http://127.0.0.1:${p}/hook (signed HMAC-SHA256, secret ***): "done"`,
    ]) expect(r.stdout).toContain(line);
    expect(r.stdout).not.toContain('s3cret-hmac');
  });

  it('dry-run with the secrets set: they are masked in the output and absent from the journal', async () => {
    const r = await run(['--dry-run'], true);
    expect(r.code).toBe(0);
    assertTouchedNothing(r);
    for (const secret of Object.values(SECRETS)) {
      expect(r.stdout).not.toContain(secret);
      expect(r.journal).not.toContain(secret);
    }
    expect(r.stdout).toContain('notify slack https://hooks.slack.com/services/***');
  });

  it('a simulation plays every step (drivers report old → new primary) and opens no connection', async () => {
    const r = await run(['--simulate', '--auto'], true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    assertTouchedNothing(r);
    const events = r.journal.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; status?: string; result?: Record<string, unknown> });
    const finished = events.filter((e) => e.type === 'step-finished');
    expect(finished).toHaveLength(20);
    expect(finished.every((e) => e.status === 'ok')).toBe(true);
    const byId = new Map(finished.map((e) => [e.stepId, e.result]));
    expect(byId.get('promote-pg')).toMatchObject({ ok: true, driver: 'postgres', newPrimary: `postgres://ops@127.0.0.1:${port}/postgres` });
    expect(byId.get('promote-patroni')).toMatchObject({ ok: true, oldPrimary: 'pg1', newPrimary: 'pg2' });
    expect(byId.get('restart-fleet')).toMatchObject({ ok: true, failed: [], skipped: [] });
    expect((byId.get('restart-fleet') as { hosts: unknown[] }).hosts).toHaveLength(2);
    expect(byId.get('declare')).toMatchObject({ channel: 'slack', simulated: true });
    expect(String(byId.get('declare')?.['message'])).toContain('Affected Services: payments-api');
    for (const secret of Object.values(SECRETS)) expect(r.journal).not.toContain(secret);
  });
});
