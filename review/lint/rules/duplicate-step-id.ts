import type { Rule } from '../types.js';

export const duplicateStepId: Rule = {
  id: 'duplicate-step-id',
  rationale: 'Resume, diff, scenarios and reports key on step ids: two steps with one id cannot be told apart (and the build fails).',
  fix: 'Rename one of the steps; ids are unique within a runbook.',
  severity: 'error',
  check({ model }) {
    const first = new Map<string, number>();
    return model.steps.flatMap((s) => {
      if (!s.idIsLiteral) return [];
      const line = first.get(s.id);
      if (line === undefined) {
        first.set(s.id, s.pos.line);
        return [];
      }
      return [{ message: `step id "${s.id}" is already used by the step at line ${line}`, pos: s.pos, step: s.id }];
    });
  },
};
