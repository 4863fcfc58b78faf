import { isKebabId } from '../../../dsl/ids.js';
import type { Rule, RuleHit } from '../types.js';

export const kebabCaseId: Rule = {
  id: 'kebab-case-id',
  rationale: 'Ids are typed on the command line (--from, --only, resume) and must stay stable: kebab-case literals only (the build rejects others).',
  fix: 'Write the id as a literal in kebab-case, e.g. "promote-standby".',
  severity: 'error',
  check({ model }) {
    const hits: RuleHit[] = [];
    if (!isKebabId(model.id)) hits.push({ message: `runbook id ${JSON.stringify(model.id)} is not a kebab-case literal`, pos: model.pos });
    for (const s of model.steps) {
      if (!s.idIsLiteral) hits.push({ message: `the id of ${s.kind} "${s.title}" is an expression (${s.id}), not a literal: it cannot be reviewed or resumed by name`, pos: s.pos, step: s.id });
      else if (!isKebabId(s.id)) hits.push({ message: `step id ${JSON.stringify(s.id)} is not kebab-case`, pos: s.pos, step: s.id });
    }
    return hits;
  },
};
