/** Runs every enabled rule over runbook sources; `// runbook-lint-disable-next-line <ids>` silences a line. */
import { readFileSync } from 'node:fs';
import { notARunbook, withSource } from '../source/analyse.js';
import { severityOf, type LintConfig } from './config.js';
import { RULES } from './rules/index.js';
import type { FileResult, Finding } from './types.js';

const DISABLE = /runbook-lint-disable-(next-line|line)\b([^\n]*)/;

function disabled(lines: readonly string[], line: number, rule: string): boolean {
  const check = (text: string | undefined, kind: string): boolean => {
    const m = text === undefined ? null : DISABLE.exec(text);
    if (m === null || m[1] !== kind) return false;
    const ids = (m[2] ?? '').replace(/\*\/.*$/, '').split(/[\s,]+/).filter(Boolean);
    return ids.length === 0 || ids.includes(rule);
  };
  return check(lines[line - 2], 'next-line') || check(lines[line - 1], 'line');
}

/** Lints one source text; undefined when it is not a runbook. */
export function lintSource(file: string, text: string, config: LintConfig): FileResult | undefined {
  return withSource(file, text, (source, model) => {
    if (model === undefined) return undefined;
    const lines = text.split('\n');
    const findings: Finding[] = [];
    for (const rule of RULES) {
      const severity = severityOf(config, rule.id, rule.severity);
      if (severity === 'off') continue;
      for (const hit of rule.check({ model, source })) {
        if (disabled(lines, hit.pos.line, rule.id)) continue;
        findings.push({
          rule: rule.id, severity, message: hit.message, fix: rule.fix, file, line: hit.pos.line, column: hit.pos.column,
          ...(hit.step === undefined ? {} : { step: hit.step }),
        });
      }
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { file, runbook: model.id, findings };
  });
}

export interface LintRun {
  readonly results: readonly FileResult[];
  /** Files in folders that are not runbooks (helpers, scenarios): skipped. */
  readonly skipped: readonly string[];
}

export function lintFiles(explicit: readonly string[], found: readonly string[], config: LintConfig): LintRun {
  const results: FileResult[] = [];
  const skipped: string[] = [];
  for (const file of explicit) {
    const r = lintSource(file, readFileSync(file, 'utf8'), config);
    if (r === undefined) throw notARunbook(file);
    results.push(r);
  }
  for (const file of found) {
    const r = lintSource(file, readFileSync(file, 'utf8'), config);
    if (r === undefined) skipped.push(file);
    else results.push(r);
  }
  return { results, skipped };
}
