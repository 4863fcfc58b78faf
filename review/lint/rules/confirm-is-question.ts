import type { Rule } from '../types.js';

export const confirmIsQuestion: Rule = {
  id: 'confirm-is-question',
  rationale: 'At 3 a.m. a gate must read as a yes/no question, or explain the manual task it stands for.',
  fix: 'End the confirm with a question mark ("Primary is truly down?"), or give it a description.',
  severity: 'warn',
  check({ model }) {
    return model.steps
      .filter((s) => s.kind === 'confirm' && !s.title.includes('?') && (s.options.description ?? '').trim() === '')
      .map((s) => ({ message: `confirm "${s.id}" is not a question and has no description`, pos: s.pos, step: s.id }));
  },
};
