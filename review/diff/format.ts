/** The step-level diff for a terminal, a pull-request comment (Markdown), or a machine (JSON). */
import { mdCode, mdEscape, type Formatters } from '../format.js';
import type { FieldChange, RiskFlag, RunbookDiff, StepDiff } from './types.js';

export interface DiffReport {
  /** What was compared, e.g. "old.ts → new.ts" or "main → working tree". */
  readonly label: string;
  readonly runbooks: readonly RunbookDiff[];
}

const RISK_TITLE: Record<RiskFlag['flag'], string> = {
  'confirm-removed': 'confirm removed',
  'confirm-weakened': 'confirm weakened',
  'check-after-guarded-step': 'check moved after the step it guarded',
  'promote-before-fence': 'promote before its fence',
  'timeout-lowered': 'timeout lowered',
  'continue-on-error-added': 'continueOnError added to a mutating step',
  'four-eyes-removed': 'four-eyes approval removed or reduced',
};

function where(d: StepDiff): string {
  const o = d.old;
  const n = d.new;
  if (o && n) return o.phase === n.phase ? `${n.phase ?? '(no phase)'} #${o.position} → #${n.position}` : `${o.phase ?? '(no phase)'} #${o.position} → ${n.phase ?? '(no phase)'} #${n.position}`;
  const p = n ?? o;
  return p ? `${p.phase ?? '(no phase)'} #${p.position}` : '';
}

function tag(d: StepDiff): string {
  const symbol = d.status === 'added' ? '+' : d.status === 'removed' ? '-' : d.moved && d.changes.length === 0 && d.status === 'kept' ? '↕' : '~';
  return `${symbol} ${classes(d).join(', ')}`;
}

function idText(d: StepDiff): string {
  return d.oldId === undefined ? d.id : `${d.oldId} → ${d.id}`;
}

function classes(d: StepDiff): string[] {
  const c: string[] = [];
  if (d.status !== 'kept') c.push(d.status);
  if (d.moved) c.push(d.moved.acrossPhases ? 'moved across phases' : 'moved');
  if (d.changes.length) c.push('changed');
  return c;
}

function changeText(c: FieldChange, pad: string): string[] {
  const o = c.old ?? '(none)';
  const n = c.new ?? '(none)';
  if (!o.includes('\n') && !n.includes('\n') && o.length + n.length < 90) return [`${pad}${c.field}: ${o} → ${n}`];
  return [`${pad}${c.field}:`, ...o.split('\n').map((l) => `${pad}  - ${l}`), ...n.split('\n').map((l) => `${pad}  + ${l}`)];
}

function summaryLine(r: RunbookDiff): string {
  const s = r.summary;
  return `${s.added} added, ${s.removed} removed, ${s.renamed} renamed, ${s.moved} moved, ${s.changed} changed, ${s.unchanged} unchanged · ${s.risks} risk flag${s.risks === 1 ? '' : 's'}`;
}

function files(r: RunbookDiff): string {
  if (r.status === 'added') return `new runbook ${r.newFile ?? ''}`;
  if (r.status === 'removed') return `runbook deleted: ${r.oldFile ?? ''}`;
  return r.oldFile === r.newFile ? String(r.newFile) : `${r.oldFile ?? ''} → ${r.newFile ?? ''}`;
}

function textOne(r: RunbookDiff): string[] {
  const out = [`${r.title} [${r.id}]  ${files(r)}`];
  for (const f of r.risks) out.push(`  RISK  ${f.flag.padEnd(25)} ${f.message}`);
  for (const c of r.meta) out.push(...changeText(c, '  meta  '));
  for (const p of r.phases.renamed) out.push(`  phase renamed: ${p.from} → ${p.to}`);
  for (const p of r.phases.added) out.push(`  phase added: ${p}`);
  for (const p of r.phases.removed) out.push(`  phase removed: ${p}`);
  for (const d of r.steps) {
    out.push(`  ${tag(d).padEnd(22)} ${d.kind.padEnd(8)} ${idText(d)}  "${d.title}"  [${where(d)}]`);
    if ((d.status === 'added' || d.status === 'removed') && d.action) out.push(...d.action.split('\n').map((l) => `             ${l}`));
    for (const c of d.changes) out.push(...changeText(c, '             '));
  }
  out.push(`  ${summaryLine(r)}`);
  return out;
}

