import { hasGateBefore } from '../gates.js';
import type { Rule } from '../types.js';

export const destructiveNeedsConfirm: Rule = {
  id: 'destructive-needs-confirm',
  rationale: 'Stopping, deleting, dropping, scaling to 0, switching over or changing DNS cannot be undone by rerunning: a person must say go first.',
  fix: 'Add a confirm before the step (a question naming what will happen and where).',
  severity: 'error',
  check({ model }) {
    return model.steps
      .filter((s) => s.kind === 'exec' && (s.action?.destructive.length ?? 0) > 0 && !hasGateBefore(model.steps, s))
      .map((s) => ({
        message: `exec "${s.id}" is destructive (${s.action?.destructive.join(', ')}) and no confirm comes before it`,
        pos: s.pos,
        step: s.id,
      }));
  },
};
