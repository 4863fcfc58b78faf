import type { Rule, RuleHit } from '../types.js';

export const notifyStartEnd: Rule = {
  id: 'notify-start-end',
  rationale: 'People must hear that a live procedure started (before the first change) and how it ended (after the last).',
  fix: 'Add a notify step before the first change (declaration) and one after the last (recovery complete).',
  severity: 'warn',
  check({ model }) {
    const changes = model.steps.filter((s) => s.mutating);
    const first = changes[0];
    const last = changes.at(-1);
    if (first === undefined || last === undefined) return [];
    const hits: RuleHit[] = [];
    const notifies = model.steps.filter((s) => s.kind === 'notify' && !s.options.whenNever);
    if (!notifies.some((n) => n.index < first.index)) hits.push({ message: `no notify before the first change (${first.kind} "${first.id}")`, pos: first.pos, step: first.id });
    if (!notifies.some((n) => n.index > last.index)) hits.push({ message: `no notify after the last change (${last.kind} "${last.id}")`, pos: last.pos, step: last.id });
    return hits;
  },
};
