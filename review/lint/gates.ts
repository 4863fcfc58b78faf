/** Shared reading of the plan for rules: what gates a step, what verifies it. */
import type { StepModel } from '../model.js';

/** A confirm that actually stops the run on "no" and runs whenever `step` runs. */
export function gatesStep(confirm: StepModel, step: StepModel): boolean {
  if (confirm.kind !== 'confirm' || confirm.index >= step.index) return false;
  if (confirm.options.onNo === 'continue' || confirm.options.whenNever) return false;
  return confirm.options.when === undefined || confirm.options.when === step.options.when;
}

export function hasGateBefore(steps: readonly StepModel[], step: StepModel): boolean {
  return steps.some((s) => gatesStep(s, step));
}

/** A step that fences the old primary: by its own action, or an earlier step named for it. */
export function isFenceStep(s: StepModel): boolean {
  return s.kind !== 'confirm' && s.kind !== 'notify' && /fenc/i.test(`${s.id} ${s.title}`);
}

export const quote = (id: string): string => JSON.stringify(id);
