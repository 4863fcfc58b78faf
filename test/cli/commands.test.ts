// The read-side commands (runs, show, list), help and version, and the exit codes of live runs
// whose exec fails, end to end through the built CLI.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hello from '../../examples/hello.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { waitFor } from '../helpers/crash.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

interface RunRow {
  runId: string;
  runbookId?: string;
  title?: string;
  mode?: string;
  status: string;
  startedAt?: string;
  durationMs?: number | null;
  operator?: string;
  error?: string;
  statusText?: string;
  hint?: string;
  host?: string;
  pid?: number;
}

interface ShownStep {
  id: string;
  status: string;
  durationMs: number | null;
  attempts: number;
  value?: unknown;
  result?: { exitCode?: number | null } & Record<string, unknown>;
  error?: string;
  reason?: string;
  note?: string;
  by?: string;
  continued?: boolean;
  kind?: string;
  title?: string;
  phase: string | null;
}

interface Shown {
  runId: string;
  runbookId: string;
  title: string;
  file: string;
  mode: string;
  status: string;
  exitCode: number | null;
  startedAt: string;
  durationMs: number | null;
  rtoMs: number | null;
  operators: string[];
  params: Record<string, unknown>;
  tornTail: boolean;
  statusText?: string;
  hint?: string;
  resumes: { t: string; operator: string; host: string; pid: number; forced: boolean; changedSteps: string[] }[];
  decisions: { t: string; stepId: string; choice: string; by: string; reason?: string; note?: string }[];
  steps: ShownStep[];
}

interface JournalLine {
  type: string;
  stepId?: string;
  status?: string;
  durationMs?: number;
  runId?: string;
  t?: string;
}

let tmp: { dir: string; cleanup: () => void };

beforeAll(() => {
  tmp = tempDir('runbook-commands-');
});
afterAll(() => tmp.cleanup());

function cli(args: readonly string[]): Promise<CliResult> {
  return runCli(args, { cwd: tmp.dir });
}

