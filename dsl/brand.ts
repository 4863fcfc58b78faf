/** Registry symbols, so a plan built by one copy of this module is recognised by another. */
export const RUNBOOK_BRAND: unique symbol = Symbol.for('runbook.runbook') as never;
export const ACTION_BRAND: unique symbol = Symbol.for('runbook.action') as never;
