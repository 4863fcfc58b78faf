/** Exit codes, as in DESIGN.md. */
export const EXIT = { done: 0, failed: 1, usage: 2, aborted: 3, locked: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input from the user: flags, params, runbook files, journals. One paragraph, exit 2, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode: ExitCode = EXIT.usage;
}

/** Ctrl-C at a question asked before any step ran (resume's choice about an interrupted step): nothing changed. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly exitCode: ExitCode = EXIT.interrupted;
}

/** Another live run holds the lock for this procedure + target. */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  readonly exitCode: ExitCode = EXIT.locked;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
