import { hostname, userInfo } from 'node:os';
import type { Mode, RunInfo, StepOutput } from '../../dsl/context.js';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { makeContext, resolve } from '../engine/context.js';
import { runEngine } from '../engine/engine.js';
import { noPrompter, type Prompter } from '../engine/prompter.js';
import { EXIT, UsageError } from '../errors.js';
import type { EventBody, EventSink, JournalEvent } from '../events.js';
import { modeRuntime } from '../modes/index.js';
import type { ModeRuntime } from '../modes/types.js';
import type { ResolvedParams } from '../params.js';
import { Redactor } from '../redact.js';
import { leaseTiming } from '../store/lease-timing.js';
import type { Lease, LeaseLoss, RunStore } from '../store/run-store.js';
import type { Simulation } from '../simulate/simulation.js';
import { announceReportFrom } from '../report/write.js';
import { storeApprovals } from './approvals-port.js';
import { eventPipeline } from './pipeline.js';
import { ReadlinePrompter } from './readline-prompter.js';
import { NO_HISTORY } from './step-history.js';
import { openUi, type Ui } from './ui.js';

export type { Ui } from './ui.js';

export interface SessionOptions {
  readonly plan: RunbookPlan;
  readonly mode: Mode;
  readonly params: ResolvedParams;
  readonly runId: string;
  readonly operator: string;
  readonly store: RunStore;
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
  /** The lease on procedure + target (live runs only). */
  readonly lock: Lease | undefined;
  /** The runbook's lockKey, resolved from the params (recorded in run-started). */
  readonly lockKey: string | null;
}

/**
 * Takes the one-live-run lease for procedure + target (live runs only), before anything is asked or
 * written: a second operator learns at once that someone else is driving this procedure.
 */
export async function takeRunLock(store: RunStore, plan: RunbookPlan, mode: Mode, params: ResolvedParams, runId: string, operator: string): Promise<HeldLock> {
  let lockKey: string | null = null;
  if (plan.lockKey) {
    const run: RunInfo = { id: runId, runbookId: plan.id, mode, operator, startedAt: new Date().toISOString() };
    lockKey = String(resolve(plan.lockKey, makeContext(params.values, new Map(), run, mode), 'lockKey'));
  }
  if (mode !== 'live') return { lock: undefined, lockKey };
  const key = lockKey === null ? plan.id : `${plan.id}:${lockKey}`;
  const lock = await store.acquireLease({ key, runId, operator, host: host(), pid: process.pid, startedAt: new Date().toISOString() });
  return { lock, lockKey };
}

