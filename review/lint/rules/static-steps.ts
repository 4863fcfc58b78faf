import type { Rule } from '../types.js';

export const staticSteps: Rule = {
  id: 'static-steps',
  rationale: 'Review reads steps from the source: steps added in a loop or a branch, or after a syntax error, escape lint, diff and docs.',
  fix: 'Write the steps as one builder chain (or top-level `b = b.step(…)` lines) and fix syntax errors.',
  severity: 'warn',
  check({ model }) {
    return model.notes.map((n) => ({ message: n.message, pos: n.pos }));
  },
};
