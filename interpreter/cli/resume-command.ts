import type { StepOutput } from '../../dsl/context.js';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { isReadOnly } from '../render/render.js';
import { stepOutput } from '../engine/step-output.js';
import { UsageError } from '../errors.js';
import type { EventBody, JournalEvent } from '../events.js';
import { loadRunbook } from '../loader/load-runbook.js';
import { parseParamFlags, resolveParams } from '../params.js';
import { stepFingerprints } from '../store/fingerprint.js';
import { groupAlive, processAlive } from '../store/process-alive.js';
import { openStore } from '../store/open-store.js';
import type { RunStore } from '../store/run-store.js';
import { isSettled, replay, type StepState } from '../store/run-state.js';
import { askLine } from './readline-prompter.js';
import { parseUi } from './run-command.js';
import { loadScenario } from '../simulate/load-scenario.js';
import { createSimulation, type Simulation } from '../simulate/simulation.js';
import { assertCanRunUnattended, canAsk, defaultOperator, host, runSession, takeRunLock } from './session.js';

export interface ResumeFlags {
  readonly force?: boolean;
  readonly retryInterrupted?: boolean;
  readonly markInterruptedDone?: boolean;
  readonly note?: string;
  readonly param: string[];
  readonly yes?: boolean;
  readonly operator?: string;
  readonly ui?: string;
  readonly store?: string;
  readonly auto?: boolean;
}

type InterruptedChoice = { choice: 'retry' } | { choice: 'done'; note: string } | { choice: 'abort' };

/**
 * Continues a run from its journal: settled steps are restored, not rerun; a step that started and
 * never finished is rerun or marked done only when the operator says so; edited steps refuse without --force.
 */
export async function resumeCommand(arg: string, f: ResumeFlags): Promise<number> {
  if (f.retryInterrupted && f.markInterruptedDone) throw new UsageError('--retry-interrupted and --mark-interrupted-done contradict each other: choose one.');
  if (f.markInterruptedDone && (f.note === undefined || f.note.trim() === '')) {
    throw new UsageError('--mark-interrupted-done needs --note TEXT saying what was done by hand (it is recorded in the journal).');
  }
  const ui = parseUi(f.ui);
  const store = await openStore(f.store);
  try {
    return await resumeFrom(store, arg, ui, f);
  } finally {
    await store.close();
  }
}

async function resumeFrom(store: RunStore, arg: string, ui: ReturnType<typeof parseUi>, f: ResumeFlags): Promise<number> {
  const runId = arg === 'last' ? await lastUnfinishedRun(store) : await store.findRun(arg);
  const { events, tornTail } = await store.readRun(runId);
  const state = replay(events);
  const meta = state.meta;
  if (state.status === 'done') throw new UsageError(`Run ${runId} already finished successfully; there is nothing to resume. Start a new run with "runbook run ${meta.file}".`);

  const { plan } = await loadRunbook(meta.file).catch((e: unknown) => {
    throw new UsageError(`Cannot resume run ${runId}: its runbook ${meta.file} cannot be loaded. ${e instanceof Error ? e.message : String(e)}`);
  });
  if (plan.id !== meta.runbookId) throw new UsageError(`Cannot resume run ${runId}: ${meta.file} now defines runbook "${plan.id}", but the run was of "${meta.runbookId}".`);
  const now = stepFingerprints(plan);
  const changed = [
    ...Object.keys(now).filter((id) => meta.fingerprints[id] !== undefined && meta.fingerprints[id] !== now[id]).map((id) => `${id} (changed)`),
    ...Object.keys(now).filter((id) => meta.fingerprints[id] === undefined).map((id) => `${id} (added)`),
    ...Object.keys(meta.fingerprints).filter((id) => now[id] === undefined).map((id) => `${id} (removed)`),
  ];
  if (changed.length > 0 && !f.force) {
    throw new UsageError(`The runbook ${meta.file} changed since run ${runId} began: ${changed.join(', ')}. Review the change, then resume with --force to run the current version of those steps.`);
  }

  const given = parseParamFlags(f.param);
  assertParamsUnchanged(runId, plan.params, given, meta.params);
  const params = resolveParams(plan.id, plan.params, given, process.env, meta.mode, meta.params);
  const restored = new Map<string, StepOutput<unknown, unknown>>();
  for (const s of state.steps.values()) {
    if (now[s.id] !== undefined && isSettled(s)) restored.set(s.id, stepOutput(s.status as never, s.durationMs ?? 0, s.value, s.result));
  }
  const interrupted = [...state.steps.values()].filter((s) => s.status === 'interrupted' && now[s.id] !== undefined);
  for (const s of interrupted) assertCommandGone(s, runId);
  const operator = defaultOperator(f.operator);
  const pending = (id: string): boolean => !restored.has(id);
  if (f.auto && meta.mode !== 'simulate') throw new UsageError(`--auto is for simulations; run ${runId} is a ${meta.mode} run.`);
  if (f.yes && meta.mode === 'simulate') throw new UsageError(`Run ${runId} is a simulation: use --auto (the scenario answers) instead of --yes.`);
  assertCanRunUnattended(plan, meta.mode, f.yes === true || f.auto === true, pending);
  const simulation = meta.mode === 'simulate' ? await resumeSimulation(plan, meta.scenario?.file ?? undefined, events, f.auto === true, runId) : undefined;

  // The lock comes before any question, so a second operator learns at once that someone else is driving.
  const held = await takeRunLock(store, plan, meta.mode, params, runId, operator);
  try {
    const opening: EventBody[] = [{ type: 'run-resumed', operator, host: host(), pid: process.pid, forced: changed.length > 0, changedSteps: changed }];
    if (tornTail) opening.push({ type: 'warning', stepId: null, message: 'the last journal line was cut short by a crash; it was dropped before resuming (a step whose end it recorded counts as interrupted)' });
    for (const s of interrupted) {
      const step = plan.steps.find((x) => x.id === s.id);
      // A read-only check changed nothing, and a confirm that was never answered is simply asked again.
      const readOnly = step !== undefined && (isReadOnly(step) || step.kind === 'confirm');
      const choice: InterruptedChoice = readOnly ? { choice: 'retry' } : await decideInterrupted(s.id, runId, f);
      if (choice.choice === 'abort') throw new UsageError(`Resume of run ${runId} cancelled; step "${s.id}" is still marked interrupted.`);
      if (choice.choice === 'retry') {
        const note = !readOnly ? 'interrupted step run again on resume' : step?.kind === 'confirm' ? 'unanswered confirmation asked again on resume' : 'interrupted read-only step run again on resume (it changes nothing)';
        opening.push({ type: 'decision', stepId: s.id, choice: 'retry', by: operator, note });
      } else {
        opening.push({ type: 'decision', stepId: s.id, choice: 'done', by: operator, note: choice.note });
        opening.push({ type: 'step-finished', stepId: s.id, status: 'done-by-hand', durationMs: 0, attempts: s.attempts, note: choice.note, by: operator });
        restored.set(s.id, stepOutput('done-by-hand', 0, undefined, undefined));
      }
    }
    return await runSession({
      plan, mode: meta.mode, params, runId, operator, store, ui, yes: f.yes === true, runStartedAt: new Date(meta.t),
      firstSeq: events.at(-1)?.seq ?? 0, restored, opening: () => opening, preface: meta, ...(simulation ? { simulation } : {}),
    }, held);
  } finally {
    await held.lock?.release();
  }
}

