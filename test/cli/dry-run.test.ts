// Dry-run touches nothing; probe runs the read-only checks and nothing else; a live run does act.
// The live run is the control: it proves the marker, the HTTP server and the spawn recorder all
// register effects, so the "nothing happened" assertions for dry-run and probe can fail.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { assertRecorderWasLoaded, effects, recorded as readLog, recorderEnv } from '../helpers/recorder.js';

const recorded = (): ReturnType<typeof readLog> => readLog(spawnLog);

const FIXTURE = fileURLToPath(new URL('../fixtures/cli/dry-run-effects.ts', import.meta.url));

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

let server: Server;
let base = '';
let hits: Hit[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (s: string) => (body += s));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let tmp: { dir: string; cleanup: () => void };
let file: string;
let marker: string;
let counter: string;
let spawnLog: string;
let store: string;

beforeEach(() => {
  tmp = tempDir('runbook-dry-run-');
  // A fresh path means a fresh compile: the loader's esbuild service runs under the recorder, and
  // the assertions below must recognise it explicitly.
  file = join(tmp.dir, 'dry-run-effects.ts');
  copyFileSync(FIXTURE, file);
  marker = join(tmp.dir, 'marker');
  counter = join(tmp.dir, 'probe-counter.log');
  spawnLog = join(tmp.dir, 'spawn.ndjson');
  store = join(tmp.dir, 'store');
  hits = [];
});

afterEach(() => tmp.cleanup());

function run(extra: readonly string[]): Promise<CliResult> {
  return runCli(['run', file, '-p', `marker=${marker}`, '-p', `counter=${counter}`, '-p', `base=${base}`, '--store', store, ...extra], {
    cwd: tmp.dir,
    env: recorderEnv(spawnLog),
  });
}

function counterLines(): number {
  return existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter((l) => l === 'probe').length : 0;
}

/**
 * Nothing acted: no marker, no probe counter, no HTTP request; the store holds one journal, of a run in
 * `mode`, whose process loaded the spawn recorder, and the recorder saw no process and no socket.
 * Returns that journal's text.
 */
function expectTouchedNothing(mode: 'dry-run' | 'simulate'): string {
  expect(existsSync(marker)).toBe(false);
  expect(existsSync(counter)).toBe(false);
  expect(hits).toEqual([]);
  const log = recorded();
  const journals = readdirSync(join(store, 'runs'));
  expect(journals).toHaveLength(1);
  const journal = readFileSync(join(store, 'runs', journals[0] ?? ''), 'utf8');
  const runStarted = JSON.parse(journal.split('\n')[0] ?? '{}') as { pid?: number; mode?: string };
  expect(runStarted.mode).toBe(mode);
  assertRecorderWasLoaded(log, runStarted.pid ?? -1);
  expect(effects(log)).toEqual([]);
  return journal;
}

describe('run --dry-run', () => {
  it('prints every action fully rendered and runs nothing: no marker, no HTTP request, no process, no socket', async () => {
    const r = await run(['--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DRY-RUN');

    // nothing acted
    expectTouchedNothing('dry-run');

    // every step, every action, with the values it would use
    for (const id of ['probe-counter', 'health', 'go-ahead', 'make-marker', 'tell']) expect(r.stdout).toContain(id);
    expect(r.stdout).toContain(`sh: echo probe >> ${counter}`);
    expect(r.stdout).toContain(`GET ${base}/health`);
    expect(r.stdout).toContain('Create the marker file?');
    expect(r.stdout).toContain(`sh: touch ${marker}`);
    expect(r.stdout).toContain(`notify webhook ${base}/hook: "marker made; health answered <steps.health.result.status>"`);
  });

  it('renders the same plan as NDJSON with --ui json and still runs nothing', async () => {
    const r = await run(['--dry-run', '--ui', 'json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; status?: string; action?: { text: string; effect: string } | null });
    const started = events.filter((e) => e.type === 'step-started');
    expect(started.map((e) => e.stepId)).toEqual(['probe-counter', 'health', 'go-ahead', 'make-marker', 'tell']);
    const byId = new Map(started.map((e) => [e.stepId, e.action]));
    expect(byId.get('make-marker')).toEqual({ text: `sh: touch ${marker}`, effect: 'mutating' });
    expect(byId.get('health')?.effect).toBe('read-only');
    const finished = events.filter((e) => e.type === 'step-finished');
    expect(finished.map((e) => e.status)).toEqual(['planned', 'planned', 'planned', 'planned', 'planned']);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(counter)).toBe(false);
    expect(hits).toEqual([]);
    expect(effects(recorded())).toEqual([]);
  });
});

describe('run --dry-run --probe', () => {
  it('runs the read-only checks for real, exactly once, and nothing else', async () => {
    const r = await run(['--dry-run', '--probe']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PROBE');
    expect(r.stdout).toContain(`sh: touch ${marker}`);

    // the sh check ran once; the GET check reached the server once; the exec and the webhook did not act
    expect(counterLines()).toBe(1);
    expect(hits.map((h) => `${h.method} ${h.url}`)).toEqual(['GET /health']);
    expect(existsSync(marker)).toBe(false);

    const acted = effects(recorded());
    const spawned = acted.filter((e) => e.kind === 'child_process');
    expect(spawned.map((e) => e.command)).toEqual([`echo probe >> ${counter}`]);
    expect(acted.some((e) => e.line.includes('touch'))).toBe(false);
    const port = new URL(base).port;
    const sockets = acted.filter((e) => e.kind === 'socket');
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    for (const s of sockets) expect(s.target).toBe(`127.0.0.1:${port}`);
  });
});

describe('run --simulate --auto', () => {
  it('plays every step against the default scenario and touches nothing: no marker, no HTTP request, no process, no socket', async () => {
    const r = await run(['--simulate', '--auto']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SIMULATION');

    const lines = expectTouchedNothing('simulate').trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string });
    // every step was played (ok), not merely planned; the confirm was answered by the scenario
    expect(lines.filter((e) => e.type === 'step-finished').map((e) => e.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(r.stdout).toContain('answered by the scenario (--auto)');
  });
});

describe('live run (the control)', () => {
  it('creates the marker, reaches the server and is seen by the spawn recorder', async () => {
    const r = await run(['--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LIVE');

    expect(existsSync(marker)).toBe(true);
    expect(counterLines()).toBe(1);
    expect(hits.map((h) => `${h.method} ${h.url}`)).toEqual(['GET /health', 'POST /hook']);
    const hook = JSON.parse(hits[1]?.body ?? '{}') as { text?: string; runbook?: string; step?: string };
    expect(hook).toMatchObject({ text: 'marker made; health answered 200', runbook: 'dry-run-effects', step: 'tell' });

    const acted = effects(recorded());
    const commands = acted.filter((e) => e.kind === 'child_process').map((e) => e.command);
    expect(commands).toEqual([`echo probe >> ${counter}`, `touch ${marker}`]);
    // fetch may reuse one keep-alive connection for both requests
    const sockets = acted.filter((e) => e.kind === 'socket');
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    for (const s of sockets) expect(s.target).toBe(`127.0.0.1:${new URL(base).port}`);
  });
});
