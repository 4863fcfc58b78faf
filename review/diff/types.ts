import type { StepKind } from '../../dsl/nodes.js';

export interface FieldChange {
  /** kind, title, action, command, target, message, options.<name>, guard.<when|expect|waitUntil>, id. */
  readonly field: string;
  readonly old: string | undefined;
  readonly new: string | undefined;
}

export interface StepPlace {
  readonly phase: string | undefined;
  /** 1-based position in the runbook. */
  readonly position: number;
  readonly line: number;
}

export type StepStatus = 'added' | 'removed' | 'renamed' | 'kept';

export interface StepDiff {
  readonly status: StepStatus;
  /** The id in the new version (the old one for a removed step). */
  readonly id: string;
  /** renamed only: the id it had. */
  readonly oldId?: string;
  readonly kind: StepKind;
  readonly title: string;
  /** The action as a reviewer reads it, in the version that has the step (new, else old). */
  readonly action: string | undefined;
  readonly old?: StepPlace;
  readonly new?: StepPlace;
  /** Order changed relative to the other kept steps, or the phase changed. */
  readonly moved?: { readonly acrossPhases: boolean };
  readonly changes: readonly FieldChange[];
}

export const RISK_FLAGS = ['confirm-removed', 'confirm-weakened', 'check-after-guarded-step', 'promote-before-fence', 'timeout-lowered', 'continue-on-error-added', 'four-eyes-removed'] as const;
export type RiskFlagId = (typeof RISK_FLAGS)[number];

export interface RiskFlag {
  readonly flag: RiskFlagId;
  readonly step: string;
  readonly message: string;
}

export interface RunbookDiff {
  readonly oldFile: string | undefined;
  readonly newFile: string | undefined;
  /** Whole-runbook status: a file that only exists on one side. */
  readonly status: 'changed' | 'added' | 'removed';
  readonly id: string;
  readonly title: string;
  /** Metadata: title, rto, description, lockKey, params. */
  readonly meta: readonly FieldChange[];
  readonly phases: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly renamed: readonly { readonly from: string; readonly to: string }[] };
  /** Only steps that differ (unchanged ones are counted in summary). */
  readonly steps: readonly StepDiff[];
  readonly risks: readonly RiskFlag[];
  readonly summary: { readonly added: number; readonly removed: number; readonly renamed: number; readonly moved: number; readonly changed: number; readonly unchanged: number; readonly risks: number };
}
