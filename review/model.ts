/**
 * The plan as the source writes it: what static review (plan, lint, diff, docs) sees without running
 * anything. Values are either literal (known now) or the expression text as written.
 */
import type { StepKind } from '../dsl/nodes.js';

/** Where something is in a source file (1-based). */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** A value as written: a literal, or an expression shown as its text (`c.params.host`). */
export type StaticValue =
  | { readonly known: true; readonly value: string | number | boolean | null; readonly text: string }
  | { readonly known: false; readonly text: string };

/** What an action is, as far as the source says. */
export interface ActionModel {
  /** The builder as written: `sh`, `ssh`, `http.get`, `pg.query`, `notify.slack`, `promote.custom`… */
  readonly callee: string;
  /** One line a reviewer reads: `sh: systemctl stop ${c.params.svc}`. Secrets in URLs are masked. */
  readonly text: string;
  /** The command when the action carries one (sh/ssh templates; SQL or a command string otherwise). */
  readonly command: string | undefined;
  /** Where it acts: an ssh host, a URL, a DSN, a Kubernetes object…, when written in the call. */
  readonly target: string | undefined;
  /** Parts of a promotion (precheck, fence, action, verify), in order. */
  readonly parts: readonly { readonly role: string; readonly action: ActionModel }[];
  /** Whether the action carries its own fence (a `fence` property). */
  readonly hasFence: boolean;
  /** `fn(…, { readOnly: true })` and other builders known to only read. */
  readonly readOnly: boolean;
  /** Destructive operations recognised in the command or the builder (`systemctl stop`, `DROP`, `scale to 0`…). */
  readonly destructive: readonly string[];
  /** The expression text as written (whitespace collapsed). */
  readonly source: string;
}

/** Step options as written; each is the text of its value (durations also in ms when literal). */
export interface OptionsModel {
  readonly timeout?: DurationText;
  readonly retry?: string;
  readonly waitUntil?: string;
  readonly when?: string;
  /** True when `when` can never hold (`() => false`). */
  readonly whenNever?: boolean;
  readonly continueOnError?: string;
  readonly estimate?: DurationText;
  readonly description?: string;
  readonly parse?: string;
  readonly expect?: string;
  readonly interactive?: string;
  readonly onNo?: string;
  /** Options the DSL does not know (kept so diff and plan still show them). */
  readonly other: Readonly<Record<string, string>>;
  /** The options argument was an expression, not an object literal. */
  readonly opaque?: string;
}

export interface DurationText {
  readonly text: string;
  /** Milliseconds when the duration is a literal the DSL accepts. */
  readonly ms: number | undefined;
}

export interface StepModel {
  readonly kind: StepKind;
  /** The id when it is a literal; otherwise the expression text. */
  readonly id: string;
  readonly idIsLiteral: boolean;
  /** Title, or the question of a confirm; for notify, `Notify <channel>`. */
  readonly title: string;
  readonly phase: string | undefined;
  readonly index: number;
  readonly pos: SourcePos;
  /** Undefined for confirm. For notify: the channel. */
  readonly action: ActionModel | undefined;
  /** notify only: the message as written. */
  readonly message: StaticValue | undefined;
  readonly options: OptionsModel;
  /** Derived: the step can change something (exec, promote, a check with a non-read-only action). */
  readonly mutating: boolean;
}

export interface ParamModel {
  readonly name: string;
  /** string | number | boolean | enum | secret, or the expression text when not a param.x(…) call. */
  readonly type: string;
  readonly default: string | undefined;
  readonly env: string | undefined;
  readonly optional: boolean;
  readonly description: string | undefined;
  readonly values: readonly string[] | undefined;
  readonly pos: SourcePos;
}

export interface PhaseModel {
  readonly title: string;
  readonly pos: SourcePos;
}

/** Something the analyser could not read statically; shown by plan, never fatal. */
export interface SourceNote {
  readonly message: string;
  readonly pos: SourcePos;
}

export interface RunbookModel {
  readonly file: string;
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly rto: DurationText | undefined;
  readonly lockKey: string | undefined;
  readonly params: readonly ParamModel[];
  readonly phases: readonly PhaseModel[];
  readonly steps: readonly StepModel[];
  readonly notes: readonly SourceNote[];
  readonly pos: SourcePos;
}
