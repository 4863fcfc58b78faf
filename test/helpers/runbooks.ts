// Tests of the library runbooks (test/runbooks/*): run `runbooks/<id>.ts` through the built CLI — lint,
// dry-run, probe, a tabletop scenario with --auto, or live — and read the journal of the run it wrote.
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { ROOT, runCli, tempDir, type CliOptions, type CliResult } from './cli.js';
import { onlyRun } from './store.js';

/** A journal event, as the tests read it (the fields they look at; all optional but `type`). */
export interface Ev {
  readonly type: string;
  readonly runId?: string;
  readonly stepId?: string;
  readonly status?: string;
  readonly mode?: string;
  readonly scenario?: { readonly name: string } | null;
  readonly durationMs?: number;
  readonly simDurationMs?: number;
  readonly simAtMs?: number;
  readonly atMs?: number;
  readonly attempts?: number;
  readonly attempt?: number;
  readonly retryInMs?: number | null;
  readonly value?: unknown;
  readonly result?: unknown;
  readonly error?: string;
  readonly reason?: string;
  readonly note?: string;
  readonly continued?: boolean;
  readonly choice?: string;
  readonly answer?: boolean;
  readonly by?: string;
  readonly exitCode?: number;
  readonly message?: string;
  readonly stream?: string;
  readonly text?: string;
  readonly action?: { readonly text: string } | null;
}

/** A finished CLI run and the journal of the one run it wrote to its store. */
export interface Run extends CliResult {
  readonly store: string;
  /** The journal as written (NDJSON). */
  readonly journal: string;
  readonly events: Ev[];
  /** step id → its step-finished event */
  readonly finished: Map<string, Ev>;
  /** step ids that started, in order */
  readonly started: string[];
  /** the journal's last event */
  readonly end: Ev;
}

/** `runbooks/<id>.ts`, absolute. */
export const runbookFile = (id: string): string => join(ROOT, 'runbooks', `${id}.ts`);
/** `runbooks/scenarios/<id>/<file>`, absolute. */
export const scenarioFile = (id: string, file: string): string => join(ROOT, 'runbooks', 'scenarios', id, file);

/**
 * A fresh temp directory for each test (`per: 'test'`) or for the whole file/describe (`per: 'file'`),
 * removed after it. Register at the top of a file or describe; read `.dir` inside tests and hooks.
 */
export function useTempDir(prefix: string, per: 'test' | 'file' = 'test'): { readonly dir: string } {
  let current: { dir: string; cleanup: () => void } | undefined;
  (per === 'test' ? beforeEach : beforeAll)(() => {
    current = tempDir(prefix);
  });
  (per === 'test' ? afterEach : afterAll)(() => current?.cleanup());
  return {
    get dir(): string {
      if (!current) throw new Error('useTempDir: .dir read outside a test or hook');
      return current.dir;
    },
  };
}

/** The journal text of the one run in `store` (throws unless there is exactly one). */
export const readJournal = (store: string): string => readFileSync(onlyRun(store), 'utf8');
/** The journal's events, parsed. */
export const parseEvents = (journal: string): Ev[] => journal.trim().split('\n').map((l) => JSON.parse(l) as Ev);
/** The events of the one run in `store`. */
export const readEvents = (store: string): Ev[] => parseEvents(readJournal(store));

/** step id → its step-finished event (the last, should a step finish more than once). */
export function finishedSteps(events: readonly Ev[]): Map<string, Ev> {
  return new Map(events.filter((e) => e.type === 'step-finished').map((e) => [e.stepId ?? '', e]));
}
/** The (first) step-finished event of step `id`. */
export const finished = (events: readonly Ev[], id: string): Ev | undefined => events.find((e) => e.type === 'step-finished' && e.stepId === id);
/** The run-finished event (asserted present by the `!`: undefined when the run never finished). */
export const runFinished = (events: readonly Ev[]): Ev => events.find((e) => e.type === 'run-finished')!;
/** step id → its status, for every step that finished (in the order they first finished). */
export const statuses = (events: readonly Ev[]): Record<string, string> =>
  Object.fromEntries([...finishedSteps(events)].map(([id, e]) => [id, e.status ?? '?']));
