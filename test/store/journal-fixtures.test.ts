// Committed journals replayed through the store: the recorded v1 format (which every later version
// must keep reading), a torn last line (tolerated), and damaged files (clear errors naming file and line).
// v1-complete.ndjson was recorded by really running test/fixtures/journals/recorded.ts (see its header);
// the others are derived from it: v1-torn cuts the run mid-write of slow's step-finished line, and so on.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../interpreter/errors.js';
import { readJournal } from '../../interpreter/store/journal-reader.js';
import { isSettled, replay } from '../../interpreter/store/run-state.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { countLines, journalEvents } from '../helpers/crash.js';

const DIR = join(ROOT, 'test', 'fixtures', 'journals');
const fixture = (name: string): string => join(DIR, name);
const RUN_ID = '20261123-135006-61f4';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A store holding one fixture journal under the recorded run id. */
function storeWith(name: string): { root: string; store: string; journal: string; cli: (args: string[], env?: Record<string, string | undefined>) => Promise<CliResult> } {
  const t = tempDir('runbook-journal-');
  cleanups.push(t.cleanup);
  const store = join(t.dir, 'store');
  mkdirSync(join(store, 'runs'), { recursive: true });
  const journal = join(store, 'runs', `${RUN_ID}.ndjson`);
  copyFileSync(fixture(name), journal);
  return { root: t.dir, store, journal, cli: (args, env = {}) => runCli([...args, '--store', store], { cwd: t.dir, env: { DB_TOKEN: undefined, ...env } }) };
}

function readError(path: string): UsageError {
  try {
    readJournal(path);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`readJournal(${path}) did not throw`);
}

function expectUsage(r: CliResult, ...needles: (string | RegExp)[]): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(2);
  for (const n of needles) expect(r.stderr).toMatch(n);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('the recorded v1 journal', () => {
  it('replays to the statuses, values and durations it recorded', () => {
    const { events, tornTail } = readJournal(fixture('v1-complete.ndjson'));
    expect(tornTail).toBe(false);
    expect(events).toHaveLength(26);
    const s = replay(events);
    expect(s.meta).toMatchObject({
      v: 1, runId: RUN_ID, runbookId: 'journal-fixture', title: 'Journal fixture', mode: 'live', rtoMs: 300_000,
      operator: 'fixture-operator', secretParams: ['token'], params: { dir: '/tmp/journal-fixture/work', replicas: 3, token: '***' },
      lockKey: null, from: null, only: null,
    });
    expect(s.meta.steps.map((x) => x.id)).toEqual(['lag', 'go', 'prepare', 'plan', 'slow', 'skipped-by-when', 'flaky', 'use-token', 'announce']);
    expect(Object.keys(s.meta.fingerprints)).toEqual(s.meta.steps.map((x) => x.id));
    expect(s).toMatchObject({ status: 'done', durationMs: 537, exitCode: 0 });
    expect([...s.operators]).toEqual(['fixture-operator']);

    const step = (id: string) => s.steps.get(id);
    expect(step('lag')).toMatchObject({ status: 'ok', durationMs: 16, attempts: 1, value: 512 });
    expect(step('go')).toMatchObject({ status: 'ok', durationMs: 1, value: true, by: 'fixture-operator', result: { answer: true, auto: true } });
    expect(step('prepare')).toMatchObject({ status: 'ok', durationMs: 9, result: { exitCode: 0, stdout: 'prepared', stderr: 'a warning' } });
    expect(step('plan')).toMatchObject({ status: 'ok', durationMs: 8, value: { replicas: 3, order: ['db1', 'db2'], lag: 512 } });
    expect(step('slow')).toMatchObject({ status: 'ok', durationMs: 317 });
    expect(step('skipped-by-when')).toMatchObject({ status: 'skipped', durationMs: 0, attempts: 0, reason: 'condition (when) is false' });
    expect(step('flaky')).toMatchObject({ status: 'failed', durationMs: 13, continued: true, error: 'command exited with code 7: no route' });
    expect(step('use-token')).toMatchObject({ status: 'ok', durationMs: 5, value: { stdout: 'token-used' } });
    expect(step('announce')).toMatchObject({ status: 'ok', durationMs: 0, value: { channel: 'console', message: 'plan for 3 replicas done' } });
    // Everything is settled: a resume would rerun nothing.
    for (const x of s.steps.values()) expect(isSettled(x), x.id).toBe(true);
    // The secret never reached the journal; its redaction did.
    const text = readFileSync(fixture('v1-complete.ndjson'), 'utf8');
    expect(text).not.toContain('fixture-secret');
    expect(text).toContain('printf %s *** > token.txt');
  });

  it('show and show --json read it; runs lists it', async () => {
    const s = storeWith('v1-complete.ndjson');
    const shown = await s.cli(['show', RUN_ID]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Journal fixture');
    expect(shown.stdout).toMatch(/slow\s+exec\s+ok/);
    expect(shown.stdout).toMatch(/flaky\b.*failed.*no route/);
    expect(shown.stdout).not.toContain('cut short');

    const json = await s.cli(['show', RUN_ID.slice(0, 10), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { status: string; durationMs: number; tornTail: boolean; steps: { id: string; status: string; durationMs: number | null }[] };
    expect(out).toMatchObject({ status: 'done', durationMs: 537, tornTail: false });
    expect(out.steps.map((x) => [x.id, x.status, x.durationMs])).toEqual([
      ['lag', 'ok', 16], ['go', 'ok', 1], ['prepare', 'ok', 9], ['plan', 'ok', 8], ['slow', 'ok', 317],
      ['skipped-by-when', 'skipped', 0], ['flaky', 'failed', 13], ['use-token', 'ok', 5], ['announce', 'ok', 0],
    ]);

    const runs = await s.cli(['runs', '--json']);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ runId: RUN_ID, runbookId: 'journal-fixture', status: 'done', mode: 'live' }]);
  });
});

