import type { RunbookPlan, StepNode } from '../../dsl/nodes.js';
import { UsageError } from '../errors.js';

/** Every function a step carries (lazy values, when, parse, expect), as source text. */
function functionSources(step: StepNode): string[] {
  const out: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || v === undefined) return;
    if (typeof v === 'function') out.push(v.toString());
    else if (typeof v === 'object' && !(v instanceof RegExp)) for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(step.options, 0);
  if (step.kind !== 'confirm') visit(step.action, 0);
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * With --from / --only, a step that will run must not read the output of a step that will not.
 * Found before the run starts, from the source of the step's functions.
 */
export function assertNoReferenceToSkipped(plan: RunbookPlan, skipped: ReadonlySet<string>, flag: string): void {
  if (skipped.size === 0) return;
  const patterns = [...skipped].map((id) => ({
    id,
    re: new RegExp(`steps\\s*(?:\\[\\s*(['"\`])${escape(id)}\\1\\s*\\]${/^[A-Za-z_$][\w$]*$/.test(id) ? `|\\.\\s*${escape(id)}\\b` : ''})`),
  }));
  for (const step of plan.steps) {
    if (skipped.has(step.id)) continue;
    const sources = functionSources(step).join('\n');
    for (const p of patterns) {
      if (p.re.test(sources)) {
        throw new UsageError(`Step "${step.id}" reads the output of step "${p.id}", which ${flag} skips, so it would have nothing to read. Start earlier (--from ${p.id}), or resume the run that produced it with "runbook resume <run-id>".`);
      }
    }
  }
}

const STEP_REF = /\.steps\s*(?:\[\s*(['"`])([^'"`\n]+)\1\s*\]|\.\s*([A-Za-z_$][\w$]*))/g;

/**
 * The CLI does not type-check runbooks, so what `tsc` would reject is caught here before any step
 * runs (in every mode, so a dry-run cannot approve it): a step reading the output of a step that
 * does not exist, or of one that only runs after it.
 */
export function assertReferencesResolve(plan: RunbookPlan): void {
  const index = new Map(plan.steps.map((s, i) => [s.id, i] as const));
  for (const [i, step] of plan.steps.entries()) {
    for (const m of functionSources(step).join('\n').matchAll(STEP_REF)) {
      const id = m[2] ?? m[3];
      if (id === undefined) continue;
      const at = index.get(id);
      if (at === undefined) {
        throw new UsageError(`Step "${step.id}" of runbook "${plan.id}" reads c.steps['${id}'], but the runbook has no step "${id}". Its steps: ${[...index.keys()].join(', ')}.`);
      }
      if (at >= i) {
        throw new UsageError(`Step "${step.id}" of runbook "${plan.id}" reads the output of step "${id}", which ${at === i ? 'is the step itself' : 'runs after it'}. A step can only read steps before it.`);
      }
    }
  }
}
