import { hostname, userInfo } from 'node:os';
import type { Mode, RunInfo, StepOutput } from '../../dsl/context.js';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { makeContext, resolve } from '../engine/context.js';
import { runEngine } from '../engine/engine.js';
import { noPrompter, type Prompter } from '../engine/prompter.js';
import { EXIT, UsageError } from '../errors.js';
import type { EventBody, EventSink, JournalEvent } from '../events.js';
import { modeRuntime } from '../modes/index.js';
import type { ResolvedParams } from '../params.js';
import { Redactor } from '../redact.js';
import { JournalWriter } from '../store/journal-writer.js';
import { acquireLock, type Lock } from '../store/lock.js';
import { lockDir } from '../store/lock-dir.js';
import type { StorePaths } from '../store/paths.js';
import type { Simulation } from '../simulate/simulation.js';
import { announceReport } from '../report/write.js';
import { eventPipeline } from './pipeline.js';
import { ReadlinePrompter } from './readline-prompter.js';
import { readHistory, type StepHistory } from './step-history.js';
import { openUi, type Ui } from './ui.js';

export type { Ui } from './ui.js';

export interface SessionOptions {
  readonly plan: RunbookPlan;
  readonly mode: Mode;
  readonly params: ResolvedParams;
  readonly runId: string;
  readonly operator: string;
  readonly store: StorePaths;
  readonly ui: Ui;
  readonly yes: boolean;
  readonly runStartedAt: Date;
  /** Events that open this session: run-started, or run-resumed (+ decisions about the interrupted step). */
  readonly opening: (lockKey: string | null) => EventBody[];
  readonly firstSeq: number;
  readonly restored?: ReadonlyMap<string, StepOutput<unknown, unknown>>;
  readonly skip?: ReadonlyMap<string, string>;
  /** Shown by the reporter only, before the opening events: on resume, the original run-started. */
  readonly preface?: JournalEvent;
  /** Simulation: the scenario's mode, clock and (with --auto) autopilot. */
  readonly simulation?: Simulation;
}

export function defaultOperator(flag: string | undefined): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UsageError('--operator is empty: give who is running this (a name recorded with every decision), or leave the flag out to use your OS user.');
    return flag.trim();
  }
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

export const host = hostname;

/** Whether someone can answer questions: stdin is a terminal. */
export function canAsk(): boolean {
  return process.stdin.isTTY === true;
}

/** Fails before the first step when the run would need a person and there is none. */
export function assertCanRunUnattended(plan: RunbookPlan, mode: Mode, yes: boolean, pending: (id: string) => boolean): void {
  if ((mode !== 'live' && mode !== 'simulate') || canAsk()) return;
  const steps = plan.steps.filter((s) => pending(s.id));
  const confirms = steps.filter((s) => s.kind === 'confirm').map((s) => s.id);
  const interactive = steps.filter((s) => s.options.interactive).map((s) => s.id);
  if (interactive.length > 0 && mode === 'live') {
    throw new UsageError(`This run needs a terminal: step${interactive.length > 1 ? 's' : ''} ${interactive.join(', ')} ${interactive.length > 1 ? 'are' : 'is'} interactive (the command takes the operator's keyboard) and stdin is not a TTY. Run it from a terminal.`);
  }
  if (mode === 'simulate' && confirms.length > 0 && !yes) {
    throw new UsageError(`This simulation asks the participants (${confirms.join(', ')}) but stdin is not a terminal, so nobody can answer. Run the exercise from a terminal, or pass --auto to let the scenario answer (unattended drill).`);
  }
  if (confirms.length > 0 && !yes) {
    throw new UsageError(`This run asks for confirmation (${confirms.join(', ')}) but stdin is not a terminal, so nobody can answer. Run it from a terminal, or pass --yes to answer yes to every confirmation (recorded as automatic).`);
  }
}

export interface HeldLock {
  readonly lock: Lock | undefined;
  /** The runbook's lockKey, resolved from the params (recorded in run-started). */
  readonly lockKey: string | null;
}

/**
 * Takes the one-live-run lock for procedure + target (live runs only), before anything is asked or
 * written: a second operator learns at once that someone else is driving this procedure.
 */
export function takeRunLock(plan: RunbookPlan, mode: Mode, params: ResolvedParams, runId: string, operator: string): HeldLock {
  let lockKey: string | null = null;
  if (plan.lockKey) {
    const run: RunInfo = { id: runId, runbookId: plan.id, mode, operator, startedAt: new Date().toISOString() };
    lockKey = String(resolve(plan.lockKey, makeContext(params.values, new Map(), run, mode), 'lockKey'));
  }
  if (mode !== 'live') return { lock: undefined, lockKey };
  const key = lockKey === null ? plan.id : `${plan.id}:${lockKey}`;
  const lock = acquireLock(lockDir(), { key, runId, operator, host: host(), pid: process.pid, startedAt: new Date().toISOString() });
  return { lock, lockKey };
}

/** Runs one session of a run (a fresh run or a resume) under a held lock: journal, reporters, signals, engine. */
export async function runSession(o: SessionOptions, held: HeldLock): Promise<number> {
  const { lock, lockKey } = held;
  const redactor = new Redactor();
  for (const s of o.params.secrets) redactor.add(s);
  const mode = await (o.simulation ? Promise.resolve(o.simulation.mode) : modeRuntime(o.mode)).catch((e: unknown) => {
    lock?.release();
    throw e;
  });
  const history = (): StepHistory => readHistory(o.store, o.plan.id, o.runId);
  const view = await openUi(o.ui, o.plan, { restored: new Set(o.restored?.keys()), history }).catch((e: unknown) => {
    lock?.release();
    throw e;
  });
  const run: RunInfo = { id: o.runId, runbookId: o.plan.id, mode: o.mode, operator: o.operator, startedAt: o.runStartedAt.toISOString() };

  const journal = new JournalWriter(o.store.journal(o.runId));
  const reporter: EventSink = view.reporter;
  const emit = eventPipeline(redactor, [journal, reporter], o.firstSeq);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(EXIT.interrupted);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (o.preface) reporter.write(redactor.value(o.preface));
    for (const e of o.opening(lockKey)) emit(e);
    if (lock?.tookOverFrom) emit({ type: 'lock-takeover', key: lock.tookOverFrom.key, previous: { ...lock.tookOverFrom } });
    o.simulation?.attach(emit);
    const prompter: Prompter = view.prompter ?? ((o.mode === 'live' || (o.mode === 'simulate' && !o.simulation?.autopilot)) && canAsk() ? new ReadlinePrompter(process.stdin, o.ui === 'json' ? process.stderr : process.stdout, () => onSignal('SIGINT')) : noPrompter);
    const result = await runEngine({
      plan: o.plan, mode, params: o.params.values, run, prompter, emit, redact: (s) => redactor.text(s), signal: controller.signal,
      yes: o.yes, runStartedAtMs: o.runStartedAt.getTime(), barrier: () => journal.settled(),
      ...(o.restored ? { restored: o.restored } : {}),
      ...(o.skip ? { skip: o.skip } : {}),
      ...(o.simulation ? { clock: o.simulation.clock, ...(o.simulation.autopilot ? { autopilot: o.simulation.autopilot } : {}) } : {}),
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal.close();
    lock?.release();
    await view.close();
    // After the UI has let go of the terminal: the report of the run, and one line saying where it is.
    if (o.ui !== 'json') announceReport(o.store, o.runId);
  }
}