function text(rep: DiffReport): string {
  if (rep.runbooks.length === 0) return `runbook diff ${rep.label}: no runbook changed.\n`;
  const blocks = rep.runbooks.map((r) => textOne(r).join('\n'));
  return `runbook diff ${rep.label}\n\n${blocks.join('\n\n')}\n`;
}

function mdChange(c: FieldChange): string {
  const o = c.old ?? '(none)';
  const n = c.new ?? '(none)';
  if (!o.includes('\n') && !n.includes('\n') && o.length + n.length < 80) return `${mdCode(c.field)}: ${mdCode(o)} → ${mdCode(n)}`;
  return `${mdCode(c.field)} changed (see below)`;
}

function mdLong(d: StepDiff): string[] {
  const long = d.changes.filter((c) => !mdChange(c).includes('→'));
  if (long.length === 0) return [];
  const body = long.flatMap((c) => [`# ${c.field}`, ...(c.old ?? '').split('\n').map((l) => `- ${l}`), ...(c.new ?? '').split('\n').map((l) => `+ ${l}`)]);
  return ['', `<details><summary>${mdEscape(idText(d))}</summary>`, '', '```diff', ...body, '```', '', '</details>'];
}

function markdownOne(r: RunbookDiff): string[] {
  const out = [`### ${mdEscape(r.title)} (${mdCode(r.id)})`, '', `${mdEscape(files(r))} · ${summaryLine(r)}`, ''];
  if (r.risks.length) {
    out.push('> [!WARNING]', `> **${r.risks.length} risk flag${r.risks.length === 1 ? '' : 's'}: review these steps**`, '>');
    for (const f of r.risks) out.push(`> - **${RISK_TITLE[f.flag]}** (${mdCode(f.step)}): ${mdEscape(f.message)}`);
    out.push('');
  }
  if (r.meta.length) {
    out.push('**Runbook:**', '');
    for (const c of r.meta) out.push(`- ${mdChange(c)}`);
    out.push('');
  }
  const ph = [...r.phases.renamed.map((p) => `renamed ${mdEscape(p.from)} → ${mdEscape(p.to)}`), ...r.phases.added.map((p) => `added ${mdEscape(p)}`), ...r.phases.removed.map((p) => `removed ${mdEscape(p)}`)];
  if (ph.length) out.push(`**Phases:** ${ph.join(' · ')}`, '');
  if (r.steps.length) {
    out.push('| change | step | kind | where | details |', '|---|---|---|---|---|');
    for (const d of r.steps) {
      const details = d.status === 'added' || d.status === 'removed' ? (d.action ? mdCode(d.action.split('\n')[0] ?? '') : mdEscape(d.title)) : d.changes.map(mdChange).join('<br>');
      out.push(`| ${classes(d).join(', ')} | ${mdCode(idText(d))} ${mdEscape(d.title)} | ${d.kind} | ${mdEscape(where(d))} | ${details} |`);
    }
    for (const d of r.steps) out.push(...mdLong(d));
    out.push('');
  }
  return out;
}

function markdown(rep: DiffReport): string {
  const out = [`## Runbook changes (${mdEscape(rep.label)})`, ''];
  if (rep.runbooks.length === 0) out.push('No runbook changed.', '');
  for (const r of rep.runbooks) out.push(...markdownOne(r));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export const diffFormatters: Formatters<DiffReport> = {
  text,
  md: markdown,
  json: (rep) => `${JSON.stringify(rep, null, 2)}\n`,
};
