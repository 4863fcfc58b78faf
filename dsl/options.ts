import { parseDuration, type Duration } from './duration.js';
import { RunbookDefinitionError } from './ids.js';
import type { StepKind, StepOptionsNode, LazyFn, RuntimeCtx } from './nodes.js';

export interface RetryOptions {
  /** Total attempts, including the first. */
  readonly attempts: number;
  readonly interval?: Duration;
  /** Multiplier applied to the interval after each failed attempt (default 1). */
  readonly backoff?: number;
}

/** Options every step accepts. */
export interface StepOptions<C> {
  readonly timeout?: Duration;
  readonly retry?: RetryOptions;
  /** Record the failure and go on instead of stopping the run. */
  readonly continueOnError?: boolean;
  /** Run the step only when this returns true; otherwise it is recorded as skipped. */
  readonly when?: (c: C) => boolean;
  /** Expected duration: feeds ETA and simulation. */
  readonly estimate?: Duration;
  /** Markdown shown with the step. */
  readonly description?: string;
}

/** `parse` turns output into a typed `value`; `expect` decides success from it. */
export interface ValueOptions<R, V, C> {
  readonly parse?: (text: string, result: R) => V;
  /** A predicate on the value (or the result when there is no `parse`), a RegExp tested on the output text, or a value it must equal. */
  readonly expect?: ((value: NoInfer<V>, c: C) => boolean) | RegExp | NoInfer<V>;
}

/** Options that give `parse`: the step's value is what it returns. */
export interface Parsed<R, V> {
  readonly parse: (text: string, result: R) => V;
}

export interface CheckOptions<R, V, C> extends StepOptions<C>, ValueOptions<R, V, C> {
  /** Poll until `expect` holds or the timeout passes. */
  readonly waitUntil?: { readonly timeout: Duration; readonly interval?: Duration };
}

export interface ExecOptions<R, V, C> extends StepOptions<C>, ValueOptions<R, V, C> {
  /** Give the command the operator's terminal (vendor scripts that prompt). Output is not captured. */
  readonly interactive?: boolean;
}

/** Four-eyes: how long a step waits for other operators' approval (`runbook approve`) before it fails. Default 30m. */
export interface ApprovalOptions {
  readonly approvalTimeout?: Duration;
}

/** Promote steps take no `retry`: retrying would fence and promote again. */
export type PromoteOptions<R, V, C> = Omit<StepOptions<C>, 'retry'> & ValueOptions<R, V, C> & ApprovalOptions & {
  /** Four-eyes: before promoting, the run waits until a different operator runs `runbook approve <run-id> <step-id>`. */
  readonly requireSecondOperator?: boolean;
};
export type NotifyOptions<C> = StepOptions<C>;

export interface ConfirmOptions<C> {
  readonly description?: string;
  readonly when?: (c: C) => boolean;
  readonly estimate?: Duration;
  /** What answering "no" does: stop the run (default) or record `false` and go on. */
  readonly onNo?: 'abort' | 'continue';
  /**
   * Four-eyes: how many different operators must say yes, the one running it included (default 1).
   * With 2, after the operator's own yes the run waits until someone else runs `runbook approve`.
   */
  readonly approvers?: number;
  /** How long to wait for the other approvers before the step fails (default 30m). */
  readonly approvalTimeout?: Duration;
}

const ALLOWED: Record<StepKind, readonly string[]> = {
  check: ['timeout', 'retry', 'continueOnError', 'when', 'estimate', 'description', 'parse', 'expect', 'waitUntil'],
  exec: ['timeout', 'retry', 'continueOnError', 'when', 'estimate', 'description', 'parse', 'expect', 'interactive'],
  promote: ['timeout', 'continueOnError', 'when', 'estimate', 'description', 'parse', 'expect', 'requireSecondOperator', 'approvalTimeout'],
  notify: ['timeout', 'retry', 'continueOnError', 'when', 'estimate', 'description'],
  confirm: ['description', 'when', 'estimate', 'onNo', 'approvers', 'approvalTimeout'],
};

