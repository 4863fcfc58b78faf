import { EXIT, type ExitCode } from '../errors.js';

/** The run store failed while a run was using it (the server went away): the run stops; exit 1. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly exitCode: ExitCode = EXIT.failed;
}
