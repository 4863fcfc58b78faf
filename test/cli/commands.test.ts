// The read-side commands (runs, show, list), help and version, and the exit codes of live runs
// whose exec fails, end to end through the built CLI.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hello from '../../examples/hello.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';

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
}

interface ShownStep {
  id: string;
  status: string;
  durationMs: number | null;
  attempts: number;
  value?: unknown;
  result?: { exitCode?: number | null } & Record<string, unknown>;
  error?: string;
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
    ['run', ['<file>', '--dry-run', '--probe', '--from', '--only', '--param', '--yes', '--operator', '--ui', '--store']],
    ['resume', ['<run-id>', '--force', '--retry-interrupted', '--mark-interrupted-done', '--note']],
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
