import type { Rule } from '../types.js';

export const unreachableStep: Rule = {
  id: 'unreachable-step',
  rationale: 'A step whose condition can never hold is dead code that reviewers still read as part of the procedure.',
  fix: 'Delete the step, or give it a real condition (when: c => c.params.…).',
  severity: 'warn',
  check({ model }) {
    return model.steps
      .filter((s) => s.options.whenNever === true)
      .map((s) => ({ message: `${s.kind} "${s.id}" never runs: its when (${s.options.when ?? ''}) is always false`, pos: s.pos, step: s.id }));
  },
};
