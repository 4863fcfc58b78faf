import { hostname, userInfo } from 'node:os';
import type { Mode, RunInfo, StepOutput } from '../../dsl/context.js';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { makeContext, resolve } from '../engine/context.js';
import { runEngine } from '../engine/engine.js';
import { noPrompter, type Prompter } from '../engine/prompter.js';
import { EXIT, UsageError } from '../errors.js';
import type { EventBody, EventSink } from '../events.js';
import { modeRuntime } from '../modes/index.js';
import type { ResolvedParams } from '../params.js';
import { Redactor } from '../redact.js';
import { JournalWriter } from '../store/journal-writer.js';
import { acquireLock, type Lock } from '../store/lock.js';
import type { StorePaths } from '../store/paths.js';
import { JsonReporter } from '../../tui/json-reporter.js';
import { PlainReporter } from '../../tui/plain-reporter.js';
import { eventPipeline } from './pipeline.js';
import { ReadlinePrompter } from './readline-prompter.js';

export type Ui = 'plain' | 'json';

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
}

export function defaultOperator(flag: string | undefined): string {
  if (flag !== undefined && flag.trim() !== '') return flag.trim();
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
  if (mode !== 'live' || canAsk()) return;
  const steps = plan.steps.filter((s) => pending(s.id));
  const confirms = steps.filter((s) => s.kind === 'confirm').map((s) => s.id);
  const interactive = steps.filter((s) => s.options.interactive).map((s) => s.id);
  if (interactive.length > 0) {
    throw new UsageError(`This run needs a terminal: step${interactive.length > 1 ? 's' : ''} ${interactive.join(', ')} ${interactive.length > 1 ? 'are' : 'is'} interactive (the command takes the operator's keyboard) and stdin is not a TTY. Run it from a terminal.`);
  }
  if (confirms.length > 0 && !yes) {
    throw new UsageError(`This run asks for confirmation (${confirms.join(', ')}) but stdin is not a terminal, so nobody can answer. Run it from a terminal, or pass --yes to answer yes to every confirmation (recorded as automatic).`);
  }
}

/** Runs one session of a run (a fresh run or a resume): lock, journal, reporters, signals, engine. */
export async function runSession(o: SessionOptions): Promise<number> {
  const redactor = new Redactor();
  for (const s of o.params.secrets) redactor.add(s);
  const mode = await modeRuntime(o.mode);
  const run: RunInfo = { id: o.runId, runbookId: o.plan.id, mode: o.mode, operator: o.operator, startedAt: o.runStartedAt.toISOString() };

  let lockKey: string | null = null;
  if (o.plan.lockKey) {
    const c = makeContext(o.params.values, new Map(), run, o.mode);
    lockKey = String(resolve(o.plan.lockKey, c, 'lockKey'));
  }
  let lock: Lock | undefined;
  if (o.mode === 'live') {
    const key = lockKey === null ? o.plan.id : `${o.plan.id}:${lockKey}`;
    lock = acquireLock(o.store.locks, { key, runId: o.runId, operator: o.operator, host: host(), pid: process.pid, startedAt: new Date().toISOString() });
  }

  const journal = new JournalWriter(o.store.journal(o.runId));
  const reporter: EventSink = o.ui === 'json' ? new JsonReporter() : new PlainReporter();
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
    for (const e of o.opening(lockKey)) emit(e);
    if (lock?.tookOverFrom) emit({ type: 'lock-takeover', key: lock.tookOverFrom.key, previous: { ...lock.tookOverFrom } });
    const prompter: Prompter = o.mode === 'live' && canAsk() ? new ReadlinePrompter(process.stdin, o.ui === 'json' ? process.stderr : process.stdout) : noPrompter;
    const result = await runEngine({
      plan: o.plan, mode, params: o.params.values, run, prompter, emit, redact: (s) => redactor.text(s), signal: controller.signal,
      yes: o.yes, runStartedAtMs: o.runStartedAt.getTime(), barrier: () => journal.settled(),
      ...(o.restored ? { restored: o.restored } : {}),
      ...(o.skip ? { skip: o.skip } : {}),
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    journal.close();
    lock?.release();
  }
}
