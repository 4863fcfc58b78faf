import type { RunInfo, StepOutput, StepStatus } from '../../dsl/context.js';
import type { ConfirmStep, RunbookPlan, RuntimeCtx, StepKind, StepNode } from '../../dsl/nodes.js';
import { formatDuration } from '../../dsl/duration.js';
import type { EventBody, RunStatus } from '../events.js';
import { EXIT } from '../errors.js';
import type { ActionEnv, ActionOutcome, ModeRuntime } from '../modes/types.js';
import { renderStep } from '../render/render.js';
import { makeContext, type Outputs } from './context.js';
import { RunResources } from './resources.js';
import { LineBuffer } from './line-buffer.js';
import { judge, type Judged } from './outcome.js';
import { realClock, type Clock } from './clock.js';
import type { Autopilot, Prompter } from './prompter.js';
import { approvalGate, type Approvals, type GateOptions } from './approvals.js';
import { unlessAborted } from './sleep.js';
import { journalSafe, stepOutput } from './step-output.js';

export interface EngineOptions {
  readonly plan: RunbookPlan;
  readonly mode: ModeRuntime;
  readonly params: Readonly<Record<string, unknown>>;
  readonly run: RunInfo;
  readonly prompter: Prompter;
  readonly emit: (e: EventBody) => void;
  readonly redact: (s: string) => string;
  readonly signal: AbortSignal;
  /** `--yes`: confirmations answered yes, recorded as automatic. */
  readonly yes: boolean;
  /** When the run began (for resumed runs, the original start), for run-finished's duration. */
  readonly runStartedAtMs: number;
  /** Resume: outputs of steps already finished; they are not run again. */
  readonly restored?: ReadonlyMap<string, StepOutput<unknown, unknown>>;
  /** --from / --only: steps recorded as skipped, with the reason. */
  readonly skip?: ReadonlyMap<string, string>;
  /** Awaited before each step and at the end: the journal's durability barrier. */
  readonly barrier?: () => Promise<void>;
  /** The run's clock: real, or simulated (durations and waits then come from the simulation). */
  readonly clock?: Clock;
  /** Simulation with --auto: the scenario answers confirms and failure menus. */
  readonly autopilot?: Autopilot;
  /** Four-eyes: the votes of other operators (`runbook approve`), for steps with `approvers` / `requireSecondOperator`. */
  readonly approvals?: Approvals;
}

export interface EngineResult {
  readonly status: RunStatus;
  readonly exitCode: number;
}

type StepEnd = 'next' | 'failed' | 'abort' | 'interrupted';
type Handler<K extends StepKind> = (step: Extract<StepNode, { kind: K }>, c: RuntimeCtx) => Promise<StepEnd>;

/** Walks the plan once, step by step, emitting every event before the next step starts. */
export async function runEngine(o: EngineOptions): Promise<EngineResult> {
  const resources = new RunResources();
  try {
    return await walk(o, resources);
  } finally {
    await resources.closeAll();
  }
}

