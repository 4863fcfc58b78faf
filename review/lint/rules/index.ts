/** Every lint rule, in the order findings of one line are listed. One file per rule. */
import type { Rule } from '../types.js';
import { checkAfterMutation } from './check-after-mutation.js';
import { confirmIsQuestion } from './confirm-is-question.js';
import { destructiveNeedsConfirm } from './destructive-needs-confirm.js';
import { duplicateStepId } from './duplicate-step-id.js';
import { kebabCaseId } from './kebab-case-id.js';
import { literalSecret } from './literal-secret.js';
import { missingRto } from './missing-rto.js';
import { notifyStartEnd } from './notify-start-end.js';
import { promoteNeedsGate } from './promote-needs-gate.js';
import { promoteNeedsVerification } from './promote-needs-verification.js';
import { staticSteps } from './static-steps.js';
import { unreachableStep } from './unreachable-step.js';

export const RULES: readonly Rule[] = [
  duplicateStepId,
  kebabCaseId,
  promoteNeedsVerification,
  promoteNeedsGate,
  destructiveNeedsConfirm,
  checkAfterMutation,
  missingRto,
  confirmIsQuestion,
  literalSecret,
  notifyStartEnd,
  unreachableStep,
  staticSteps,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