/** `{ id: status }` for each of `ids`: to spell out the expected statuses of a branch of steps. */
export const each = (ids: readonly string[], status: string): Record<string, string> => Object.fromEntries(ids.map((id) => [id, status]));
/** The message a notify step sent (its result's `message`), '' when none. */
export const notifyMessage = (events: readonly Ev[], id: string): string =>
  String((finished(events, id)?.result as { message?: string } | undefined)?.message ?? '');
/** The rendered action of step `id` when it started, '' when none. */
export const actionText = (events: readonly Ev[], id: string): string => events.find((e) => e.type === 'step-started' && e.stepId === id)?.action?.text ?? '';
/** Simulated (or real) time step `id` took (ms), from its step-finished event. */
export const took = (r: Run, id: string): number => r.finished.get(id)?.durationMs ?? Number.NaN;

/**
 * `runbook run runbooks/<id>.ts <args…> --ui plain --store <store>`, then the journal of the one run
 * it wrote (throws, with the CLI's output, unless there is exactly one).
 */
export async function runRunbook(id: string, store: string, args: readonly string[], o: CliOptions = {}): Promise<Run> {
  const r = await runCli(['run', runbookFile(id), ...args, '--ui', 'plain', '--store', store], o);
  let journal: string;
  try {
    journal = readJournal(store);
  } catch (e) {
    throw new Error(`${(e as Error).message} (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  const events = parseEvents(journal);
  return {
    ...r, store, journal, events,
    finished: finishedSteps(events),
    started: events.filter((e) => e.type === 'step-started').map((e) => e.stepId ?? ''),
    end: events.at(-1) as Ev,
  };
}

/** A tabletop run: `--simulate runbooks/scenarios/<id>/<scenario> --auto <params…>`, stored in `<dir>/store-<scenario>`. */
export function simulate(id: string, scenario: string, dir: string, params: readonly string[] = []): Promise<Run> {
  return runRunbook(id, join(dir, `store-${scenario}`), ['--simulate', scenarioFile(id, scenario), '--auto', ...params]);
}

/** `--dry-run --probe --only <step> <params…>` in a store of its own under `dir`: the step's read-only check runs for real. */
export function probe(id: string, step: string, dir: string, params: readonly string[] = []): Promise<Run> {
  return runRunbook(id, mkdtempSync(join(dir, 'store-probe-')), ['--dry-run', '--probe', '--only', step, ...params]);
}

/** `runbook run runbooks/<id>.ts --dry-run --ui plain --store <dir>/store-dry <params…>` (the journal is not read). */
export function dryRun(id: string, dir: string, params: readonly string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['run', runbookFile(id), '--dry-run', '--ui', 'plain', '--store', join(dir, 'store-dry'), ...params], { env });
}

/** `runbook lint runbooks/<id>.ts` says "no problems", on stdout only, and exits 0. */
export async function expectLintClean(id: string): Promise<void> {
  const r = await runCli(['lint', runbookFile(id)]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('no problems');
  expect(r.code).toBe(0);
}

/**
 * The plan is fit for a tabletop: every step has an estimate, every confirm a description — and, with
 * `questions`, a confirm's title reads as a question (ends in "?").
 */
export function expectPlanShape(plan: RunbookPlan, o: { questions?: boolean } = {}): void {
  for (const s of plan.steps) expect(s.options.estimateMs, `${s.id} has an estimate`).toBeGreaterThan(0);
  for (const s of plan.steps.filter((s) => s.kind === 'confirm')) {
    if (o.questions) expect(s.title.endsWith('?'), `${s.id} reads as a question`).toBe(true);
    expect(s.options.description, `${s.id} has a description`).toBeTruthy();
  }
}