async function walk(o: EngineOptions, resources: RunResources): Promise<EngineResult> {
  const outputs: Outputs = new Map(o.restored ?? []);
  const live = o.mode.name === 'live';
  /** Steps act (for real, or against the scenario): confirms are asked, failures offer the menu, `when` is evaluated. */
  const acts = live || o.mode.name === 'simulate';
  const clock = o.clock ?? realClock;
  // A simulated clock counts from the run's start (a resumed simulation continues where it stopped).
  const clockStart = clock.simulated ? 0 : clock.now();
  const simAt = (): { simAtMs?: number } => (clock.simulated ? { simAtMs: Math.round(clock.now() - clockStart) } : {});
  let anyFailed = false;
  const progress = {
    plan: o.plan, outputs, startedAtMs: o.runStartedAtMs,
    now: () => (clock.simulated ? o.runStartedAtMs + clock.now() - clockStart : Date.now()),
  };

  const finish = (step: StepNode, startedAt: number, status: StepStatus, attempts: number, extra: {
    value?: unknown; result?: unknown; error?: string; reason?: string; note?: string; by?: string; continued?: boolean;
  } = {}): void => {
    const durationMs = Math.round(clock.now() - startedAt);
    const ev: EventBody = { type: 'step-finished', stepId: step.id, status, durationMs, attempts, ...simAt() };
    if ('value' in extra) ev.value = journalSafe(extra.value);
    if ('result' in extra) ev.result = journalSafe(extra.result);
    for (const k of ['error', 'reason', 'note', 'by'] as const) if (extra[k] !== undefined) ev[k] = extra[k];
    if (extra.continued) ev.continued = true;
    o.emit(ev);
    outputs.set(step.id, stepOutput(status, durationMs, extra.value, extra.result));
  };

  const gateOptions: GateOptions = { emit: o.emit, approvals: o.approvals, signal: o.signal, runner: o.run.operator, autopilot: o.autopilot !== undefined };

  const confirm: Handler<'confirm'> = async (step) => {
    const startedAt = clock.now();
    o.emit({ type: 'step-started', stepId: step.id, kind: step.kind, title: step.title, phase: step.phase ?? null, attempt: 1, action: null, ...described(step), ...simAt() });
    if (!acts) {
      finish(step, startedAt, 'planned', 0);
      return 'next';
    }
    const asked = Date.now();
    const pilot = o.autopilot?.confirm(step);
    const auto = o.yes || pilot !== undefined;
    const by = pilot ? 'scenario' : o.run.operator;
    const answer = pilot ? pilot.answer : o.yes ? true : await unlessAborted(o.prompter.confirm(step, step.title, step.options.description), o.signal);
    if (answer === undefined) return interrupted(step, startedAt);
    // Time to decide: real time a person took. In a tabletop it also passes on the simulated clock.
    const decideMs = Date.now() - asked;
    if (clock.simulated) await clock.sleep(pilot ? pilot.decideMs : decideMs, o.signal);
    o.emit({ type: 'confirm-answered', stepId: step.id, answer, by, auto, ...(auto ? {} : { decideMs }), ...simAt() });
    const result: { answer: boolean; by: string; auto: boolean; approvedBy?: readonly string[] } = { answer, by, auto };
    const approvers = step.options.approvers ?? 1;
    if (answer && approvers > 1) {
      const gate = await approvalGate(gateOptions, step, approvers);
      if (gate.kind === 'interrupted') return interrupted(step, startedAt);
      if (gate.kind === 'approved') result.approvedBy = gate.by;
      else if (gate.kind === 'rejected' && step.options.onNo === 'continue') {
        finish(step, startedAt, 'ok', 1, { value: false, result: { ...result, answer: false, rejectedBy: gate.by }, by: gate.by });
        return 'next';
      } else {
        const error = gate.kind === 'rejected' ? `rejected by ${gate.by}: ${gate.reason}` : gate.error;
        finish(step, startedAt, 'failed', 1, { value: false, result, by, error });
        return gate.kind === 'rejected' ? 'abort' : 'failed';
      }
    }
    if (answer || step.options.onNo === 'continue') {
      finish(step, startedAt, 'ok', 1, { value: answer, result, by });
      return 'next';
    }
    finish(step, startedAt, 'failed', 1, { value: false, result, by, error: 'answered no' });
    return 'abort';
  };

  const interrupted = (step: StepNode, startedAt: number): StepEnd => {
    o.emit({ type: 'step-interrupted', stepId: step.id, signal: String(o.signal.reason ?? 'SIGINT'), durationMs: Math.round(clock.now() - startedAt) });
    return 'interrupted';
  };

  const attemptOnce = async (step: Exclude<StepNode, ConfirmStep>, c: RuntimeCtx, execute: NonNullable<ModeRuntime['execute']>): Promise<{ outcome: ActionOutcome; judged: Judged }> => {
    const wait = step.kind === 'check' ? step.options.waitUntil : undefined;
    const deadline = wait ? clock.now() + wait.timeoutMs : 0;
    for (let polls = 1; ; polls++) {
      const buffers = {
        stdout: new LineBuffer((text) => o.emit({ type: 'output', stepId: step.id, stream: 'stdout', text })),
        stderr: new LineBuffer((text) => o.emit({ type: 'output', stepId: step.id, stream: 'stderr', text })),
      };
      const env: ActionEnv = {
        stepId: step.id, ctx: c, timeoutMs: step.options.timeoutMs, signal: o.signal, interactive: step.options.interactive,
        onOutput: (stream, text) => buffers[stream].push(text), redact: o.redact, runbookId: o.plan.id, runId: o.run.id,
        onSpawn: (pid, group) => o.emit({ type: 'process-started', stepId: step.id, pid, group }),
        resources, progress,
      };
      let outcome: ActionOutcome;
      try {
        outcome = await execute(step.action, env);
      } catch (e) {
        outcome = { ok: false, result: undefined, text: '', error: e instanceof Error ? e.message : String(e) };
      }
      buffers.stdout.flush();
      buffers.stderr.flush();
      const judged = judge(step, outcome, c);
      if (judged.passed || !wait || o.signal.aborted) return { outcome, judged };
      if (clock.now() + wait.intervalMs > deadline) {
        return { outcome, judged: { ...judged, error: `still not met after waiting ${formatDuration(wait.timeoutMs)} (${polls} polls): ${judged.error ?? ''}` } };
      }
      await clock.sleep(wait.intervalMs, o.signal);
    }
  };

  const action = async (step: Exclude<StepNode, ConfirmStep>, c: RuntimeCtx): Promise<StepEnd> => {
    const startedAt = clock.now();
    o.emit({ type: 'step-started', stepId: step.id, kind: step.kind, title: step.title, phase: step.phase ?? null, attempt: 1, action: renderStep(step, c), ...described(step), ...simAt() });
    const execute = o.mode.execute;
    if (!o.mode.canExecute(step) || execute === undefined) {
      finish(step, startedAt, 'planned', 0);
      return 'next';
    }
    const approvers = step.options.approvers ?? 1;
    if (approvers > 1) {
      // Four eyes before the action (promote with requireSecondOperator): nothing runs until approved.
      const gate = await approvalGate(gateOptions, step, approvers);
      if (gate.kind === 'interrupted') return interrupted(step, startedAt);
      if (gate.kind === 'rejected') {
        finish(step, startedAt, 'failed', 0, { error: `rejected by ${gate.by}: ${gate.reason}`, by: gate.by });
        return 'abort';
      }
      if (gate.kind !== 'approved') {
        if (step.options.continueOnError) {
          anyFailed = true;
          finish(step, startedAt, 'failed', 0, { error: gate.error, continued: true });
          return 'next';
        }
        finish(step, startedAt, 'failed', 0, { error: gate.error });
        return 'failed';
      }
    }
    const retry = step.options.retry ?? { attempts: 1, intervalMs: 0, backoff: 1 };
    let attempts = 0;
    let inRound = 0;
    for (;;) {
      attempts++;
      inRound++;
      // Only a live command takes the terminal; a simulated one has nothing to hand it to.
      const takesTerminal = step.options.interactive && live;
      if (takesTerminal) await o.prompter.suspend();
      const { outcome, judged } = await attemptOnce(step, c, execute).finally(() => {
        if (takesTerminal) o.prompter.resume();
      });
      if (o.signal.aborted) return interrupted(step, startedAt);
      if (outcome.skipped !== undefined && step.options.continueOnError) {
        finish(step, startedAt, 'skipped', attempts, { reason: outcome.skipped, result: outcome.result });
        return 'next';
      }
      if (judged.passed) {
        finish(step, startedAt, 'ok', attempts, { value: judged.value, result: outcome.result });
        return 'next';
      }
      const error = judged.error ?? 'failed';
      if (inRound < retry.attempts) {
        const delay = Math.round(retry.intervalMs * retry.backoff ** (inRound - 1));
        o.emit({ type: 'attempt-failed', stepId: step.id, attempt: attempts, error, retryInMs: delay, ...simAt() });
        await clock.sleep(delay, o.signal);
        if (o.signal.aborted) return interrupted(step, startedAt);
        continue;
      }
      const failed = { value: judged.value, result: outcome.result, error };
      if (step.options.continueOnError || !acts) {
        if (step.kind === 'notify') o.emit({ type: 'warning', stepId: step.id, message: `notification not delivered: ${error}` });
        anyFailed = true;
        finish(step, startedAt, 'failed', attempts, { ...failed, continued: true });
        return 'next';
      }
      if (!o.prompter.interactive && !o.autopilot) {
        finish(step, startedAt, 'failed', attempts, failed);
        return 'failed';
      }
      o.emit({ type: 'attempt-failed', stepId: step.id, attempt: attempts, error, retryInMs: null, ...simAt() });
      const asked = Date.now();
      const d = o.autopilot ? o.autopilot.onFailure(step, error, attempts) : await unlessAborted(o.prompter.onFailure(step, error, attempts), o.signal);
      if (d === undefined) return interrupted(step, startedAt);
      const by = o.autopilot ? 'scenario' : o.run.operator;
      if (!o.autopilot && clock.simulated) await clock.sleep(Date.now() - asked, o.signal);
      const timing = { ...(o.autopilot ? {} : { decideMs: Date.now() - asked }), ...simAt() };
      switch (d.choice) {
        case 'retry':
          o.emit({ type: 'decision', stepId: step.id, choice: 'retry', by, ...timing });
          inRound = 0;
          continue;
        case 'skip':
          o.emit({ type: 'decision', stepId: step.id, choice: 'skip', by, reason: d.reason, ...timing });
          finish(step, startedAt, 'skipped', attempts, { ...failed, reason: d.reason, by });
          return 'next';
        case 'done':
          o.emit({ type: 'decision', stepId: step.id, choice: 'done', by, note: d.note, ...timing });
          finish(step, startedAt, 'done-by-hand', attempts, { ...failed, note: d.note, by });
          return 'next';
        case 'abort':
          o.emit({ type: 'decision', stepId: step.id, choice: 'abort', by, ...timing });
          finish(step, startedAt, 'failed', attempts, failed);
          return 'abort';
      }
    }
  };

  const handlers: { [K in StepKind]: Handler<K> } = { check: action, exec: action, promote: action, notify: action, confirm };

  const end = (status: RunStatus, exitCode: number): EngineResult => {
    const sim = clock.simulated ? { simDurationMs: Math.round(clock.now() - clockStart) } : {};
    o.emit({ type: 'run-finished', status, durationMs: Math.round(Date.now() - o.runStartedAtMs), exitCode, ...sim });
    return { status, exitCode };
  };

  for (const step of o.plan.steps) {
    await o.barrier?.();
    if (o.signal.aborted) return end('interrupted', EXIT.interrupted);
    if (o.restored?.has(step.id)) continue;
    const skipReason = o.skip?.get(step.id);
    if (skipReason !== undefined) {
      finish(step, clock.now(), 'skipped', 0, { reason: skipReason });
      continue;
    }
    const c = makeContext(o.params, outputs, o.run, o.mode.name);
    if (step.options.when && acts) {
      let run: boolean;
      try {
        run = step.options.when(c) === true;
      } catch (e) {
        finish(step, clock.now(), 'failed', 0, { error: `when threw: ${e instanceof Error ? e.message : String(e)}` });
        return end('failed', EXIT.failed);
      }
      if (!run) {
        finish(step, clock.now(), 'skipped', 0, { reason: 'condition (when) is false' });
        continue;
      }
    }
    const r = await (handlers[step.kind] as Handler<StepKind>)(step as never, c);
    if (r === 'interrupted') return end('interrupted', EXIT.interrupted);
    if (r === 'abort') return end('aborted', EXIT.aborted);
    if (r === 'failed') return end('failed', EXIT.failed);
  }
  return anyFailed && !acts ? end('failed', EXIT.failed) : end('done', EXIT.done);
}

function described(step: StepNode): { description?: string } {
  return step.options.description === undefined ? {} : { description: step.options.description };
}
