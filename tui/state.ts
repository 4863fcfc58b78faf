import { formatDuration } from '../dsl/duration.js';
// The TUI's whole state as a pure reducer over the journal's events (plus a few UI actions), so every
// screen can be unit-tested from a list of events without a terminal.
import type { Mode, StepStatus } from '../dsl/context.js';
import type { StepKind } from '../dsl/nodes.js';
import type { JournalEvent, RenderedAction, RunStatus } from '../interpreter/events.js';
import type { Prompt } from './prompt.js';

/** A step as the checklist shows it. `waiting` = a person must answer; `restored` = done in an earlier session. */
export type ViewStatus = 'pending' | 'running' | 'waiting' | StepStatus | 'interrupted' | 'restored';

export interface StepView {
  readonly id: string;
  readonly kind: StepKind;
  readonly title: string;
  readonly phase: string | null;
  readonly status: ViewStatus;
  readonly attempts: number;
  readonly startedAtMs: number | null;
  readonly durationMs: number | null;
  readonly estimateMs: number | null;
  readonly action: RenderedAction | null;
  /** Why it ended this way: error, skip reason, note. */
  readonly detail: string | null;
  /** Whether it ran for real (false: rendered only, in a dry-run or for a mutating step in a probe). */
  readonly rendered: boolean;
}

export interface OutputLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface Failure {
  readonly stepId: string;
  readonly error: string;
  readonly resolution: string | null;
}

export interface TuiState {
  readonly runId: string;
  readonly runbookId: string;
  readonly title: string;
  readonly operator: string;
  readonly host: string;
  readonly mode: Mode;
  readonly rtoMs: number | null;
  readonly startedAtMs: number | null;
  readonly steps: readonly StepView[];
  readonly currentId: string | null;
  /** The current step's output, newest last, at most OUTPUT_LINES. */
  readonly output: readonly OutputLine[];
  readonly outputTotal: number;
  readonly warnings: readonly string[];
  readonly failures: readonly Failure[];
  readonly resumedBy: string | null;
  readonly finished: { readonly status: RunStatus; readonly durationMs: number; readonly exitCode: number; readonly simDurationMs?: number } | null;
  /** Simulation: the simulated clock, as far as events have told (ms since the run started); null otherwise. */
  readonly simMs: number | null;
  /** Simulation: the scenario's name. */
  readonly scenario: string | null;
  /** When the open question was put (real ms), for the simulated clock that runs while participants decide. */
  readonly promptAskedAtMs: number | null;
  readonly prompt: Prompt | null;
  readonly help: boolean;
  /** The UI has handed the terminal to an interactive command. */
  readonly suspendedFor: string | null;
  /** How many earlier runs the ETA's step durations come from (0: the runbook's `estimate`s only). */
  readonly historyRuns: number;
  /** Four-eyes: the step waits for other operators to run `runbook approve`. */
  readonly approval: ApprovalWait | null;
  /** `runbook watch`: someone else drives the run; this screen only follows it. */
  readonly watching: boolean;
}

export interface ApprovalWait {
  readonly stepId: string;
  readonly needed: number;
  readonly runner: string;
  readonly approvedBy: readonly string[];
}

export type UiAction =
  /** `askedAtMs`: when a new question was put (the decision's time runs from there). */
  | { type: 'ui/prompt'; prompt: Prompt | null; askedAtMs?: number }
  | { type: 'ui/help'; open: boolean }
  | { type: 'ui/suspended'; stepId: string | null };

export const OUTPUT_LINES = 200;

export interface PlanStep {
  readonly id: string;
  readonly estimateMs?: number | undefined;
}

export function initialState(o: { estimates?: ReadonlyMap<string, number>; restored?: ReadonlySet<string>; historyRuns?: number; watching?: boolean } = {}): TuiState & { estimates: ReadonlyMap<string, number>; restored: ReadonlySet<string> } {
  return {
    runId: '', runbookId: '', title: '', operator: '', host: '', mode: 'live', rtoMs: null, startedAtMs: null, steps: [], currentId: null,
    output: [], outputTotal: 0, warnings: [], failures: [], resumedBy: null, finished: null, prompt: null, help: false, suspendedFor: null,
    simMs: null, scenario: null, promptAskedAtMs: null,
    historyRuns: o.historyRuns ?? 0, approval: null, watching: o.watching === true,
    estimates: o.estimates ?? new Map(), restored: o.restored ?? new Set(),
  };
}

export type FullState = ReturnType<typeof initialState>;

const CONTROL = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Output as text the layout can measure: escape sequences and control characters removed, tabs expanded. */
export function cleanLine(s: string): string {
  return s.replace(/\t/g, '  ').replace(CONTROL, '');
}

function patch(s: FullState, id: string, f: (v: StepView) => StepView): FullState {
  const i = s.steps.findIndex((v) => v.id === id);
  const old = s.steps[i];
  if (old === undefined) return s;
  const steps = s.steps.slice();
  steps[i] = f(old);
  return { ...s, steps };
}

