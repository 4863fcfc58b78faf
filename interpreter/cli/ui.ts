import type { RunbookPlan } from '../../dsl/nodes.js';
import type { Prompter } from '../engine/prompter.js';
import type { EventSink } from '../events.js';
import { JsonReporter } from '../../tui/json-reporter.js';
import { PlainReporter } from '../../tui/plain-reporter.js';

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

export async function openUi(ui: Ui, plan: RunbookPlan, restored: ReadonlySet<string> = new Set()): Promise<UiSession> {
  if (ui === 'tui') {
    // Loaded only here: ink and react are a separate chunk that the plain and json UIs never load.
    const { openTui } = await import('../../tui/tui.js');
    const estimates = new Map(plan.steps.flatMap((s) => (s.options.estimateMs === undefined ? [] : [[s.id, s.options.estimateMs] as const])));
    return openTui({ estimates, restored });
  }
  return { reporter: ui === 'json' ? new JsonReporter() : new PlainReporter(), prompter: undefined, close: () => Promise.resolve() };
}
