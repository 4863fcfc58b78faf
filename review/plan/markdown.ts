/** The plan as Markdown (a pull-request comment or a review page). */
import { mdCode, mdEscape, mdFence } from '../format.js';
import type { RunbookModel, StepModel } from '../model.js';
import { optionPhrases } from './options-text.js';
import { actionLines } from './text.js';

/** Shell commands get shell highlighting; other actions a plain block. */
export function fenceLang(callee: string): string {
  return callee === 'sh' || callee === 'ssh' || callee.startsWith('ssh.') ? 'sh' : '';
}

export function paramTable(m: RunbookModel): string[] {
  if (m.params.length === 0) return [];
  return [
    '| param | type | default | env | description |',
    '|---|---|---|---|---|',
    ...m.params.map((p) => `| ${mdCode(p.name)} | ${p.type === 'enum' && p.values ? mdEscape(p.values.join(' | ')) : p.type} | ${p.default !== undefined ? mdCode(p.default) : p.optional ? 'optional' : '**required**'} | ${p.env ? mdCode(p.env) : ''} | ${mdEscape(p.description ?? '')} |`),
    '',
  ];
}

function stepMd(s: StepModel, n: number): string[] {
  const lines = [`${n}. **${s.kind}** ${mdCode(s.id)} — ${mdEscape(s.title)} <sub>line ${s.pos.line}</sub>`];
  if (s.action) lines.push('', ...mdFence(actionLines(s.action).join('\n'), fenceLang(s.action.callee)).split('\n').map((l) => `   ${l}`));
  if (s.message) lines.push(`   - message: ${s.message.known ? mdEscape(s.message.text) : mdCode(s.message.text)}`);
  for (const o of optionPhrases(s.options, s.kind)) lines.push(`   - ${mdCode(o)}`);
  if (s.options.description) lines.push('', ...s.options.description.split('\n').map((l) => `   > ${l}`));
  return lines;
}

export function planMarkdown(m: RunbookModel): string {
  const out: string[] = [`## ${mdEscape(m.title)} (${mdCode(m.id)})`, ''];
  if (m.description) out.push(m.description, '');
  out.push(`${mdCode(m.file)} · RTO **${m.rto ? mdEscape(m.rto.text) : 'not set'}** · ${m.steps.length} steps in ${m.phases.length} phases`, '');
  out.push(...paramTable(m));
  let phase: string | undefined | null = null;
  m.steps.forEach((s, i) => {
    if (s.phase !== phase) {
      phase = s.phase;
      out.push(`### ${mdEscape(s.phase ?? '(no phase)')}`, '');
    }
    out.push(...stepMd(s, i + 1), '');
  });
  if (m.notes.length) {
    out.push('**Not read statically:**', '');
    for (const n of m.notes) out.push(`- line ${n.pos.line}: ${mdEscape(n.message)}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