function resolveLast(failures: readonly Failure[], stepId: string, resolution: string): readonly Failure[] {
  const i = failures.findLastIndex((f) => f.stepId === stepId && f.resolution === null);
  if (i === -1) return failures;
  const out = failures.slice();
  out[i] = { ...failures[i]!, resolution };
  return out;
}

/** Scenario events share the one-line notice area with warnings, marked by this prefix. */
export const SCENARIO_PREFIX = 'scenario at ';

export function reduce(s0: FullState, e: JournalEvent | UiAction): FullState {
  const at = 'simAtMs' in e && typeof e.simAtMs === 'number' ? e.simAtMs : e.type === 'sim-event' ? e.atMs : undefined;
  const s = at === undefined ? s0 : { ...s0, simMs: Math.max(s0.simMs ?? 0, at) };
  switch (e.type) {
    case 'ui/prompt':
      if (e.prompt === null) return { ...s, prompt: null, promptAskedAtMs: null };
      return patch({ ...s, prompt: e.prompt, help: false, promptAskedAtMs: e.askedAtMs ?? s.promptAskedAtMs }, e.prompt.stepId ?? '', (v) => ({ ...v, status: 'waiting' }));
    case 'ui/help':
      return { ...s, help: e.open };
    case 'ui/suspended':
      return { ...s, suspendedFor: e.stepId };
    case 'run-started':
      return {
        ...s, runId: e.runId, runbookId: e.runbookId, title: e.title, operator: e.operator, host: e.host, mode: e.mode, rtoMs: e.rtoMs,
        simMs: e.mode === 'simulate' ? 0 : null, scenario: e.scenario?.name ?? null,
        startedAtMs: Date.parse(e.t),
        steps: e.steps.map((st) => ({
          id: st.id, kind: st.kind, title: st.title, phase: st.phase, status: s.restored.has(st.id) ? 'restored' : 'pending', attempts: 0,
          startedAtMs: null, durationMs: null, estimateMs: s.estimates.get(st.id) ?? null, action: null, detail: null, rendered: false,
        })),
      };
    case 'run-resumed':
      return { ...s, resumedBy: e.operator, operator: e.operator };
    case 'step-started': {
      const rendered = s.mode === 'dry-run' || (s.mode === 'probe' && e.action?.effect !== 'read-only');
      const same = s.currentId === e.stepId;
      const next = patch(s, e.stepId, (v) => ({
        ...v, status: 'running', attempts: Math.max(v.attempts, e.attempt), startedAtMs: v.startedAtMs ?? Date.parse(e.t), action: e.action, rendered,
      }));
      return { ...next, currentId: e.stepId, output: same ? s.output : [], outputTotal: same ? s.outputTotal : 0 };
    }
    case 'output': {
      if (e.stepId !== s.currentId) return s;
      const lines = e.text.replace(/\n$/, '').split('\n').map((text) => ({ stream: e.stream, text: cleanLine(text) }));
      const all = s.output.length + lines.length > OUTPUT_LINES ? [...s.output, ...lines].slice(-OUTPUT_LINES) : [...s.output, ...lines];
      return { ...s, output: all, outputTotal: s.outputTotal + lines.length };
    }
    case 'attempt-failed': {
      const failures = [...s.failures, { stepId: e.stepId, error: e.error, resolution: e.retryInMs === null ? null : `retried automatically (attempt ${e.attempt + 1})` }];
      return patch({ ...s, failures }, e.stepId, (v) => ({ ...v, attempts: Math.max(v.attempts, e.attempt + (e.retryInMs === null ? 0 : 1)), detail: e.error }));
    }
    case 'confirm-answered':
      return patch({ ...s, prompt: null }, e.stepId, (v) => ({ ...v, status: 'running', detail: `${e.answer ? 'yes' : 'no'} — ${e.by === 'scenario' ? 'by the scenario (--auto)' : e.auto ? 'automatic (--yes)' : `by ${e.by}`}` }));
    case 'decision': {
      const why = e.reason ?? e.note;
      const text = `${e.choice}${why ? `: ${why}` : ''} (by ${e.by})`;
      const next = { ...s, prompt: null, failures: resolveLast(s.failures, e.stepId, text) };
      return patch(next, e.stepId, (v) => ({ ...v, status: e.choice === 'retry' ? 'running' : v.status, attempts: e.choice === 'retry' ? v.attempts + 1 : v.attempts }));
    }
    case 'step-finished': {
      const detail = e.status === 'failed' ? (e.error ?? 'failed') : e.status === 'skipped' ? (e.reason ?? null) : e.status === 'done-by-hand' ? (e.note ?? null) : null;
      const next = patch(s.approval?.stepId === e.stepId ? { ...s, approval: null } : s, e.stepId, (v) => ({
        ...v, status: e.status, durationMs: e.durationMs, attempts: e.attempts, detail: detail ?? v.detail,
        rendered: e.status === 'planned' || v.rendered,
      }));
      if (e.status === 'failed' && e.continued) {
        return { ...next, failures: [...next.failures, { stepId: e.stepId, error: e.error ?? 'failed', resolution: 'continued (continueOnError)' }] };
      }
      return next;
    }
    case 'step-interrupted':
      return patch({ ...s, prompt: null, approval: null }, e.stepId, (v) => ({ ...v, status: 'interrupted', durationMs: e.durationMs, detail: `interrupted by ${e.signal}` }));
    case 'warning':
      return { ...s, warnings: [...s.warnings, `${e.stepId ? `${e.stepId}: ` : ''}${e.message}`].slice(-5) };
    case 'run-finished': {
      const failures = s.failures.map((f) => (f.resolution === null ? { ...f, resolution: e.status === 'interrupted' ? 'interrupted' : 'failed the run' } : f));
      const sim = e.simDurationMs === undefined ? {} : { simDurationMs: e.simDurationMs };
      return { ...s, finished: { status: e.status, durationMs: e.durationMs, exitCode: e.exitCode, ...sim }, prompt: null, help: false, failures, approval: null };
    }
    case 'sim-event':
      return { ...s, warnings: [...s.warnings, `${SCENARIO_PREFIX}${formatDuration(e.atMs)}: ${e.message}`].slice(-5) };
    case 'approval-requested':
      return patch({ ...s, approval: { stepId: e.stepId, needed: e.needed, runner: e.runner, approvedBy: [] } }, e.stepId, (v) => ({ ...v, status: 'waiting' }));
    case 'approval-given': {
      const approvedBy = [...(s.approval?.approvedBy ?? []), e.by];
      const done = s.approval === null || approvedBy.length >= s.approval.needed;
      const next = { ...s, approval: done ? null : { ...s.approval!, approvedBy } };
      return patch(next, e.stepId, (v) => ({ ...v, status: done ? 'running' : 'waiting', detail: `approved by ${e.by}` }));
    }
    case 'approval-rejected':
      return patch({ ...s, approval: null }, e.stepId, (v) => ({ ...v, status: 'running', detail: `rejected by ${e.by}: ${e.reason}` }));
    case 'approval-timed-out':
      return patch({ ...s, approval: null }, e.stepId, (v) => ({ ...v, status: 'running', detail: 'no approval in time' }));
    case 'lease-unlocked':
      return { ...s, warnings: [...s.warnings, `lease "${e.key}" unlocked by ${e.by}@${e.host}: ${e.reason}`].slice(-5) };
    case 'process-started':
    case 'lock-takeover':
      return s;
  }
}

