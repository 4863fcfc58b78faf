import type { StepNode } from '../dsl/nodes.js';
import type { FailureDecision, Prompter } from '../interpreter/engine/prompter.js';
import { handleKey, type KeyInfo, type Prompt } from './prompt.js';
import type { TuiStore } from './store.js';

type Pending = { kind: 'confirm'; resolve: (a: boolean) => void } | { kind: 'failure'; resolve: (d: FailureDecision) => void };

/**
 * The operator inside the TUI: questions are shown in the prompt pane and answered with keys. The engine
 * journals each answer (with the operator), exactly as with the plain UI.
 */
export class TuiPrompter implements Prompter {
  readonly interactive = true;
  #pending: Pending | undefined;

  constructor(
    private readonly store: TuiStore,
    private readonly screen: { suspend(): Promise<void>; resume(): void },
    /** Ctrl-C or a confirmed `q`: the same path as SIGINT (the step in flight is killed and journaled). */
    private readonly interrupt: () => void = () => process.kill(process.pid, 'SIGINT'),
  ) {}

  confirm(step: StepNode, question: string, description: string | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      this.#pending = { kind: 'confirm', resolve };
      this.#ask({ kind: 'confirm', stepId: step.id, question, description: description ?? null });
    });
  }

  onFailure(step: StepNode, error: string, attempts: number): Promise<FailureDecision> {
    return new Promise((resolve) => {
      this.#pending = { kind: 'failure', resolve };
      this.#ask({ kind: 'failure', stepId: step.id, error, attempts, stage: 'menu', text: '' });
    });
  }

  /** A key from the screen. */
  readonly key = (input: string, key: KeyInfo): void => {
    const { prompt, help } = this.store.state;
    const out = handleKey(prompt, help, input, key);
    switch (out.type) {
      case 'none':
        return;
      case 'help':
        this.store.dispatch({ type: 'ui/help', open: out.open });
        return;
      case 'prompt':
        this.store.dispatch({ type: 'ui/prompt', prompt: out.prompt });
        return;
      case 'interrupt':
        this.interrupt();
        return;
      case 'confirm':
        if (this.#pending?.kind === 'confirm') this.#answer(() => (this.#pending as Extract<Pending, { kind: 'confirm' }>).resolve(out.answer));
        return;
      case 'decide':
        if (this.#pending?.kind === 'failure') this.#answer(() => (this.#pending as Extract<Pending, { kind: 'failure' }>).resolve(out.decision));
        return;
    }
  };

  #ask(p: Prompt): void {
    this.store.dispatch({ type: 'ui/prompt', prompt: p, askedAtMs: Date.now() });
  }

  #answer(resolve: () => void): void {
    resolve();
    this.#pending = undefined;
    this.store.dispatch({ type: 'ui/prompt', prompt: null });
  }

  suspend(): Promise<void> {
    return this.screen.suspend();
  }

  resume(): void {
    this.screen.resume();
  }
}