/** Runs one session of a run (a fresh run or a resume) under a held lease: journal, reporters, signals, engine. */
export async function runSession(o: SessionOptions, held: HeldLock): Promise<number> {
  const { lock, lockKey } = held;
  const redactor = new Redactor();
  for (const s of o.params.secrets) redactor.add(s);
  const release = async (): Promise<void> => {
    await lock?.release();
  };
  const mode = await (o.simulation ? Promise.resolve(o.simulation.mode) : modeRuntime(o.mode)).catch(async (e: unknown) => {
    await release();
    throw e;
  });
  // Earlier runs' durations feed the TUI's ETA only; the other UIs never read them.
  const history = o.ui === 'tui' ? await o.store.history(o.plan.id, o.runId) : NO_HISTORY;
  const view = await openUi(o.ui, o.plan, { restored: new Set(o.restored?.keys()), history: () => history }).catch(async (e: unknown) => {
    await release();
    throw e;
  });
  const run: RunInfo = { id: o.runId, runbookId: o.plan.id, mode: o.mode, operator: o.operator, startedAt: o.runStartedAt.toISOString() };

  let journal;
  try {
    journal = await o.store.openJournal(o.runId);
  } catch (e) {
    await view.close();
    await release();
    throw e;
  }
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
  const watch = lock ? watchLease(lock, emit, o, controller) : undefined;
  try {
    if (o.preface) reporter.write(redactor.value(o.preface));
    for (const e of o.opening(lockKey)) emit(e);
    if (lock?.tookOverFrom) emit({ type: 'lock-takeover', key: lock.tookOverFrom.key, previous: { ...lock.tookOverFrom } });
    o.simulation?.attach(emit);
    const prompter: Prompter = view.prompter ?? ((o.mode === 'live' || (o.mode === 'simulate' && !o.simulation?.autopilot)) && canAsk() ? new ReadlinePrompter(process.stdin, o.ui === 'json' ? process.stderr : process.stdout, () => onSignal('SIGINT')) : noPrompter);
    const j = journal;
    const result = await runEngine({
      plan: o.plan, mode: watch ? watch.guard(durable(mode, j)) : durable(mode, j), params: o.params.values, run, prompter, emit, redact: (s) => redactor.text(s), signal: controller.signal,
      yes: o.yes, runStartedAtMs: o.runStartedAt.getTime(),
      barrier: async () => {
        await j.settled();
        watch?.between();
      },
      approvals: storeApprovals(o.store, o.runId),
      ...(o.restored ? { restored: o.restored } : {}),
      ...(o.skip ? { skip: o.skip } : {}),
      ...(o.simulation ? { clock: o.simulation.clock, ...(o.simulation.autopilot ? { autopilot: o.simulation.autopilot } : {}) } : {}),
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await watch?.stop();
    try {
      await journal.close();
    } finally {
      await release();
      await view.close();
    }
    // After the UI has let go of the terminal: the report of the run, and one line saying where it is.
    if (o.ui !== 'json') {
      const read = await o.store.readRun(o.runId).catch((e: unknown) => e);
      announceReportFrom(o.store.reportsDir, o.runId, () => {
        if (read instanceof Error) throw read;
        return read as { events: readonly JournalEvent[]; tornTail: boolean };
      });
    }
  }
}

/**
 * An action starts only once the events before it (its step-started above all) are durable in the
 * store: the file store has written them already; PostgreSQL waits for the commit.
 */
function durable(mode: ModeRuntime, journal: { beforeAction(): Promise<void> }): ModeRuntime {
  const execute = mode.execute;
  if (execute === undefined) return mode;
  return { ...mode, execute: async (a, env) => {
    await journal.beforeAction();
    return execute(a, env);
  } };
}

/**
 * Keeps the lease alive (a heartbeat every few seconds) and notices when it is lost: unlocked by
 * someone (`runbook unlock`), or taken over after it expired. The loss is journaled, and the run stops
 * before its next step (at once when no action is in flight: nothing is killed halfway).
 */
function watchLease(lease: Lease, emit: (e: EventBody) => void, o: SessionOptions, controller: AbortController): {
  guard(mode: ModeRuntime): ModeRuntime; between(): void; stop(): Promise<void>;
} {
  const { heartbeatMs } = leaseTiming();
  let lost: LeaseLoss | undefined;
  let acting = 0;
  let beating: Promise<void> = Promise.resolve();
  const stopHere = (): void => {
    if (lost && !controller.signal.aborted) controller.abort('LEASE-LOST');
  };
  const beat = async (): Promise<void> => {
    if (lost) return;
    const loss = await lease.heartbeat().catch(() => undefined); // a store that is down fails the journal, which stops the run
    if (loss === undefined || lost) return;
    lost = loss;
    const holder = { runId: o.runId, operator: o.operator, host: host(), pid: process.pid };
    if (loss.unlock) {
      emit({ type: 'lease-unlocked', key: lease.key, holder, by: loss.unlock.by, host: loss.unlock.host, reason: loss.unlock.reason });
    } else {
      const now = loss.holder ? `run ${loss.holder.runId} (${loss.holder.operator}@${loss.holder.host}) holds it now` : 'it is gone';
      emit({ type: 'warning', stepId: null, message: `this run lost its lease "${lease.key}" (${now}): it stops before its next step` });
    }
    if (acting === 0) stopHere();
  };
  const timer = setInterval(() => {
    beating = beating.then(beat);
  }, heartbeatMs);
  timer.unref();
  return {
    guard: (mode) => {
      const execute = mode.execute;
      if (execute === undefined) return mode;
      return { ...mode, execute: async (a, env) => {
        acting++;
        try {
          return await execute(a, env);
        } finally {
          acting--;
        }
      } };
    },
    between: stopHere,
    stop: async () => {
      clearInterval(timer);
      await beating;
    },
  };
}