/** Validates and normalises options as written (also from plain JS) into the frozen node form. */
export function normaliseOptions(kind: StepKind, id: string, raw: unknown): StepOptionsNode {
  const where = `step "${id}"`;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) throw new RunbookDefinitionError(`${where}: options must be an object.`);
  const o = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (kind === 'promote' && key === 'retry') {
      throw new RunbookDefinitionError(`${where}: a promote step cannot retry: a retry would fence and promote again. Make verify patient instead (e.g. a check with waitUntil after the promote), and let the operator choose retry after a failure.`);
    }
    if (!ALLOWED[kind].includes(key)) {
      throw new RunbookDefinitionError(`${where}: unknown option "${key}" for a ${kind} step. Allowed: ${ALLOWED[kind].join(', ')}.`);
    }
  }
  const fnOpt = (key: string): ((...a: never[]) => unknown) | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'function') throw new RunbookDefinitionError(`${where}: option "${key}" must be a function.`);
    return v as (...a: never[]) => unknown;
  };
  const dur = (key: string, v: unknown): number | undefined =>
    v === undefined ? undefined : parseDuration(v as Duration, `${where} option "${key}"`);
  const retry = o['retry'] as RetryOptions | undefined;
  if (retry !== undefined && (typeof retry !== 'object' || !Number.isInteger(retry.attempts) || retry.attempts < 1)) {
    throw new RunbookDefinitionError(`${where}: retry.attempts must be a whole number ≥ 1 (total attempts, first included).`);
  }
  if (retry?.backoff !== undefined && !(typeof retry.backoff === 'number' && retry.backoff >= 1)) {
    throw new RunbookDefinitionError(`${where}: retry.backoff must be a number ≥ 1.`);
  }
  const wait = o['waitUntil'] as { timeout: Duration; interval?: Duration } | undefined;
  if (wait !== undefined && (typeof wait !== 'object' || wait.timeout === undefined)) {
    throw new RunbookDefinitionError(`${where}: waitUntil needs { timeout, interval? }.`);
  }
  const expect = o['expect'];
  const onNo = o['onNo'] ?? 'abort';
  if (onNo !== 'abort' && onNo !== 'continue') throw new RunbookDefinitionError(`${where}: onNo must be "abort" or "continue".`);
  const approvers = approversOf(kind, where, o);
  const approvalTimeoutMs = dur('approvalTimeout', o['approvalTimeout']);
  if (approvalTimeoutMs !== undefined && approvers < 2) {
    throw new RunbookDefinitionError(`${where}: approvalTimeout is how long to wait for a second operator; give ${kind === 'promote' ? 'requireSecondOperator: true' : 'approvers: 2 (or more)'} too, or drop it.`);
  }
  if (approvalTimeoutMs !== undefined && approvalTimeoutMs <= 0) throw new RunbookDefinitionError(`${where}: approvalTimeout must be longer than zero.`);
  const description = o['description'];
  if (description !== undefined && typeof description !== 'string') throw new RunbookDefinitionError(`${where}: description must be a string.`);
  return Object.freeze({
    timeoutMs: dur('timeout', o['timeout']),
    retry: retry === undefined ? undefined : Object.freeze({ attempts: retry.attempts, intervalMs: dur('retry.interval', retry.interval) ?? 1000, backoff: retry.backoff ?? 1 }),
    waitUntil: wait === undefined ? undefined : Object.freeze({ timeoutMs: dur('waitUntil.timeout', wait.timeout) ?? 0, intervalMs: dur('waitUntil.interval', wait.interval) ?? 2000 }),
    // A notification that cannot be delivered warns and the failover goes on, unless the step says otherwise.
    continueOnError: kind === 'notify' ? o['continueOnError'] !== false : o['continueOnError'] === true,
    when: fnOpt('when') as LazyFn | undefined,
    estimateMs: dur('estimate', o['estimate']),
    description,
    parse: fnOpt('parse') as StepOptionsNode['parse'],
    expect:
      expect === undefined
        ? undefined
        : typeof expect === 'function'
          ? { type: 'fn' as const, fn: expect as (value: unknown, c: RuntimeCtx) => unknown }
          : expect instanceof RegExp
            ? { type: 'regexp' as const, re: expect }
            : { type: 'value' as const, value: expect },
    interactive: o['interactive'] === true,
    onNo,
    ...(approvers > 1 ? { approvers, approvalTimeoutMs } : {}),
  });
}

/** `approvers` (confirm) or `requireSecondOperator` (promote), as the number of operators who must agree. */
function approversOf(kind: StepKind, where: string, o: Record<string, unknown>): number {
  if (kind === 'promote') {
    const v = o['requireSecondOperator'];
    if (v !== undefined && typeof v !== 'boolean') throw new RunbookDefinitionError(`${where}: requireSecondOperator must be true or false.`);
    return v === true ? 2 : 1;
  }
  const v = o['approvers'];
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 9) {
    throw new RunbookDefinitionError(`${where}: approvers must be a whole number from 1 to 9 (how many different operators must say yes, the one running the step included; 2 = four eyes), got ${JSON.stringify(v)}.`);
  }
  return v;
}
