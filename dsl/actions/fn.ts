import { RunbookDefinitionError } from '../ids.js';
import type { LazyFn } from '../nodes.js';
import { makeAction, type Action } from './action.js';

export interface FnOptions {
  /** True when the code only reads: it then runs for real in `--probe`. */
  readonly readOnly?: boolean;
  /** How dry-run shows it; defaults to the function's name. */
  readonly label?: string;
}

/** Custom code as a step action. Its return value is the result; a throw is a failure. */
export function fn<C, T>(body: (c: C) => T | Promise<T>, options: FnOptions = {}): Action<T, C> {
  if (typeof body !== 'function') throw new RunbookDefinitionError('fn(…) needs a function: fn(async c => …).');
  return makeAction({
    type: 'fn',
    fn: body as unknown as LazyFn,
    readOnly: options.readOnly === true,
    label: options.label ?? (body.name || undefined),
  });
}
