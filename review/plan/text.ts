/** The plan for a terminal. */
import type { ActionModel, RunbookModel, StepModel } from '../model.js';
import { optionPhrases } from './options-text.js';

function indent(text: string, pad: string): string {
  return text.split('\n').map((l) => `${pad}${l}`).join('\n');
}

export function actionLines(a: ActionModel): string[] {
  if (a.parts.length > 0) return [`${a.callee}:`, ...a.parts.map((p) => `  ${p.role.padEnd(8)} ${p.action.text}`)];
  return a.text.split('\n');
}

export function paramLines(m: RunbookModel): string[] {
  if (m.params.length === 0) return [];
  const w = Math.max(...m.params.map((p) => p.name.length));
  return ['Params:', ...m.params.map((p) => {
    const bits = [p.type === 'enum' && p.values ? `enum(${p.values.join('|')})` : p.type];
    if (p.default !== undefined) bits.push(`default ${p.default}`);
    if (p.env) bits.push(`env ${p.env}`);
    if (p.optional) bits.push('optional');
    else if (p.default === undefined) bits.push('required');
    return `  ${p.name.padEnd(w)}  ${bits.join(', ')}${p.description ? ` — ${p.description}` : ''}`;
  })];
}

function stepBlock(s: StepModel, n: number): string[] {
  const head = `${String(n).padStart(3)}. ${s.kind.padEnd(8)}${s.id}  ${s.title}  (line ${s.pos.line})`;
  const lines = [head];
  if (s.action) lines.push(indent(actionLines(s.action).join('\n'), '       '));
  if (s.message) lines.push(`       message: ${s.message.known ? JSON.stringify(s.message.text) : s.message.text}`);
  const opts = optionPhrases(s.options, s.kind);
  if (opts.length) lines.push(`       (${opts.join(' · ')})`);
  if (s.options.description) lines.push(indent(s.options.description, '       │ '));
  return lines;
}

export function planText(m: RunbookModel): string {
  const out: string[] = [];
  out.push(`${m.title}  [${m.id}]  ${m.file}:${m.pos.line}`);
  if (m.description) out.push(m.description);
  out.push(`RTO ${m.rto ? m.rto.text + (m.rto.ms === undefined ? ' (not a duration)' : '') : 'not set'} · ${m.steps.length} steps in ${m.phases.length} phase${m.phases.length === 1 ? '' : 's'}${m.lockKey ? ` · lock key ${m.lockKey}` : ''}`);
  out.push(...paramLines(m));
  let phase: string | undefined | null = null;
  m.steps.forEach((s, i) => {
    if (s.phase !== phase) {
      phase = s.phase;
      out.push('', `── ${s.phase ?? '(no phase)'}`);
    }
    out.push(...stepBlock(s, i + 1));
  });
  const empty = m.phases.filter((p) => !m.steps.some((s) => s.phase === p.title));
  for (const p of empty) out.push('', `── ${p.title}  (no steps, line ${p.pos.line})`);
  if (m.notes.length) {
    out.push('', 'Not read statically:');
    for (const n of m.notes) out.push(`  line ${n.pos.line}: ${n.message}`);
  }
  return `${out.join('\n')}\n`;
}
