import type { Rule } from '../types.js';

export const promoteNeedsVerification: Rule = {
  id: 'promote-needs-verification',
  rationale: 'A promotion that is not verified afterwards can leave no primary, or two, without anyone noticing.',
  fix: 'Add a check after the promote that proves the new primary serves (role, a write, replication).',
  severity: 'error',
  check({ model }) {
    return model.steps
      .filter((p) => p.kind === 'promote' && !model.steps.some((s) => s.kind === 'check' && s.index > p.index && !s.options.whenNever))
      .map((p) => ({ message: `promote "${p.id}" is not followed by a check that verifies the new primary`, pos: p.pos, step: p.id }));
  },
};
