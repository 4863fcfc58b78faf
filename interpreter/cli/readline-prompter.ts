import { createInterface } from 'node:readline/promises';
import type { StepNode } from '../../dsl/nodes.js';
import type { FailureDecision, Prompter } from '../engine/prompter.js';
import { InterruptedError } from '../errors.js';

/**
 * Asks one line on the terminal. The interface is opened per question so an interactive exec can have
 * stdin. Ctrl-C there arrives as input (raw mode), not as a signal: the answer rejects with InterruptedError.
 */
export async function askLine(q: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<string> {
  const rl = createInterface({ input, output, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.on('SIGINT', () => {
        output.write('\n');
        reject(new InterruptedError('Interrupted at the prompt (Ctrl-C); nothing was changed.'));
      });
      rl.question(q).then((a) => resolve(a.trim()), reject);
    });
  } finally {
    rl.close();
  }
}

/** Asks on the terminal, line by line (the plain UI). */
export class ReadlinePrompter implements Prompter {
  readonly interactive = true;
  /**
   * `interrupt` is what Ctrl-C at a prompt does: the terminal is in raw mode there, so no SIGINT
   * reaches the process; readline reports it and the run is interrupted like anywhere else (exit 130).
   */
  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    private readonly interrupt: () => void = () => process.kill(process.pid, 'SIGINT'),
  ) {}

  /** Ctrl-C interrupts the run like anywhere else (exit 130); the engine stops waiting for this answer. */
  async #ask(q: string): Promise<string> {
    try {
      return await askLine(q, this.input, this.output);
    } catch (e) {
      if (!(e instanceof InterruptedError)) throw e;
      this.interrupt();
      return new Promise<string>(() => {});
    }
  }

  async confirm(_step: StepNode, question: string, description: string | undefined): Promise<boolean> {
    if (description) this.output.write(`${description.replace(/^/gm, '          ')}\n`);
    for (;;) {
      const a = (await this.#ask(`          ? ${question} [y/n] `)).toLowerCase();
      if (a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
      this.output.write('          answer y or n\n');
    }
  }

  async onFailure(step: StepNode, error: string): Promise<FailureDecision> {
    this.output.write(`          step "${step.id}" failed: ${error}\n`);
    for (;;) {
      const a = (await this.#ask('          r) retry  s) skip  d) mark done by hand  a) abort > ')).toLowerCase();
      if (a === 'r' || a === 'retry') return { choice: 'retry' };
      if (a === 'a' || a === 'abort') {
        if (await this.#yes('          abort the whole run here? (resume later with "runbook resume") [y/n] ')) return { choice: 'abort' };
        continue;
      }
      if (a === 's' || a === 'skip') return { choice: 'skip', reason: await this.#required('          reason for skipping (recorded): ') };
      if (a === 'd' || a === 'done') return { choice: 'done', note: await this.#required('          what was done by hand (recorded): ') };
      this.output.write('          press r, s, d or a, then Enter\n');
    }
  }

  async #yes(q: string): Promise<boolean> {
    for (;;) {
      const a = (await this.#ask(q)).toLowerCase();
      if (a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
    }
  }

  async #required(q: string): Promise<string> {
    for (;;) {
      const a = await this.#ask(q);
      if (a !== '') return a;
    }
  }

  suspend(): void {}
  resume(): void {}
}
