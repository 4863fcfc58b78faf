/**
 * Risk flags a reviewer must see: a gate removed or weakened, a check now after the step it guarded,
 * a promote now before its fence, a timeout lowered, continueOnError added to a step that changes things.
 */
import { isFenceStep } from '../lint/gates.js';
import type { RunbookModel, StepModel } from '../model.js';
import type { Matching } from './match.js';
import type { RiskFlag } from './types.js';

export function riskFlags(o: RunbookModel, m: Matching): RiskFlag[] {
  const flags: RiskFlag[] = [];
  const newOf = new Map<number, StepModel>(m.pairs.map((p) => [p.old.index, p.new]));

  for (const s of m.removed) {
    if (s.kind === 'confirm') flags.push({ flag: 'confirm-removed', step: s.id, message: `confirm "${s.id}" ("${s.title}") was removed: the steps after it no longer wait for a person` });
  }
  for (const { old: a, new: b } of m.pairs) {
    if (a.kind === 'confirm' && b.kind !== 'confirm') {
      flags.push({ flag: 'confirm-removed', step: b.id, message: `confirm "${a.id}" became a ${b.kind}: nobody is asked any more` });
    }
    if (a.kind === 'confirm' && b.kind === 'confirm') {
      if (a.options.onNo !== 'continue' && b.options.onNo === 'continue') flags.push({ flag: 'confirm-weakened', step: b.id, message: `confirm "${b.id}" no longer stops the run on "no" (onNo: 'continue')` });
      if (a.options.when === undefined && b.options.when !== undefined) flags.push({ flag: 'confirm-weakened', step: b.id, message: `confirm "${b.id}" is now only asked when ${b.options.when}` });
    }
    // Four eyes: `approvers` on a confirm, `requireSecondOperator` on a promote; fewer eyes is a risk.
    const eyes = (s: StepModel): number => {
      const n = Number(s.options.other['approvers'] ?? 1);
      const second = s.options.other['requireSecondOperator'] === 'true' ? 2 : 1;
      return Math.max(Number.isFinite(n) ? n : 1, second);
    };
    if (eyes(b) < eyes(a)) {
      flags.push({ flag: 'four-eyes-removed', step: b.id, message: `${b.kind} "${b.id}" needed ${eyes(a)} operators and now needs ${eyes(b)}: one person can do it alone` });
    }
    const ta = a.options.timeout?.ms;
    const tb = b.options.timeout?.ms;
    if (ta !== undefined && tb !== undefined && tb < ta) {
      flags.push({ flag: 'timeout-lowered', step: b.id, message: `${b.kind} "${b.id}" timeout lowered from ${a.options.timeout?.text ?? ''} to ${b.options.timeout?.text ?? ''}` });
    }
    const coe = (s: StepModel): boolean => s.options.continueOnError !== undefined && s.options.continueOnError !== 'false';
    if (b.mutating && coe(b) && !coe(a)) {
      flags.push({ flag: 'continue-on-error-added', step: b.id, message: `${b.kind} "${b.id}" changes things and now continues on error: a failure there no longer stops the run` });
    }
    // A check guarded the first change after it; it must still come before that change.
    if (a.kind === 'check' && b.kind === 'check') {
      const guarded = o.steps.slice(a.index + 1).find((s) => s.mutating && newOf.has(s.index));
      const g = guarded === undefined ? undefined : newOf.get(guarded.index);
      if (guarded !== undefined && g !== undefined && b.index > g.index) {
        flags.push({ flag: 'check-after-guarded-step', step: b.id, message: `check "${b.id}" now runs after ${g.kind} "${g.id}", which it used to guard` });
      }
    }
    if (a.kind === 'promote' && b.kind === 'promote') {
      if ((a.action?.hasFence ?? false) && !(b.action?.hasFence ?? false)) {
        flags.push({ flag: 'promote-before-fence', step: b.id, message: `promote "${b.id}" lost the fence of its promotion` });
      }
      for (const f of o.steps.slice(0, a.index).filter(isFenceStep)) {
        const nf = newOf.get(f.index);
        if (nf === undefined) flags.push({ flag: 'promote-before-fence', step: b.id, message: `fence "${f.id}" that came before promote "${b.id}" was removed` });
        else if (nf.index > b.index) flags.push({ flag: 'promote-before-fence', step: b.id, message: `promote "${b.id}" now runs before its fence "${nf.id}"` });
      }
    }
  }
  return flags;
}
