import { isDeepStrictEqual } from 'node:util';
import type { RuntimeCtx, StepNode } from '../../dsl/nodes.js';
import type { ActionOutcome } from '../modes/types.js';

export interface Judged {
  readonly passed: boolean;
  readonly value: unknown;
  readonly error: string | undefined;
}

/**
 * Success: the action's own (exit code 0, 2xx, no throw), then `parse` and `expect`. Only a predicate
 * `expect` over the raw result (no `parse`) decides alone: it sees exitCode / error / timedOut, so
 * "the primary is down" can be an ordinary passing check. A RegExp, a value, or anything after `parse`
 * never turns a failed command or a timeout into success (a failed `cat lag` must not read as lag 0).
 */
export function judge(step: StepNode, o: ActionOutcome, c: RuntimeCtx): Judged {
  if (o.decided) return { passed: o.ok, value: o.decided.value, error: o.ok ? undefined : (o.error ?? 'failed') };
  const { parse, expect } = step.options;
  let value: unknown = o.result;
  const decidesAlone = expect?.type === 'fn' && parse === undefined;
  if (!o.ok && !decidesAlone) return { passed: false, value, error: o.error ?? 'failed' };
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
  const got = preview(value, o.text);
  return { passed, value, error: `expectation not met: ${describeExpect(step)}; got ${got}${context(o.error, got)}` };
}

/** The action's error after the preview, without repeating it: `(GET http://…)` rather than `(GET http://…: ECONNREFUSED …)`. */
function context(error: string | undefined, got: string): string {
  if (!error) return '';
  return ` (${error.endsWith(`: ${got}`) ? error.slice(0, -got.length - 2) : error})`;
}

function describeExpect(step: StepNode): string {
  const e = step.options.expect;
  if (!e) return '';
  if (e.type === 'regexp') return `output matches ${String(e.re)}`;
  if (e.type === 'value') return `value equals ${JSON.stringify(e.value)}`;
  return compact(e.fn.toString());
}

/**
 * What the step got, short and readable: an HTTP result by its status or transport error, a command by
 * its output and exit code, anything else as compact JSON cut at a word boundary with an explicit `…`.
 */
export function preview(value: unknown, text: string): string {
  if (typeof value === 'object' && value !== null) {
    const r = value as Record<string, unknown>;
    if ('status' in r && ('method' in r || 'url' in r)) {
      const e = r['error'] as { code?: unknown; message?: unknown } | undefined;
      if (e && typeof e === 'object') return clip(compact(`${String(e.code ?? 'error')} ${String(e.message ?? '')}`), 120);
      return `status ${String(r['status'])}`;
    }
    if ('rows' in r && 'sql' in r) {
      // a pg result: its error, else a helper's value, else the rows
      const e = r['error'] as { code?: unknown; message?: unknown } | undefined;
      if (e && typeof e === 'object') return clip(compact(`${String(e.code ?? 'error')} ${String(e.message ?? '')}`), 120);
      return clip(compact(JSON.stringify('value' in r ? r['value'] : r['rows']) ?? ''), 160);
    }
    if ('stdout' in r && 'exitCode' in r) {
      const out = JSON.stringify(clip(compact(typeof r['stdout'] === 'string' ? r['stdout'] : text), 80));
      const code = r['exitCode'];
      const how = typeof code === 'number' ? `exit code ${code}` : typeof r['signal'] === 'string' ? `killed by ${r['signal']}` : 'no exit code';
      return `${out} (${how})`;
    }
  }
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return clip(compact(s), 160);
}

/** Cut at the last word boundary (space, comma, colon) before `max`, else between characters, saying so with `…`. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '');
  const cut = Math.max(head.lastIndexOf(' '), head.lastIndexOf(','), head.lastIndexOf(':'));
  return `${(cut > max / 2 ? head.slice(0, cut + 1) : head).trimEnd()}…`;
}

function compact(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
