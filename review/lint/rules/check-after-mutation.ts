import type { StepModel } from '../../model.js';
import type { Rule, RuleHit } from '../types.js';

export const checkAfterMutation: Rule = {
  id: 'check-after-mutation',
  rationale: 'A phase that changes systems and is not verified lets the next phase build on a change that did not happen.',
  fix: 'Add a check after the phase\'s last change (service up, role as expected, lag below a bound) before the next change.',
  severity: 'warn',
  check({ model }) {
    const hits: RuleHit[] = [];
    const steps = model.steps;
    // Phases in order of appearance (a run of consecutive steps with one phase title).
    const segments: StepModel[][] = [];
    for (const s of steps) {
      const last = segments.at(-1);
      if (last !== undefined && last[0]?.phase === s.phase) last.push(s);
      else segments.push([s]);
    }
    for (const seg of segments) {
      const lastChange = seg.filter((s) => s.mutating).at(-1);
      if (lastChange === undefined) continue;
      let verified = false;
      for (const s of steps.slice(lastChange.index + 1)) {
        if (s.kind === 'check' && !s.options.whenNever) {
          verified = true;
          break;
        }
        if (s.mutating) break;
      }
      if (!verified) {
        hits.push({
          message: `phase "${lastChange.phase ?? '(no phase)'}" changes systems (last: ${lastChange.kind} "${lastChange.id}") and no check verifies it before the next change or the end`,
          pos: lastChange.pos,
          step: lastChange.id,
        });
      }
    }
    return hits;
  },
};
