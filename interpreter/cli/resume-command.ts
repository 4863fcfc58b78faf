import { createInterface } from 'node:readline/promises';
import type { StepOutput } from '../../dsl/context.js';
import { stepOutput } from '../engine/step-output.js';
import { UsageError } from '../errors.js';
import type { EventBody } from '../events.js';
import { loadRunbook } from '../loader/load-runbook.js';
import { parseParamFlags, resolveParams } from '../params.js';
import { stepFingerprints } from '../store/fingerprint.js';
import { readJournal } from '../store/journal-reader.js';
import { StorePaths } from '../store/paths.js';
import { isSettled, replay } from '../store/run-state.js';
import { findRun } from './run-lookup.js';
import { parseUi } from './run-command.js';
import { assertCanRunUnattended, canAsk, defaultOperator, host, runSession } from './session.js';

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
  const store = new StorePaths(f.store);
  const runId = findRun(store, arg);
  const { events, tornTail } = readJournal(store.journal(runId));
  const state = replay(events);
  const meta = state.meta;
  if (state.status === 'done') throw new UsageError(`Run ${runId} already finished successfully; there is nothing to resume. Start a new run with "runbook run ${meta.file}".`);

  const { plan, sourceHash } = await loadRunbook(meta.file).catch((e: unknown) => {
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
  const params = resolveParams(plan.id, plan.params, given, process.env, meta.mode, meta.params);
  const restored = new Map<string, StepOutput<unknown, unknown>>();
  for (const s of state.steps.values()) {
    if (now[s.id] !== undefined && isSettled(s)) restored.set(s.id, stepOutput(s.status as never, s.durationMs ?? 0, s.value, s.result));
  }
  const operator = defaultOperator(f.operator);
  const opening: EventBody[] = [{ type: 'run-resumed', operator, host: host(), pid: process.pid, forced: changed.length > 0, changedSteps: changed }];
  if (tornTail) opening.push({ type: 'warning', stepId: null, message: 'the last journal line was cut short by a crash; it was dropped before resuming (a step whose end it recorded counts as interrupted)' });

  const interrupted = [...state.steps.values()].filter((s) => s.status === 'interrupted' && now[s.id] !== undefined);
  for (const s of interrupted) {
    const choice = await decideInterrupted(s.id, runId, f);
    if (choice.choice === 'abort') throw new UsageError(`Resume of run ${runId} cancelled; step "${s.id}" is still marked interrupted.`);
    if (choice.choice === 'retry') opening.push({ type: 'decision', stepId: s.id, choice: 'retry', by: operator, note: 'interrupted step run again on resume' });
    else {
      opening.push({ type: 'decision', stepId: s.id, choice: 'done', by: operator, note: choice.note });
      opening.push({ type: 'step-finished', stepId: s.id, status: 'done-by-hand', durationMs: 0, attempts: s.attempts, note: choice.note, by: operator });
      restored.set(s.id, stepOutput('done-by-hand', 0, undefined, undefined));
    }
  }
  assertCanRunUnattended(plan, meta.mode, f.yes === true, (id) => !restored.has(id));
  void sourceHash;
  return runSession({
    plan, mode: meta.mode, params, runId, operator, store, ui, yes: f.yes === true, runStartedAt: new Date(meta.t),
    firstSeq: events.at(-1)?.seq ?? 0, restored, opening: () => opening,
  });
}

async function decideInterrupted(stepId: string, runId: string, f: ResumeFlags): Promise<InterruptedChoice> {
  if (f.retryInterrupted) return { choice: 'retry' };
  if (f.markInterruptedDone) return { choice: 'done', note: String(f.note) };
  if (!canAsk()) {
    throw new UsageError(`Step "${stepId}" of run ${runId} started but never finished, so it may or may not have taken effect. Check the system, then resume with --retry-interrupted to run it again, or --mark-interrupted-done --note "what you found" to record it as done.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    process.stdout.write(`Step "${stepId}" started but never finished: it may or may not have taken effect.\n`);
    for (;;) {
      const a = (await rl.question('r) run it again  d) mark done by hand  a) cancel > ')).trim().toLowerCase();
      if (a === 'r') return { choice: 'retry' };
      if (a === 'a') return { choice: 'abort' };
      if (a === 'd') {
        for (;;) {
          const note = (await rl.question('what was done by hand (recorded): ')).trim();
          if (note) return { choice: 'done', note };
        }
      }
    }
  } finally {
    rl.close();
  }
}
