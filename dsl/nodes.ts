/**
 * The plan as data. Builders produce these frozen nodes; the interpreter, the dry-run renderer
 * and (later) the simulator and static analyser are each one handler table over `kind` / `type`.
 */
import type { Ctx, StepOutput } from './context.js';
import type { ParamSpec } from './params.js';

/** The context a lazy function receives at run time, seen from the untyped side. */
export type RuntimeCtx = Ctx<Readonly<Record<string, unknown>>, Readonly<Record<string, StepOutput<unknown, unknown>>>>;
export type LazyFn = (c: RuntimeCtx) => unknown;
/** A value in a node: either known now or computed when the step runs. */
export type LazyValue = { readonly lazy: false; readonly value: unknown } | { readonly lazy: true; readonly fn: LazyFn };

/** One interpolation in an `sh` template. */
export type ShPart = { readonly raw: boolean; readonly value: LazyValue };

export interface ShNode {
  readonly type: 'sh';
  readonly strings: readonly string[];
  readonly parts: readonly ShPart[];
}

export interface FnNode {
  readonly type: 'fn';
  readonly fn: LazyFn;
  readonly readOnly: boolean;
  readonly label: string | undefined;
}

export interface HttpNode {
  readonly type: 'http';
  readonly method: 'GET' | 'POST';
  readonly url: LazyValue;
  readonly body: LazyValue | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly expectStatus: readonly number[] | undefined;
  readonly timeoutMs: number | undefined;
}

export interface PromoteNode {
  readonly type: 'promote';
  readonly driver: 'custom';
  readonly precheck: ActionNode;
  readonly fence: ActionNode | undefined;
  readonly action: ActionNode;
  readonly verify: ActionNode;
}

export type ChannelNode =
  | { readonly type: 'console' }
  | { readonly type: 'file'; readonly path: LazyValue }
  | { readonly type: 'webhook'; readonly url: LazyValue; readonly headers: Readonly<Record<string, string>> };

export interface NotifyNode {
  readonly type: 'notify';
  readonly channel: ChannelNode;
  readonly message: LazyValue;
}

export type ActionNode = ShNode | FnNode | HttpNode | PromoteNode | NotifyNode;
export type ActionType = ActionNode['type'];

export interface RetryPolicy {
  readonly attempts: number;
  readonly intervalMs: number;
  readonly backoff: number;
}

/** Options every step may carry, in their normalised form. */
export interface StepOptionsNode {
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly waitUntil: { readonly timeoutMs: number; readonly intervalMs: number } | undefined;
  readonly continueOnError: boolean;
  readonly when: LazyFn | undefined;
  readonly estimateMs: number | undefined;
  readonly description: string | undefined;
  readonly parse: ((text: string, result: unknown) => unknown) | undefined;
  /** A predicate, a RegExp tested against the output text, or a value compared for deep equality. */
  readonly expect: { readonly type: 'fn'; readonly fn: (value: unknown, c: RuntimeCtx) => unknown } | { readonly type: 'regexp'; readonly re: RegExp } | { readonly type: 'value'; readonly value: unknown } | undefined;
  readonly interactive: boolean;
  /** confirm only: what a "no" does. */
  readonly onNo: 'abort' | 'continue';
}

interface StepBase {
  readonly id: string;
  readonly title: string;
  readonly phase: string | undefined;
  readonly index: number;
  readonly options: StepOptionsNode;
}

export interface CheckStep extends StepBase { readonly kind: 'check'; readonly action: ActionNode }
export interface ConfirmStep extends StepBase { readonly kind: 'confirm' }
export interface ExecStep extends StepBase { readonly kind: 'exec'; readonly action: ActionNode }
export interface PromoteStep extends StepBase { readonly kind: 'promote'; readonly action: ActionNode }
export interface NotifyStep extends StepBase { readonly kind: 'notify'; readonly action: NotifyNode }

export type StepNode = CheckStep | ConfirmStep | ExecStep | PromoteStep | NotifyStep;
export type StepKind = StepNode['kind'];

export interface RunbookPlan {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly rtoMs: number | undefined;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly lockKey: LazyValue | undefined;
  readonly steps: readonly StepNode[];
}

export function lazy(value: unknown): LazyValue {
  return typeof value === 'function' ? Object.freeze({ lazy: true, fn: value as LazyFn }) : Object.freeze({ lazy: false, value });
}
