import type { SourceFile } from 'ts-morph';
import type { RunbookModel, SourcePos } from '../model.js';

export type Severity = 'off' | 'warn' | 'error';
export const SEVERITIES: readonly Severity[] = ['off', 'warn', 'error'];

/** What a rule reports: where and what, in one sentence naming the step. */
export interface RuleHit {
  readonly message: string;
  readonly pos: SourcePos;
  readonly step?: string;
}

export interface RuleContext {
  readonly model: RunbookModel;
  /** The parsed source, for rules that read more than the plan (literal secrets). */
  readonly source: SourceFile;
}

export interface Rule {
  /** kebab-case, used in config and in disable comments. */
  readonly id: string;
  /** Why it matters, in one line. */
  readonly rationale: string;
  /** How to fix it, in one line. */
  readonly fix: string;
  readonly severity: Exclude<Severity, 'off'>;
  check(ctx: RuleContext): RuleHit[];
}

export interface Finding {
  readonly rule: string;
  readonly severity: Exclude<Severity, 'off'>;
  readonly message: string;
  readonly fix: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly step?: string;
}

export interface FileResult {
  readonly file: string;
  /** The runbook id, when the file is a runbook. */
  readonly runbook: string | undefined;
  readonly findings: readonly Finding[];
}