function json<T>(r: CliResult): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function journal(store: string, runId: string): JournalLine[] {
  return readFileSync(join(store, 'runs', `${runId}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalLine);
}

function onlyRunId(store: string): string {
  const names = readdirSync(join(store, 'runs'));
  expect(names).toHaveLength(1);
  return (names[0] ?? '').replace(/\.ndjson$/, '');
}

const DURATION = /^(\d+ms|\d+\.\d+s|\d+m\d{2}s|\d+h\d{2}m)$/;

describe('runs', () => {
  it('says there are no runs in an empty store, and --json gives []', async () => {
    const store = join(tmp.dir, 'empty-store');
    const text = await cli(['runs', '--store', store]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('No runs in');
    expect(json<unknown[]>(await cli(['runs', '--json', '--store', store]))).toEqual([]);
  });

  it('lists runs newest first, as text and as --json, with status, mode, runbook and operator', async () => {
    const store = join(tmp.dir, 'runs-store');
    const order: { runbookId: string; status: string; operator: string }[] = [];
    // three runs, one after another (each takes well over a millisecond, so start times differ)
    expect((await cli(['run', fixture('steps-mix.ts'), '--yes', '--operator', 'alice', '--store', store])).code).toBe(0);
    order.push({ runbookId: 'steps-mix', status: 'done', operator: 'alice' });
    expect((await cli(['run', fixture('exit-3.ts'), '-p', `marker=${join(tmp.dir, 'runs-marker')}`, '--operator', 'bob', '--store', store])).code).toBe(1);
    order.push({ runbookId: 'exit-three', status: 'failed', operator: 'bob' });
    expect((await cli(['run', fixture('steps-mix.ts'), '--dry-run', '--operator', 'carol', '--store', store])).code).toBe(0);
    order.push({ runbookId: 'steps-mix', status: 'done', operator: 'carol' });

    const rows = json<RunRow[]>(await cli(['runs', '--json', '--store', store]));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => ({ runbookId: r.runbookId, status: r.status, operator: r.operator }))).toEqual([...order].reverse());
    expect(rows.map((r) => r.mode)).toEqual(['dry-run', 'live', 'live']);
    const starts = rows.map((r) => Date.parse(r.startedAt ?? ''));
    for (const [i, t] of starts.entries()) {
      expect(Number.isFinite(t)).toBe(true);
      if (i > 0) expect(t).toBeLessThan(starts[i - 1] ?? 0);
    }
    for (const r of rows) {
      expect(typeof r.durationMs).toBe('number');
      expect(existsSync(join(store, 'runs', `${r.runId}.ndjson`))).toBe(true);
    }

    // the text listing: same runs, same order, one line each
    const text = await cli(['runs', '--store', store]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, r] of rows.entries()) {
      expect(lines[i]).toContain(r.runId);
      expect(lines[i]).toContain(r.status);
      expect(lines[i]).toContain(r.runbookId ?? '?');
      expect(lines[i]).toContain(r.operator ?? '?');
    }
  });

  it('orders runs started within the same second by their start time, not by the random id suffix', async () => {
    // Ids carry the time to the second plus a random suffix: "…-ffff" started first, "…-0000" a moment later.
    const src = join(tmp.dir, 'same-second-src');
    expect((await cli(['run', fixture('steps-mix.ts'), '--dry-run', '--store', src])).code).toBe(0);
    const lines = readFileSync(join(src, 'runs', `${onlyRunId(src)}.ndjson`), 'utf8').trim().split('\n');
    const store = join(tmp.dir, 'same-second');
    mkdirSync(join(store, 'runs'), { recursive: true });
    const write = (runId: string, t: string): void => {
      const first = { ...(JSON.parse(lines[0] ?? '{}') as Record<string, unknown>), runId, t };
      writeFileSync(join(store, 'runs', `${runId}.ndjson`), `${[JSON.stringify(first), ...lines.slice(1)].join('\n')}\n`);
    };
    write('20260101-120000-ffff', '2026-01-01T12:00:00.100Z');
    write('20260101-120000-0000', '2026-01-01T12:00:00.900Z');
    write('20260101-115959-ffff', '2026-01-01T11:59:59.999Z');

    const rows = json<RunRow[]>(await cli(['runs', '--json', '--store', store]));
    expect(rows.map((r) => r.runId)).toEqual(['20260101-120000-0000', '20260101-120000-ffff', '20260101-115959-ffff']);
    expect(json<Shown>(await cli(['show', 'last', '--json', '--store', store])).runId).toBe('20260101-120000-0000');
  });

  it('lists a damaged journal as unreadable instead of hiding it or failing', async () => {
    const store = join(tmp.dir, 'damaged-store');
    mkdirSync(join(store, 'runs'), { recursive: true });
    writeFileSync(join(store, 'runs', '20260101-000000-abcd.ndjson'), 'not json\n{"type":"run-finished"}\n');
    const rows = json<RunRow[]>(await cli(['runs', '--json', '--store', store]));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ runId: '20260101-000000-abcd', status: 'unreadable' });
    expect(rows[0]?.error).toContain('corrupt');
  });
});

describe('show', () => {
  let store: string;
  let runId: string;

  beforeAll(async () => {
    store = join(tmp.dir, 'show-store');
    const r = await cli(['run', fixture('steps-mix.ts'), '--yes', '--operator', 'dana', '-p', 'who=world', '--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    runId = onlyRunId(store);
  });

  it('--json gives the run, each step with its status and duration, matching the journal', async () => {
    const s = json<Shown>(await cli(['show', runId, '--json', '--store', store]));
    expect(s).toMatchObject({
      runId, runbookId: 'steps-mix', title: 'Mixed step statuses', mode: 'live', status: 'done', exitCode: 0,
      rtoMs: 600_000, operators: ['dana'], params: { who: 'world' }, tornTail: false, file: resolve(fixture('steps-mix.ts')),
    });
    expect(typeof s.durationMs).toBe('number');
    expect(s.steps.map((x) => [x.id, x.kind, x.status, x.phase])).toEqual([
      ['say-hello', 'check', 'ok', 'Look'],
      ['go-ahead', 'confirm', 'ok', 'Look'],
      ['never', 'exec', 'skipped', 'Act'],
      ['tolerated', 'exec', 'failed', 'Act'],
      ['last', 'exec', 'ok', 'Act'],
    ]);
    const by = new Map(s.steps.map((x) => [x.id, x]));
    expect(by.get('say-hello')?.value).toBe('hello world');
    expect(by.get('tolerated')?.continued).toBe(true);
    expect(by.get('tolerated')?.error).toContain('4');
    expect(by.get('tolerated')?.result?.exitCode).toBe(4);

    // durations are the ones the journal recorded
    const finished = journal(store, runId).filter((e) => e.type === 'step-finished');
    expect(finished).toHaveLength(5);
    for (const e of finished) {
      expect(typeof e.durationMs).toBe('number');
      expect(by.get(e.stepId ?? '')?.durationMs).toBe(e.durationMs);
      expect(by.get(e.stepId ?? '')?.status).toBe(e.status);
    }
  });

  it('as text: header with title, mode, status, RTO and operator; one line per step with status and duration', async () => {
    const r = await cli(['show', runId, '--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('Mixed step statuses (steps-mix)');
    expect(out).toContain(runId);
    expect(out).toMatch(/mode live · status done · \S+ of RTO 10m00s/);
    expect(out).toContain('by dana');
    expect(out).toContain('who="world"');
    expect(out).toContain('── Look');
    expect(out).toContain('── Act');

    const steps = json<Shown>(await cli(['show', runId, '--json', '--store', store])).steps;
    const lines = out.split('\n');
    for (const s of steps) {
      const line = lines.find((l) => new RegExp(`^\\S+ ${s.id}\\s`).test(l));
      expect(line, `line for ${s.id} in:\n${out}`).toBeDefined();
      const cols = (line ?? '').split(/\s+/);
      // icon, id, kind, status, duration[, — detail]
      expect(cols.slice(1, 4)).toEqual([s.id, s.kind, s.status]);
      expect(cols[4]).toMatch(DURATION);
    }
    expect(lines.find((l) => / tolerated /.test(l))).toContain('exited with code 4');
  });

  it('accepts a unique prefix of the run id and "last"', async () => {
    const full = json<Shown>(await cli(['show', runId, '--json', '--store', store]));
    expect(json<Shown>(await cli(['show', runId.slice(0, -2), '--json', '--store', store]))).toEqual(full);
    expect(json<Shown>(await cli(['show', 'last', '--json', '--store', store]))).toEqual(full);
  });
});

/**
 * A journal of steps-mix written by hand: run-started from a real dry-run (made live, with the given
 * host and pid), then `events` (seq and t filled in). No run-finished unless `events` has one.
 */
async function craftJournal(store: string, runId: string, driver: { host: string; pid: number }, events: Record<string, unknown>[] = []): Promise<void> {
  const src = join(tmp.dir, 'craft-src');
  if (!existsSync(src)) expect((await cli(['run', fixture('steps-mix.ts'), '--dry-run', '--store', src])).code).toBe(0);
  const first = JSON.parse(readFileSync(join(src, 'runs', `${onlyRunId(src)}.ndjson`), 'utf8').split('\n')[0] ?? '{}') as Record<string, unknown>;
  const t0 = Date.parse('2026-01-01T12:00:00.000Z');
  const lines = [{ ...first, runId, mode: 'live', operator: 'dana', ...driver, t: new Date(t0).toISOString() }, ...events]
    .map((e, i) => JSON.stringify({ ...e, seq: i + 1, t: new Date(t0 + i * 1000).toISOString() }));
  mkdirSync(join(store, 'runs'), { recursive: true });
  writeFileSync(join(store, 'runs', `${runId}.ndjson`), `${lines.join('\n')}\n`);
}

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync('true');
  expect(r.status).toBe(0);
  return r.pid;
}

const resumed = (operator: string, pid: number, more: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ type: 'run-resumed', operator, host: hostname(), pid, forced: false, changedSteps: [], ...more });

describe('runs and show: a run whose process is gone', () => {
  it('is crashed, with how to resume it, when its process is gone on this host (the last resume\'s process counts)', async () => {
    const store = join(tmp.dir, 'crashed-store');
    const here = hostname();
    const started = { type: 'step-started', stepId: 'say-hello', kind: 'check', title: 'Say hello', phase: 'Look', attempt: 1, action: null };
    await craftJournal(store, '20260101-120000-0001', { host: here, pid: deadPid() }, [started]);
    // started by a live process (this test's), resumed by one that is gone → crashed
    await craftJournal(store, '20260101-120000-0002', { host: here, pid: process.pid }, [resumed('erin', deadPid())]);
    // started by a gone process, resumed by a live one → running
    await craftJournal(store, '20260101-120000-0003', { host: here, pid: deadPid() }, [resumed('erin', process.pid)]);
    // a finished run stays what it was
    await craftJournal(store, '20260101-120000-0004', { host: here, pid: deadPid() }, [{ type: 'run-finished', status: 'failed', durationMs: 5, exitCode: 1 }]);

    const rows = new Map(json<RunRow[]>(await cli(['runs', '--json', '--store', store])).map((r) => [r.runId, r]));
    const hint = (id: string): string => `resume it: runbook resume ${id} --store ${store}`;
    expect(rows.get('20260101-120000-0001')).toMatchObject({ status: 'crashed', hint: hint('20260101-120000-0001') });
    expect(rows.get('20260101-120000-0002')).toMatchObject({ status: 'crashed', hint: hint('20260101-120000-0002') });
    expect(rows.get('20260101-120000-0003')).toMatchObject({ status: 'running', host: here, pid: process.pid });
    expect(rows.get('20260101-120000-0003')?.hint).toBeUndefined();
    expect(rows.get('20260101-120000-0004')).toMatchObject({ status: 'failed' });

    const text = await cli(['runs', '--store', store]);
    const line = text.stdout.split('\n').find((l) => l.startsWith('20260101-120000-0001'));
    expect(line).toMatch(/ crashed .*resume it: runbook resume 20260101-120000-0001/);

    const shown = await cli(['show', '20260101-120000-0001', '--store', store]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^mode live · status crashed · started \S+ ago, not finished · RTO 10m00s$/m);
    expect(shown.stdout).not.toContain('of RTO');
    expect(shown.stdout).toContain(`\n${hint('20260101-120000-0001')}\n`);
    expect(shown.stdout).toMatch(/say-hello\s+check\s+interrupted/);
    expect(json<Shown>(await cli(['show', '20260101-120000-0001', '--json', '--store', store]))).toMatchObject({ status: 'crashed', hint: hint('20260101-120000-0001') });
    const live = await cli(['show', '20260101-120000-0003', '--store', store]);
    expect(live.stdout).toMatch(/^mode live · status running · started \S+ ago, not finished · RTO 10m00s$/m);
    expect(live.stdout).not.toContain('resume it');
  });

  it('is crashed when its process is a zombie (killed, not yet reaped)', async () => {
    // The shell starts a short-lived child and at once becomes sleep, which never reaps it: the child
    // exits after the exec (so the shell cannot have reaped it) and stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const zombie = await waitFor('the zombie pid', () => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined));
      await waitFor('the child to be a zombie', () => {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
      });
      const store = join(tmp.dir, 'zombie-store');
      await craftJournal(store, '20260101-120000-0005', { host: hostname(), pid: zombie });
      expect(json<RunRow[]>(await cli(['runs', '--json', '--store', store]))).toMatchObject([{ status: 'crashed' }]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('on another host cannot be checked from here: shown as running there, with host and pid', async () => {
    const store = join(tmp.dir, 'elsewhere-store');
    await craftJournal(store, '20260101-120000-0006', { host: 'db-ops-7.example', pid: 4242 });
    expect(json<RunRow[]>(await cli(['runs', '--json', '--store', store]))).toMatchObject([
      { status: 'running', statusText: 'running (on db-ops-7.example, pid 4242)', host: 'db-ops-7.example', pid: 4242 },
    ]);
    expect((await cli(['runs', '--store', store])).stdout).toContain('running (on db-ops-7.example, pid 4242)');
    const shown = await cli(['show', 'last', '--store', store]);
    expect(shown.stdout).toContain('mode live · status running (on db-ops-7.example, pid 4242) · started');
    expect(shown.stdout).not.toContain('resume it');
  });
});

describe('show: decisions and resumes', () => {
  it('lists confirmations: the answer, who gave it, and whether it was automatic (--yes)', async () => {
    const store = join(tmp.dir, 'confirms-store');
    const r = await cli(['run', fixture('steps-mix.ts'), '--yes', '--operator', 'erin', '--store', store]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const shown = await cli(['show', 'last', '--store', store]);
    expect(shown.stdout).toMatch(/confirmations\n\s+\S+\s+go-ahead: yes — automatic \(--yes, run by erin\)/);
    const json = JSON.parse((await cli(['show', 'last', '--json', '--store', store])).stdout) as { confirms: unknown[] };
    expect(json.confirms).toMatchObject([{ stepId: 'go-ahead', answer: true, by: 'erin', auto: true }]);
  });

  it('a skipped step shows its reason and who skipped it, a done-by-hand step its note and who; resumes and decisions are listed', async () => {
    const store = join(tmp.dir, 'decisions-store');
    const dead = deadPid();
    const step = (id: string, kind: string, phase: string): Record<string, unknown> => ({ type: 'step-started', stepId: id, kind, title: id, phase, attempt: 1, action: null });
    await craftJournal(store, '20260101-120000-0007', { host: hostname(), pid: dead }, [
      step('say-hello', 'check', 'Look'),
      { type: 'step-finished', stepId: 'say-hello', status: 'ok', durationMs: 12, attempts: 1, value: 'hello tester' },
      step('go-ahead', 'confirm', 'Look'),
      { type: 'confirm-answered', stepId: 'go-ahead', answer: true, by: 'dana', auto: false },
      { type: 'step-finished', stepId: 'go-ahead', status: 'ok', durationMs: 1000, attempts: 1, value: true, by: 'dana' },
      { type: 'step-finished', stepId: 'never', status: 'skipped', durationMs: 0, attempts: 0, reason: 'condition (when) is false' },
      step('tolerated', 'exec', 'Act'),
      { type: 'attempt-failed', stepId: 'tolerated', attempt: 1, error: 'command exited with code 4', retryInMs: null },
      { type: 'decision', stepId: 'tolerated', choice: 'skip', by: 'dana', reason: 'known flake INC-7' },
      { type: 'step-finished', stepId: 'tolerated', status: 'skipped', durationMs: 30, attempts: 1, reason: 'known flake INC-7', by: 'dana', error: 'command exited with code 4' },
      step('last', 'exec', 'Act'),
      resumed('erin', dead, { forced: true, changedSteps: ['last (changed)'] }),
      { type: 'decision', stepId: 'last', choice: 'done', by: 'erin', note: 'ran it by hand on db2' },
      { type: 'step-finished', stepId: 'last', status: 'done-by-hand', durationMs: 0, attempts: 1, note: 'ran it by hand on db2', by: 'erin' },
      { type: 'run-finished', status: 'done', durationMs: 95_000, exitCode: 0 },
    ]);

    const r = await cli(['show', 'last', '--store', store]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    const lineOf = (id: string): string => out.split('\n').find((l) => new RegExp(`^\\S+ ${id}\\s`).test(l)) ?? '';
    expect(out).toMatch(/^mode live · status done · 1m35s of RTO 10m00s$/m);
    expect(lineOf('tolerated')).toMatch(/skipped .* — known flake INC-7 · by dana · after: command exited with code 4$/);
    expect(lineOf('last')).toMatch(/done-by-hand .* — ran it by hand on db2 · by erin$/);
    expect(lineOf('never')).toMatch(/skipped .* — condition \(when\) is false$/);
    expect(out).toContain('started 2026-01-01T12:00:00.000Z by dana on');
    expect(out).toMatch(/^resumed 2026-01-01T12:00:\d\d\.000Z by erin on \S+ · forced, changed steps: last \(changed\)$/m);
    expect(out).toMatch(/^decisions\n {2}\S+ {2}tolerated: skip by dana — known flake INC-7\n {2}\S+ {2}last: done by hand by erin — ran it by hand on db2$/m);

    const s = json<Shown>(await cli(['show', 'last', '--json', '--store', store]));
    expect(s.resumes).toEqual([{ t: expect.any(String) as string, operator: 'erin', host: hostname(), pid: dead, forced: true, changedSteps: ['last (changed)'] }]);
    expect(s.decisions).toMatchObject([
      { stepId: 'tolerated', choice: 'skip', by: 'dana', reason: 'known flake INC-7' },
      { stepId: 'last', choice: 'done', by: 'erin', note: 'ran it by hand on db2' },
    ]);
    const by = new Map(s.steps.map((x) => [x.id, x]));
    expect(by.get('tolerated')).toMatchObject({ status: 'skipped', reason: 'known flake INC-7', by: 'dana' });
    expect(by.get('last')).toMatchObject({ status: 'done-by-hand', note: 'ran it by hand on db2', by: 'erin' });
  });
});

describe('list', () => {
  it('lists the examples with title, step count and RTO', async () => {
    const r = await runCli(['list', 'examples'], { cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = hello.toPlan();
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${plan.id} `));
    expect(line, r.stdout).toBeDefined();
    expect(line).toContain(plan.title);
    expect(line).toMatch(new RegExp(`\\b${plan.steps.length} steps\\b`));
    expect(line).toContain('RTO 2m00s');
    expect(line).toContain('examples/hello.ts');
    // every example module is listed, none as an error
    const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));
    for (const f of files) expect(r.stdout).toContain(`examples/${f}`);
    expect(r.stdout).not.toContain('✖');
  });

  it('lists a folder as text and --json; a runbook without an RTO says so', async () => {
    const dir = join(tmp.dir, 'list-dir');
    cpSync(fixture('list'), dir, { recursive: true });
    const r = await runCli(['list', dir], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^list-alpha\s+3 steps\s+RTO 15m00s\s+Alpha procedure\s/);
    expect(lines[1]).toMatch(/^list-beta\s+1 steps\s+no RTO\s+Beta procedure without an RTO\s/);

    const rows = json<{ file: string; id?: string; title?: string; steps?: number; rtoMs?: number | null }[]>(await runCli(['list', dir, '--json'], { cwd: tmp.dir }));
    expect(rows.map(({ id, title, steps, rtoMs }) => ({ id, title, steps, rtoMs }))).toEqual([
      { id: 'list-alpha', title: 'Alpha procedure', steps: 3, rtoMs: 900_000 },
      { id: 'list-beta', title: 'Beta procedure without an RTO', steps: 1, rtoMs: null },
    ]);
  });

  it('warns when two files define the same runbook id (they share a lock and a journal namespace), as text and --json', async () => {
    const dir = join(tmp.dir, 'list-dup');
    cpSync(fixture('list'), dir, { recursive: true });
    const alpha = readdirSync(dir).find((f) => readFileSync(join(dir, f), 'utf8').includes("'list-alpha'")) ?? '';
    writeFileSync(join(dir, 'zz-copy.ts'), readFileSync(join(dir, alpha), 'utf8'));
    const r = await runCli(['list', dir], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warning: runbook id "list-alpha" is defined in 2 files \(\S+, \S+zz-copy\.ts\): they share one lock and one journal namespace/m);
    const rows = json<{ file: string; id?: string; warning?: string }[]>(await runCli(['list', dir, '--json'], { cwd: tmp.dir }));
    expect(rows.filter((x) => x.warning !== undefined).map((x) => x.id)).toEqual(['list-alpha', 'list-alpha']);
    expect(rows.find((x) => x.id === 'list-beta')?.warning).toBeUndefined();
  });

  it('with no folder given and no runbooks in ./runbooks, suggests giving a folder or "runbook list examples"', async () => {
    const cwd = join(tmp.dir, 'list-default');
    mkdirSync(join(cwd, 'runbooks'), { recursive: true });
    writeFileSync(join(cwd, 'runbooks', 'README.md'), '# runbooks\n');
    mkdirSync(join(cwd, 'examples'));
    const r = await runCli(['list'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('No runbooks in runbooks/: give the folder that holds yours (runbook list <dir>), or try "runbook list examples".');
  });

  it('lists a module that is not a runbook as an error and exits 2', async () => {
    const dir = join(tmp.dir, 'list-bad');
    cpSync(fixture('list'), dir, { recursive: true });
    writeFileSync(join(dir, 'broken.ts'), 'export default 42;\n');
    const r = await runCli(['list', dir], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✖ \S*broken\.ts: .*not a runbook/);
    expect(r.stdout).toContain('list-alpha');
  });
});

