import type { JournalEvent } from '../events.js';
import { replay } from '../store/run-state.js';
import { decisions } from './decisions.js';
import { simAt, type Ev } from './events.js';
import { failures } from './failures.js';
import { REPORT_VERSION, type OutcomeStatus, type RunReport } from './model.js';
import { notifications } from './notifications.js';
import { rtoOf } from './rto.js';
import { timeline } from './timeline.js';

const REDACTED = '***';

export interface BuildOptions {
  /** The journal's last line was torn (from readJournal). */
  readonly tornTail?: boolean;
  /** The status as shown to people (a run whose process is gone is `crashed`); default: the journal's. */
  readonly status?: OutcomeStatus;
}

/** The report of one run, from its journal's events alone (run-started first). */
export function buildReport(events: readonly JournalEvent[], o: BuildOptions = {}): RunReport {
  const state = replay(events);
  const m = state.meta;
  let finished: Ev<'run-finished'> | null = null;
  let maxSim: number | null = null;
  const resumed: string[] = [];
  const warnings: RunReport['warnings'][number][] = [];
  const scenarioEvents: RunReport['scenarioEvents'][number][] = [];
  for (const e of events) {
    const sim = simAt(e);
    if (sim !== null) maxSim = Math.max(maxSim ?? 0, sim);
    if (e.type === 'run-finished') finished = e;
    else if (e.type === 'run-resumed') {
      finished = null;
      resumed.push(e.operator);
    } else if (e.type === 'warning') warnings.push({ at: e.t, simAtMs: sim, stepId: e.stepId, message: e.message });
    else if (e.type === 'sim-event') {
      scenarioEvents.push({ atMs: e.atMs, message: e.message, set: e.set });
      maxSim = Math.max(maxSim ?? 0, e.atMs);
    }
  }
  const status: OutcomeStatus = o.status ?? state.status;
  const realDurationMs = finished?.durationMs ?? null;
  const simulatedDurationMs = m.mode !== 'simulate' ? null : (finished?.simDurationMs ?? maxSim);
  const decided = decisions(events);
  const params: Record<string, unknown> = { ...m.params };
  // The journal never holds a secret's value; a report must not either, whatever wrote the journal.
  for (const name of m.secretParams) if (name in params && params[name] !== REDACTED) params[name] = REDACTED;
  return {
    version: REPORT_VERSION,
    runbook: { id: m.runbookId, title: m.title, file: m.file },
    run: {
      id: m.runId, mode: m.mode, startedAt: m.t, finishedAt: finished?.t ?? null, host: m.host,
      operators: { started: m.operator, resumed, decided: [...new Set(decided.filter((d) => !d.auto).map((d) => d.by))] },
      resumes: state.resumes.map((r) => ({ at: r.t, operator: r.operator, host: r.host, forced: r.forced, changedSteps: r.changedSteps })),
      params, secretParams: [...m.secretParams],
      scenario: m.scenario ?? null, from: m.from, only: m.only, tornTail: o.tornTail === true,
    },
    outcome: { status, exitCode: finished?.exitCode ?? null, realDurationMs, simulatedDurationMs },
    rto: rtoOf(m.mode, m.rtoMs, status, realDurationMs, simulatedDurationMs),
    clock: m.mode === 'simulate' ? 'simulated' : 'real',
    steps: timeline(events, state, status === 'running'),
    decisions: decided,
    failures: failures(events),
    warnings,
    scenarioEvents,
    notifications: notifications(events, m.mode),
  };
}
