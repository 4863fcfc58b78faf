import { isDeepStrictEqual } from 'node:util';
import type { RuntimeCtx, StepNode } from '../../dsl/nodes.js';
import type { ActionOutcome } from '../modes/types.js';

export interface Judged {
  readonly passed: boolean;
  readonly value: unknown;
  readonly error: string | undefined;
}

/** parse → value; `expect` (when given) alone decides success, so "the primary is down" can pass a check. */
export function judge(step: StepNode, o: ActionOutcome, c: RuntimeCtx): Judged {
  const { parse, expect } = step.options;
  let value: unknown = o.result;
  if (parse) {
    try {
      value = parse(o.text, o.result);
    } catch (e) {
      return { passed: false, value: undefined, error: `parse failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  if (expect === undefined) return { passed: o.ok, value, error: o.ok ? undefined : (o.error ?? 'failed') };
  let passed: boolean;
  try {
    switch (expect.type) {
      case 'fn':
        passed = expect.fn(value, c) === true;
        break;
      case 'regexp':
        expect.re.lastIndex = 0;
        passed = expect.re.test(o.text);
        break;
      case 'value':
        passed = isDeepStrictEqual(value, expect.value);
        break;
    }
  } catch (e) {
    return { passed: false, value, error: `expect threw: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (passed) return { passed, value, error: undefined };
  const why = o.error ? ` (${o.error})` : '';
  return { passed, value, error: `expectation not met: ${describeExpect(step)}; got ${preview(value, o.text)}${why}` };
}

function describeExpect(step: StepNode): string {
  const e = step.options.expect;
  if (!e) return '';
  if (e.type === 'regexp') return `output matches ${String(e.re)}`;
  if (e.type === 'value') return `value equals ${JSON.stringify(e.value)}`;
  return compact(e.fn.toString());
}

function preview(value: unknown, text: string): string {
  if (typeof value === 'object' && value !== null && 'stdout' in value) return JSON.stringify(compact(text).slice(0, 120));
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return compact(s).slice(0, 160);
}

function compact(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