/** A simulation continues on its simulated clock from the last time the journal recorded, with the same scenario. */
async function resumeSimulation(plan: RunbookPlan, file: string | undefined, events: readonly JournalEvent[], auto: boolean, runId: string): Promise<Simulation> {
  const scenario = await loadScenario(file, plan).catch((e: unknown) => {
    throw new UsageError(`Cannot resume simulation ${runId}: its scenario ${file ?? '(default)'} cannot be loaded. ${e instanceof Error ? e.message : String(e)}`);
  });
  const sim = createSimulation(plan, scenario, { auto });
  let t = 0;
  for (const e of events) {
    const at = 'simAtMs' in e && typeof e.simAtMs === 'number' ? e.simAtMs : e.type === 'sim-event' ? e.atMs : 0;
    t = Math.max(t, at);
  }
  sim.restoreTo(t);
  return sim;
}

/** `resume last`: the newest run that has not finished successfully (dry-runs and finished runs are not resumable work). */
async function lastUnfinishedRun(store: RunStore): Promise<string> {
  for (const id of await store.listRuns()) {
    try {
      if (replay((await store.readRun(id)).events).status !== 'done') return id;
    } catch {
      /* unreadable journals are reported by "runbook runs" */
    }
  }
  throw new UsageError(`No unfinished run in ${store.label} to resume: every run there finished. "runbook runs" lists them.`);
}

/** Params are fixed for the life of a run: a resume may supply secrets again, never change the others. */
function assertParamsUnchanged(runId: string, specs: RunbookPlan['params'], given: Readonly<Record<string, string>>, original: Readonly<Record<string, unknown>>): void {
  for (const [name, raw] of Object.entries(given)) {
    const spec = specs[name];
    if (spec === undefined || spec.type === 'secret') continue;
    const before = original[name];
    if (before === undefined || String(before) !== raw) {
      throw new UsageError(`-p ${name}=${raw}: run ${runId} started with ${name}=${before === undefined ? '(unset)' : JSON.stringify(before)}, and params cannot change halfway through a run (earlier steps used the old value). Resume without -p ${name}, or start a new run.`);
    }
  }
}

/** A crashed run's command may still be running (kill -9 does not reach its process group): never start a second copy. */
function assertCommandGone(s: StepState, runId: string): void {
  const p = s.process;
  if (p === undefined || p.host !== host()) return;
  if (!(p.group ? groupAlive(p.pid) : processAlive(p.pid))) return;
  const how = p.group ? `kill -TERM -- -${p.pid}` : `kill -TERM ${p.pid}`;
  throw new UsageError(`The command of step "${s.id}" from run ${runId} is still running (${p.group ? 'process group' : 'pid'} ${p.pid}): the crashed run's child outlived it. Wait for it to finish, or stop it (${how}), then resume.`);
}

async function decideInterrupted(stepId: string, runId: string, f: ResumeFlags): Promise<InterruptedChoice> {
  if (f.retryInterrupted) return { choice: 'retry' };
  if (f.markInterruptedDone) return { choice: 'done', note: String(f.note) };
  if (!canAsk()) {
    throw new UsageError(`Step "${stepId}" of run ${runId} started but never finished, so it may or may not have taken effect. Check the system, then resume with --retry-interrupted to run it again, or --mark-interrupted-done --note "what you found" to record it as done.`);
  }
  process.stdout.write(`Step "${stepId}" started but never finished: it may or may not have taken effect.\n`);
  for (;;) {
    const a = (await askLine('r) run it again  d) mark done by hand  a) cancel > ')).toLowerCase();
    if (a === 'r') return { choice: 'retry' };
    if (a === 'a') return { choice: 'abort' };
    if (a === 'd') {
      for (;;) {
        const note = await askLine('what was done by hand (recorded): ');
        if (note) return { choice: 'done', note };
      }
    }
  }
}
