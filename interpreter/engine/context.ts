import type { Mode, RunInfo, StepOutput } from '../../dsl/context.js';
import type { LazyValue, RuntimeCtx } from '../../dsl/nodes.js';
import { placeholder } from './placeholder.js';

export type Outputs = Map<string, StepOutput<unknown, unknown>>;

/**
 * The `c` that lazy values receive. Known outputs are real; in dry-run and probe, outputs a step
 * did not produce are placeholders; in a live run, reading an output that does not exist is an error.
 */
export function makeContext(params: Readonly<Record<string, unknown>>, outputs: Outputs, run: RunInfo, mode: Mode): RuntimeCtx {
  const steps = new Proxy({} as Record<string, StepOutput<unknown, unknown>>, {
    get(_t, prop) {
      if (typeof prop !== 'string') return undefined;
      const out = outputs.get(prop);
      if (out?.status === 'skipped' && mode === 'live') return skippedOutput(prop, out);
      if (out !== undefined && out.status !== 'planned') return out;
      if (mode === 'dry-run' || mode === 'probe' || out?.status === 'planned') return placeholder(`steps.${prop}`);
      throw new ReferenceError(`step "${prop}" has no output in this run: it has not run yet, or there is no such step.`);
    },
    has(_t, prop) {
      return typeof prop === 'string' && outputs.has(prop);
    },
    ownKeys() {
      return [...outputs.keys()];
    },
    getOwnPropertyDescriptor(_t, prop) {
      return typeof prop === 'string' && outputs.has(prop) ? { enumerable: true, configurable: true, value: outputs.get(prop) } : undefined;
    },
  });
  return Object.freeze({ params, steps, run });
}

const STATUS_FIELDS = new Set(['status', 'ok', 'durationMs']);

/**
 * A skipped step (by the operator, `when`, or --from/--only) tells its status, but its output is not
 * there to use: a later step reading it fails with the reason instead of using a stale or half value.
 */
function skippedOutput(id: string, out: StepOutput<unknown, unknown>): StepOutput<unknown, unknown> {
  return new Proxy(out, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string' || STATUS_FIELDS.has(prop)) return Reflect.get(target, prop, receiver) as unknown;
      throw new ReferenceError(`step "${id}" was skipped, so its ${prop} is not available. Run it (resume, or start earlier with --from ${id}), or make this step handle c.steps['${id}'].status === 'skipped'.`);
    },
  });
}

/** Evaluates a lazy value; errors name what was being computed. */
export function resolve(v: LazyValue, c: RuntimeCtx, what: string): unknown {
  if (!v.lazy) return v.value;
  try {
    return v.fn(c);
  } catch (e) {
    throw new LazyValueError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export class LazyValueError extends Error {
  override readonly name = 'LazyValueError';
}

export type { RunInfo };