describe('a torn last line (crash mid-write)', () => {
  it('is tolerated: the events before it replay, and the step whose end was torn counts as interrupted', () => {
    const text = readFileSync(fixture('v1-torn.ndjson'), 'utf8');
    expect(text.endsWith('\n')).toBe(false);
    const { events, tornTail } = readJournal(fixture('v1-torn.ndjson'));
    expect(tornTail).toBe(true);
    expect(events).toHaveLength(14);
    expect(events.at(-1)).toMatchObject({ type: 'step-started', stepId: 'slow' });
    const s = replay(events);
    expect(s.status).toBe('running');
    expect(s.steps.get('slow')?.status).toBe('interrupted');
    expect(isSettled(s.steps.get('slow') ?? { id: 'slow', status: 'interrupted', durationMs: null, attempts: 0 })).toBe(false);
    expect(s.steps.get('plan')).toMatchObject({ status: 'ok', value: { replicas: 3 } });
    expect(s.steps.get('flaky')?.status).toBe('pending');
  });

  it('a journal whose only line is torn never started: a clear error', () => {
    expect(readError(fixture('torn-only.ndjson')).message).toMatch(/torn-only\.ndjson is empty/);
  });

  it('show works on it and says the last line was cut short', async () => {
    const s = storeWith('v1-torn.ndjson');
    const shown = await s.cli(['show', RUN_ID]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('cut short');
    expect(shown.stdout).toMatch(/slow\s+exec\s+interrupted/);
    const json = await s.cli(['show', RUN_ID, '--json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { tornTail: boolean; steps: { id: string; status: string }[] };
    expect(out.tornTail).toBe(true);
    expect(out.steps.find((x) => x.id === 'slow')?.status).toBe('interrupted');
  });

  /** The torn journal, pointed at a copy of its runbook in a temp dir, with a fresh scratch dir. */
  function resumable(): ReturnType<typeof storeWith> & { work: string } {
    const s = storeWith('v1-torn.ndjson');
    const runbook = join(s.root, 'recorded.ts');
    copyFileSync(fixture('recorded.ts'), runbook);
    const work = join(s.root, 'work');
    mkdirSync(work);
    // Point the run at the copy (same source, so the same step fingerprints); keep the torn tail as is.
    const text = readFileSync(s.journal, 'utf8');
    const nl = text.indexOf('\n');
    const first = JSON.parse(text.slice(0, nl)) as Record<string, unknown>;
    // Params are fixed for a run (resume refuses -p changes), so the scratch dir is set here too.
    const params = { ...(first['params'] as Record<string, unknown>), dir: work };
    writeFileSync(s.journal, JSON.stringify({ ...first, file: runbook, params }) + text.slice(nl));
    return { ...s, work };
  }

  it('resume never silently reruns or skips the torn step: no decision → exit 2 naming it, journal untouched', async () => {
    const s = resumable();
    const before = readFileSync(s.journal);
    const r = await s.cli(['resume', RUN_ID], { DB_TOKEN: 'tok' });
    expectUsage(r, '"slow"', '--retry-interrupted', '--mark-interrupted-done');
    expect(readFileSync(s.journal).equals(before)).toBe(true);
    expect(countLines(join(s.work, 'counter'))).toEqual({});
  });

  it('resume --retry-interrupted reruns only the torn step, drops the torn bytes, and leaves a readable journal', async () => {
    const s = resumable();
    const r = await s.cli(['resume', RUN_ID, '--retry-interrupted'], { DB_TOKEN: 'tok' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // prepare (before the crash) did not run again in the fresh scratch dir; slow did, once.
    expect(countLines(join(s.work, 'counter'))).toEqual({ slow: 1 });
    expect(readFileSync(join(s.work, 'token.txt'), 'utf8')).toBe('tok');

    const { events, tornTail } = readJournal(s.journal);
    expect(tornTail).toBe(false);
    expect(readFileSync(s.journal, 'utf8').endsWith('\n')).toBe(true);
    expect(events.slice(14).some((e) => e.type === 'warning' && /cut short/.test(e.message))).toBe(true);
    expect(events.filter((e) => e.type === 'step-finished' && e.stepId === 'slow')).toHaveLength(1);
    const st = replay(events);
    expect(st.status).toBe('done');
    // announce read c.steps['plan'].value, restored from the journal.
    expect(st.steps.get('announce')).toMatchObject({ status: 'ok', value: { message: 'plan for 3 replicas done' } });
    expect(st.steps.get('flaky')).toMatchObject({ status: 'failed', continued: true });
    expect(journalEvents(s.journal).map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('resume --mark-interrupted-done records the torn step as done by hand and does not rerun it', async () => {
    const s = resumable();
    const r = await s.cli(['resume', RUN_ID, '--mark-interrupted-done', '--note', 'slow step finished, checked by hand'], { DB_TOKEN: 'tok' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(countLines(join(s.work, 'counter'))).toEqual({});
    const st = replay(readJournal(s.journal).events);
    expect(st.steps.get('slow')).toMatchObject({ status: 'done-by-hand', note: 'slow step finished, checked by hand' });
    expect(st.status).toBe('done');
  });
});

describe('damaged journals are clear errors, never a partial replay', () => {
  const cases: { name: string; what: RegExp }[] = [
    { name: 'corrupt-middle.ndjson', what: /corrupt-middle\.ndjson is corrupt: line 8 is not valid JSON/ },
    { name: 'unknown-event.ndjson', what: /unknown-event\.ndjson is corrupt: line 5 is not a journal event \(type "step-paused"\)/ },
    { name: 'no-run-started.ndjson', what: /no-run-started\.ndjson is corrupt: line 1 does not start with run-started/ },
    { name: 'no-version.ndjson', what: /no-version\.ndjson is corrupt: line 1 has no valid journal format version/ },
    { name: 'v99.ndjson', what: /v99\.ndjson was written in format 99, newer than this runbook understands \(2\)/ },
    { name: 'empty.ndjson', what: /empty\.ndjson is empty/ },
  ];
  for (const c of cases) {
    it(`${c.name}: readJournal throws a UsageError naming the file${/line \d/.test(c.what.source) ? ' and line' : ''}`, () => {
      expect(readError(fixture(c.name)).message).toMatch(c.what);
    });
  }

  it('v99 says to upgrade, rather than calling the file corrupt', () => {
    const m = readError(fixture('v99.ndjson')).message;
    expect(m).toMatch(/newer/);
    expect(m).toMatch(/[Uu]pgrade/);
    expect(m).not.toMatch(/corrupt/);
  });

  it('show and resume exit 2 with the same message (no stack trace); runs lists the run as unreadable', async () => {
    for (const c of cases) {
      const s = storeWith(c.name);
      const what = new RegExp(c.what.source.replace(/^[\w-]+\\\.ndjson/, `${RUN_ID}\\.ndjson`));
      expectUsage(await s.cli(['show', RUN_ID]), what);
      expectUsage(await s.cli(['resume', RUN_ID, '--retry-interrupted']), what);
      const runs = await s.cli(['runs', '--json']);
      expect(runs.code).toBe(0);
      expect(JSON.parse(runs.stdout)).toMatchObject([{ runId: RUN_ID, status: 'unreadable' }]);
    }
  });
});
