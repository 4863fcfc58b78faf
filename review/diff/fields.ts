/** Field-level changes of one step kept across versions, and of the runbook's metadata. */
import type { OptionsModel, ParamModel, RunbookModel, StepModel } from '../model.js';
import type { FieldChange } from './types.js';

const OPTION_FIELDS: readonly (keyof OptionsModel)[] = ['timeout', 'retry', 'continueOnError', 'estimate', 'description', 'interactive', 'onNo', 'parse', 'opaque'];
const GUARD_FIELDS: readonly (keyof OptionsModel)[] = ['when', 'expect', 'waitUntil'];

const norm = (s: string | undefined): string | undefined => (s === undefined ? undefined : s.replace(/\s+/g, ' ').trim());

function optionText(o: OptionsModel, k: keyof OptionsModel): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'text' in v) return String(v.text);
  return undefined;
}

export function stepChanges(o: StepModel, n: StepModel): FieldChange[] {
  const out: FieldChange[] = [];
  const push = (field: string, a: string | undefined, b: string | undefined): void => {
    if (norm(a) !== norm(b)) out.push({ field, old: a, new: b });
  };
  push('kind', o.kind, n.kind);
  push('title', o.title, n.title);
  const oa = o.action;
  const na = n.action;
  if (norm(oa?.source) !== norm(na?.source)) {
    const commandOrTarget = norm(oa?.command) !== norm(na?.command) || norm(oa?.target) !== norm(na?.target);
    if (oa?.callee !== na?.callee || !commandOrTarget) push('action', oa?.text, na?.text);
    push('command', oa?.command, na?.command);
    push('target', oa?.target, na?.target);
  }
  push('message', o.message?.text, n.message?.text);
  for (const k of OPTION_FIELDS) push(`options.${k}`, optionText(o.options, k), optionText(n.options, k));
  for (const k of new Set([...Object.keys(o.options.other), ...Object.keys(n.options.other)])) push(`options.${k}`, o.options.other[k], n.options.other[k]);
  for (const k of GUARD_FIELDS) push(`guard.${k}`, optionText(o.options, k), optionText(n.options, k));
  return out;
}

function paramText(p: ParamModel | undefined): string | undefined {
  if (p === undefined) return undefined;
  const bits = [p.type];
  if (p.values) bits.push(`[${p.values.join('|')}]`);
  if (p.default !== undefined) bits.push(`default ${p.default}`);
  if (p.env) bits.push(`env ${p.env}`);
  if (p.optional) bits.push('optional');
  return bits.join(' ');
}

export function metaChanges(o: RunbookModel, n: RunbookModel): FieldChange[] {
  const out: FieldChange[] = [];
  const push = (field: string, a: string | undefined, b: string | undefined): void => {
    if (norm(a) !== norm(b)) out.push({ field, old: a, new: b });
  };
  push('id', o.id, n.id);
  push('title', o.title, n.title);
  push('rto', o.rto?.text, n.rto?.text);
  push('description', o.description, n.description);
  push('lockKey', o.lockKey, n.lockKey);
  const names = [...new Set([...o.params.map((p) => p.name), ...n.params.map((p) => p.name)])];
  for (const name of names) push(`params.${name}`, paramText(o.params.find((p) => p.name === name)), paramText(n.params.find((p) => p.name === name)));
  return out;
}
