/** Lint results for a terminal, a pull-request comment, or a machine. */
import { mdCode, mdEscape, type Formatters } from '../format.js';
import { RULES } from './rules/index.js';
import type { LintRun } from './lint.js';
import type { Finding } from './types.js';

function counts(run: LintRun): { errors: number; warnings: number } {
  const all = run.results.flatMap((r) => r.findings);
  return { errors: all.filter((f) => f.severity === 'error').length, warnings: all.filter((f) => f.severity === 'warn').length };
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

function summary(run: LintRun): string {
  const { errors, warnings } = counts(run);
  const files = plural(run.results.length, 'runbook');
  const skipped = run.skipped.length ? ` (${plural(run.skipped.length, 'other file')} skipped: not runbooks)` : '';
  if (errors + warnings === 0) return `✔ ${files} checked, no problems${skipped}`;
  return `${errors ? '✖' : '!'} ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${files}${skipped}`;
}

function textFinding(f: Finding): string {
  return `  ${`${f.line}:${f.column}`.padEnd(7)} ${(f.severity === 'error' ? 'error' : 'warn').padEnd(5)}  ${f.rule.padEnd(27)} ${f.message}`;
}

function text(run: LintRun): string {
  const out: string[] = [];
  for (const r of run.results) {
    if (r.findings.length === 0) continue;
    out.push(r.file, ...r.findings.map(textFinding), '');
  }
  // Each rule's fix once, after the findings (runbook lint --rules says why each rule exists).
  const used = RULES.filter((r) => run.results.some((x) => x.findings.some((f) => f.rule === r.id)));
  if (used.length) out.push('How to fix:', ...used.map((r) => `  ${r.id.padEnd(27)} ${r.fix}`), '');
  out.push(summary(run));
  return `${out.join('\n')}\n`;
}

function markdown(run: LintRun): string {
  const out: string[] = ['### runbook lint', '', summary(run), ''];
  const rows = run.results.flatMap((r) => r.findings);
  if (rows.length) {
    out.push('| | rule | where | problem | fix |', '|---|---|---|---|---|');
    for (const f of rows) out.push(`| ${f.severity === 'error' ? '❌' : '⚠️'} | ${mdCode(f.rule)} | ${mdCode(`${f.file}:${f.line}`)} | ${mdEscape(f.message)} | ${mdEscape(f.fix)} |`);
    out.push('');
    const used = RULES.filter((r) => rows.some((f) => f.rule === r.id));
    out.push('<details><summary>Why these rules</summary>', '', ...used.map((r) => `- ${mdCode(r.id)}: ${mdEscape(r.rationale)}`), '', '</details>', '');
  }
  return `${out.join('\n')}`;
}

function json(run: LintRun): string {
  const { errors, warnings } = counts(run);
  const rulesUsed = RULES.filter((r) => run.results.some((x) => x.findings.some((f) => f.rule === r.id)));
  return `${JSON.stringify({
    summary: { errors, warnings, runbooks: run.results.length, skipped: run.skipped },
    files: run.results,
    rules: rulesUsed.map((r) => ({ id: r.id, rationale: r.rationale, fix: r.fix })),
  }, null, 2)}\n`;
}

export const lintFormatters: Formatters<LintRun> = { text, md: markdown, json };

/** `runbook lint --rules`: every rule, its default severity, why, and the fix. */
export function rulesHelp(): string {
  const w = Math.max(...RULES.map((r) => r.id.length));
  return `${RULES.map((r) => `${r.id.padEnd(w)}  ${r.severity.padEnd(5)}  ${r.rationale}\n${' '.repeat(w + 9)}fix: ${r.fix}`).join('\n')}\n`;
}