describe('help and version', () => {
  const commands: [string, string[]][] = [
    ['run', ['<file>', '--dry-run', '--probe', '--simulate [scenario]', '--auto', '--from', '--only', '--param', '--yes', '--operator', '--ui', '--store']],
    ['resume', ['<run-id>', '--force', '--retry-interrupted', '--mark-interrupted-done', '--note', '--auto']],
    ['report', ['<run-id>', '--format', '--out', '--store']],
    ['runs', ['--json', '--store']],
    ['show', ['<run-id>', '--json', '--store']],
    ['list', ['[dir]', '--json']],
  ];

  it.each(commands)('%s --help exits 0 and documents its arguments and options', async (cmd, mentions) => {
    const r = await cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Usage: runbook ${cmd}`);
    for (const m of mentions) expect(r.stdout).toContain(m);
  });

  it('--help lists every command and the exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: runbook');
    for (const [cmd] of commands) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    expect(r.stdout).toMatch(/Exit codes: 0 done .*1 a step failed .*2 usage.*3 aborted.*4 another run holds the lock.*130 interrupted/);
  });

  it('help <command> works like <command> --help', async () => {
    const a = await cli(['help', 'run']);
    const b = await cli(['run', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });
});

describe('exit codes of a live run without a TTY', () => {
  it('exits 1 when an exec fails, and does not run the steps after it', async () => {
    const store = join(tmp.dir, 'exit-1');
    const marker = join(tmp.dir, 'exit-1-marker');
    const r = await cli(['run', fixture('exit-3.ts'), '-p', `marker=${marker}`, '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ fails .*code 3/);
    expect(r.stdout).toContain('FAILED');
    expect(r.stdout).not.toMatch(/^\S+\s+exec\s+after\b/m);
    expect(existsSync(marker)).toBe(false);

    const s = json<Shown>(await cli(['show', 'last', '--json', '--store', store]));
    expect(s.status).toBe('failed');
    expect(s.exitCode).toBe(1);
    expect(s.steps.map((x) => [x.id, x.status])).toEqual([['before', 'ok'], ['fails', 'failed'], ['after', 'pending']]);
    expect(s.steps[1]?.result?.exitCode).toBe(3);
    const finished = journal(store, s.runId).at(-1);
    expect(finished).toMatchObject({ type: 'run-finished', status: 'failed' });
  });

  it('exits 0 when the failing exec has continueOnError, and runs the steps after it', async () => {
    const store = join(tmp.dir, 'exit-0');
    const marker = join(tmp.dir, 'exit-0-marker');
    const r = await cli(['run', fixture('continue-on-error.ts'), '-p', `marker=${marker}`, '--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✖ fails .*code 3.*continuing/);
    expect(r.stdout).toContain('DONE');
    expect(existsSync(marker)).toBe(true);

    const s = json<Shown>(await cli(['show', 'last', '--json', '--store', store]));
    expect(s.status).toBe('done');
    expect(s.exitCode).toBe(0);
    expect(s.steps.map((x) => [x.id, x.status, x.continued ?? false])).toEqual([['fails', 'failed', true], ['after', 'ok', false]]);
  });
});
