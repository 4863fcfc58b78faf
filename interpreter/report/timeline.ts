import type { JournalEvent } from '../events.js';
import type { RunState, StepState } from '../store/run-state.js';
import { simAt } from './events.js';
import type { ReportStep, ReportStepStatus } from './model.js';

interface Acc {
  startedAt: string | null;
  finishedAt: string | null;
  simStartMs: number | null;
  simEndMs: number | null;
  /** Attempts of executions that ended (finished or interrupted). */
  attemptsBefore: number;
  /** The execution in progress: the highest attempt number seen so far. */
  open: { attempts: number } | null;
  deciders: string[];
}

/**
 * Each step of the plan, in plan order: when it (last) started and ended, on the real clock and (in a
 * simulation) on the simulated one, its final status, attempts over every session, who decided.
 */
export function timeline(events: readonly JournalEvent[], state: RunState, stillRunning: boolean): ReportStep[] {
  const acc = new Map<string, Acc>();
  const at = (id: string): Acc => {
    let a = acc.get(id);
    if (!a) acc.set(id, (a = { startedAt: null, finishedAt: null, simStartMs: null, simEndMs: null, attemptsBefore: 0, open: null, deciders: [] }));
    return a;
  };
  const decided = (a: Acc, who: string): void => {
    if (!a.deciders.includes(who)) a.deciders.push(who);
  };
  for (const e of events) {
    switch (e.type) {
      case 'step-started': {
        const a = at(e.stepId);
        if (a.open) a.attemptsBefore += a.open.attempts;
        a.open = { attempts: Math.max(1, e.attempt) };
        a.startedAt = e.t;
        a.finishedAt = null;
        a.simStartMs = simAt(e);
        a.simEndMs = null;
        break;
      }
      case 'attempt-failed': {
        const a = at(e.stepId);
        if (a.open) a.open.attempts = Math.max(a.open.attempts, e.attempt + (e.retryInMs === null ? 0 : 1));
        break;
      }
      case 'decision': {
        const a = at(e.stepId);
        decided(a, e.by);
        if (e.choice === 'retry' && a.open) a.open.attempts++;
        break;
      }
      case 'confirm-answered':
        decided(at(e.stepId), e.auto ? `${e.by} (auto, ${state.meta.mode === 'simulate' ? '--auto' : '--yes'})` : e.by);
        break;
      case 'step-finished': {
        const a = at(e.stepId);
        // A finish without a start records a decision (skipped by --from, marked done on resume): no attempts of its own.
        if (a.open) a.attemptsBefore += Math.max(e.attempts, 0);
        a.open = null;
        a.finishedAt = e.t;
        a.simEndMs = simAt(e);
        if (e.by !== undefined && e.status === 'done-by-hand') decided(a, e.by);
        break;
      }
      case 'step-interrupted': {
        const a = at(e.stepId);
        if (a.open) a.attemptsBefore += a.open.attempts;
        a.open = null;
        a.finishedAt = e.t;
        break;
      }
      default:
        break;
    }
  }
  const summaries = new Map(state.meta.steps.map((s) => [s.id, s]));
  const rows: ReportStep[] = [];
  for (const s of state.steps.values()) {
    const sum = summaries.get(s.id);
    const a = acc.get(s.id);
    let status: ReportStepStatus = s.status;
    if (status === 'interrupted' && stillRunning && a?.open) status = 'running';
    rows.push({
      id: s.id, title: sum?.title ?? s.id, kind: sum?.kind ?? 'exec', phase: sum?.phase ?? null, status,
      startedAt: a?.startedAt ?? null, finishedAt: a?.finishedAt ?? null, durationMs: s.durationMs,
      simStartMs: a?.simStartMs ?? null, simEndMs: a?.simEndMs ?? null,
      attempts: (a?.attemptsBefore ?? 0) + (a?.open?.attempts ?? 0),
      decidedBy: a && a.deciders.length > 0 ? a.deciders.join(', ') : null,
      detail: detail(s, status), continued: s.continued === true,
    });
  }
  return rows;
}

/** Why a step ended as it did: a failure's error; a skip's reason or a by-hand note (and the error before it). */
function detail(s: StepState, status: ReportStepStatus): string | null {
  if (status === 'interrupted') return 'interrupted: started, never finished';
  if (status === 'skipped' || status === 'done-by-hand') {
    const why = status === 'skipped' ? s.reason : s.note;
    const parts = [why, s.error && `after: ${s.error}`].filter((x): x is string => typeof x === 'string' && x !== '');
    return parts.length ? parts.join(' · ') : null;
  }
  if (status === 'failed') return s.continued ? `${s.error ?? 'failed'} (continued)` : (s.error ?? 'failed');
  return null;
}