export const TERMINAL: ReadonlySet<ViewStatus> = new Set(['ok', 'failed', 'skipped', 'done-by-hand', 'planned', 'interrupted', 'restored']);

/** Consecutive steps of one phase. */
export interface PhaseGroup {
  readonly phase: string | null;
  readonly steps: readonly StepView[];
  readonly index: number;
}

export function phaseGroups(steps: readonly StepView[]): PhaseGroup[] {
  const out: { phase: string | null; steps: StepView[]; index: number }[] = [];
  for (const st of steps) {
    const last = out.at(-1);
    if (last && last.phase === st.phase) last.steps.push(st);
    else out.push({ phase: st.phase, steps: [st], index: out.length });
  }
  return out;
}

/**
 * How many leading phase groups will never change again: all their steps ended and the run has moved
 * past them (or finished). These are printed once, above the live area (Ink's <Static>).
 */
export function sealedCount(s: TuiState): number {
  const groups = phaseGroups(s.steps);
  if (s.finished !== null) return groups.length;
  let n = 0;
  for (const [i, g] of groups.entries()) {
    if (!g.steps.every((st) => TERMINAL.has(st.status))) break;
    const later = groups.slice(i + 1).some((h) => h.steps.some((st) => st.status !== 'pending' && st.status !== 'restored'));
    if (!later) break;
    n++;
  }
  return n;
}

/** Time a phase took so far (finished steps, plus the running step's time up to now). */
export function phaseMs(g: PhaseGroup, now: number): number {
  let ms = 0;
  for (const st of g.steps) {
    if (st.durationMs !== null) ms += st.durationMs;
    else if (st.startedAtMs !== null && (st.status === 'running' || st.status === 'waiting')) ms += Math.max(0, now - st.startedAtMs);
  }
  return ms;
}

/** Estimated time left: what remains of each unfinished step's expected duration (earlier runs' median, else its `estimate`). */
export function eta(s: TuiState, now: number): { ms: number; known: number; unknown: number } {
  let ms = 0;
  let known = 0;
  let unknown = 0;
  for (const st of s.steps) {
    if (TERMINAL.has(st.status)) continue;
    if (st.estimateMs === null) {
      unknown++;
      continue;
    }
    known++;
    const spent = st.startedAtMs !== null ? Math.max(0, now - st.startedAtMs) : 0;
    ms += Math.max(0, st.estimateMs - spent);
  }
  return { ms, known, unknown };
}
