import { hasGateBefore, isFenceStep } from '../gates.js';
import type { Rule } from '../types.js';

export const promoteNeedsGate: Rule = {
  id: 'promote-needs-gate',
  rationale: 'Promoting while the old primary may still accept writes is split brain: a person decides, or the old primary is fenced first.',
  fix: 'Put a confirm ("Primary is really down?") before the promote, or give the promotion a fence.',
  severity: 'error',
  check({ model }) {
    return model.steps
      .filter((p) => p.kind === 'promote')
      .filter((p) => !(p.action?.hasFence ?? false) && !hasGateBefore(model.steps, p) && !model.steps.some((s) => s.index < p.index && isFenceStep(s)))
      .map((p) => ({ message: `promote "${p.id}" has neither a confirm nor a fence before it`, pos: p.pos, step: p.id }));
  },
};
