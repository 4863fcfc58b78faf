import type { RunbookPlan } from '../../dsl/nodes.js';
import type { Prompter } from '../engine/prompter.js';
import type { EventSink } from '../events.js';
import { JsonReporter } from '../../tui/json-reporter.js';
import { PlainReporter } from '../../tui/plain-reporter.js';
import { NO_HISTORY, type StepHistory } from './step-history.js';

export type Ui = 'tui' | 'plain' | 'json';

/** What the operator sees and answers through, for one session. */
export interface UiSession {
  readonly reporter: EventSink;
  /** The UI's own prompter (the TUI); undefined: the session picks the plain one. */
  readonly prompter: Prompter | undefined;
  /** Leaves the final screen in place and gives the terminal back. */
  close(): Promise<void>;
}

/** The TUI only when both ends are a terminal: it draws on stdout and reads keys from stdin. */
export function bothTty(): boolean {
  return process.stdout.isTTY === true && process.stdin.isTTY === true;
}

export interface UiContext {
  /** Steps finished in an earlier session (on resume). */
  readonly restored?: ReadonlySet<string>;
  /** Earlier runs' step durations, for the TUI's ETA (read only when the TUI is used). */
  readonly history?: () => StepHistory;
}

export async function openUi(ui: Ui, plan: RunbookPlan, ctx: UiContext = {}): Promise<UiSession> {
  if (ui === 'tui') {
    // Loaded only here: ink and react are a separate chunk that the plain and json UIs never load.
    const { openTui } = await import('../../tui/tui.js');
    const history = ctx.history?.() ?? NO_HISTORY;
    return openTui({ estimates: stepEstimates(plan.steps, history), historyRuns: history.runs, ...(ctx.restored ? { restored: ctx.restored } : {}) });
  }
  return { reporter: ui === 'json' ? new JsonReporter() : new PlainReporter(), prompter: undefined, close: () => Promise.resolve() };
}

/**
 * `runbook watch`: the same reporters, read-only (nothing is asked; the run belongs to its operator).
 * In the TUI, q or Ctrl-C call `onQuit` (stop watching).
 */
export async function openWatchUi(ui: Ui, onQuit: () => void): Promise<Omit<UiSession, 'prompter'>> {
  if (ui === 'tui') {
    const { openTui } = await import('../../tui/tui.js');
    const t = openTui({ estimates: new Map(), watching: true, onQuit });
    return { reporter: t.reporter, close: () => t.close() };
  }
  return { reporter: ui === 'json' ? new JsonReporter() : new PlainReporter(), close: () => Promise.resolve() };
}

/** Each step's expected duration for the ETA: how long it took before (median of earlier runs), else its `estimate`. */
export function stepEstimates(steps: readonly { id: string; options: { estimateMs?: number | undefined } }[], history: StepHistory): Map<string, number> {
  return new Map(steps.flatMap((s) => {
    const ms = history.medians.get(s.id) ?? s.options.estimateMs;
    return ms === undefined ? [] : [[s.id, ms] as const];
  }));
}
