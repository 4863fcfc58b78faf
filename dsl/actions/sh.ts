import { RunbookDefinitionError } from '../ids.js';
import type { ExecResult } from '../results.js';
import { lazy, type ShPart } from '../nodes.js';
import { makeAction, type Action } from './action.js';

const RAW = Symbol.for('runbook.sh.raw');

/** A fragment inserted into a command without quoting; make it obvious in review. */
export interface RawFragment<C = unknown> {
  readonly [RAW]: true;
  readonly value: unknown;
  /** Phantom: lets `sh.raw(c => …)` read its context type from the template it sits in. */
  readonly __ctx?: (c: C) => void;
}

type Scalar = string | number | boolean | bigint;
type ShWords = Scalar | readonly Scalar[];
export type ShValue<C> = ShWords | RawFragment<NoInfer<C>> | ((c: C) => ShWords);

export interface ShTag {
  /** A local command run by `/bin/sh -c`; every interpolated value is shell-quoted. */
  <C>(strings: TemplateStringsArray, ...values: ShValue<C>[]): Action<ExecResult, C>;
  /** A deliberate raw, unquoted fragment (a flag list you wrote yourself, never user input). */
  raw<C>(value: string | ((c: C) => string)): RawFragment<C>;
}

export function isRawFragment(v: unknown): v is RawFragment {
  return typeof v === 'object' && v !== null && (v as Record<PropertyKey, unknown>)[RAW] === true;
}

export function shParts(strings: TemplateStringsArray, values: readonly unknown[]): { strings: readonly string[]; parts: readonly ShPart[] } {
  if (!Array.isArray(strings) || !('raw' in strings)) {
    throw new RunbookDefinitionError('sh is a tagged template: write sh`systemctl status ${service}`, not sh("…").');
  }
  const parts = values.map((v): ShPart =>
    isRawFragment(v) ? Object.freeze({ raw: true, value: lazy(v.value) }) : Object.freeze({ raw: false, value: lazy(v) }),
  );
  return { strings: Object.freeze([...strings]), parts: Object.freeze(parts) };
}

export const sh: ShTag = Object.assign(
  <C>(strings: TemplateStringsArray, ...values: ShValue<C>[]): Action<ExecResult, C> =>
    makeAction({ type: 'sh', ...shParts(strings, values) }),
  {
    raw: <C>(value: string | ((c: C) => string)): RawFragment<C> => Object.freeze({ [RAW]: true as const, value }),
  },
);
