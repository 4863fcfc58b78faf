import type { StepNode } from '../../dsl/nodes.js';

export type FailureDecision =
  | { readonly choice: 'retry' }
  | { readonly choice: 'skip'; readonly reason: string }
  | { readonly choice: 'done'; readonly note: string }
  | { readonly choice: 'abort' };

/** The person at the keyboard, as the engine sees them. The plain reporter and the TUI each implement it. */
export interface Prompter {
  /** False when nobody can answer (no TTY): failures then fail the run. */
  readonly interactive: boolean;
  confirm(step: StepNode, question: string, description: string | undefined): Promise<boolean>;
  onFailure(step: StepNode, error: string, attempts: number): Promise<FailureDecision>;
  /**
   * Around an interactive exec: the UI gives the terminal to the command and takes it back. The
   * command starts only once `suspend` has settled: until then the UI may still be reading keys.
   */
  suspend(): void | Promise<void>;
  resume(): void;
}

/** Nobody to ask: used without a TTY. Confirmations must have been answered by --yes before we get here. */
export const noPrompter: Prompter = {
  interactive: false,
  confirm: () => Promise.reject(new Error('no terminal to ask for a confirmation')),
  onFailure: () => Promise.resolve({ choice: 'abort' }),
  suspend: () => {},
  resume: () => {},
};

/**
 * Answers for an unattended simulation (`--simulate --auto`): the scenario decides confirms and the
 * failure menu. Recorded as automatic, by "scenario".
 */
export interface Autopilot {
  /** The answer and the simulated time the decision takes. */
  confirm(step: StepNode): { readonly answer: boolean; readonly decideMs: number };
  onFailure(step: StepNode, error: string, attempts: number): FailureDecision;
}
