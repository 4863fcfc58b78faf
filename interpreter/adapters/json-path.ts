import { isDeepStrictEqual } from 'node:util';
import { expectedText, formatJsonPath, showJson as show } from '../../dsl/json-path.js';
import type { JsonPathExpectation, JsonPathSegment } from '../../dsl/nodes.js';

/**
 * Evaluates the JSON-path subset of `http` expectations (`$`, `.key`, `['key']`, `[index]`; parsed by
 * dsl/json-path.ts) and says exactly what differed: `$.status was "DOWN", expected "UP"`.
 */
export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly why: string };

export function lookup(json: unknown, segments: readonly JsonPathSegment[]): Lookup {
  let value = json;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as JsonPathSegment;
    const at = formatJsonPath(segments.slice(0, i));
    if (typeof seg === 'number') {
      if (!Array.isArray(value)) return { found: false, why: `${at} is ${kind(value)}, not an array` };
      if (seg >= value.length) return { found: false, why: `${at} has ${value.length} item${value.length === 1 ? '' : 's'}` };
      value = value[seg] as unknown;
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { found: false, why: `${at} is ${kind(value)}, not an object` };
      if (!Object.hasOwn(value, seg)) return { found: false, why: `${at} has no key ${JSON.stringify(seg)}` };
      value = (value as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value };
}

/** One line per expectation not met; empty when all hold. */
export function checkJsonPaths(json: unknown, paths: readonly JsonPathExpectation[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const want = expectedText(p);
    const got = lookup(json, p.segments);
    if (!got.found) {
      out.push(`${p.path} is missing (${got.why}), expected ${want}`);
      continue;
    }
    let ok: boolean;
    try {
      ok = holds(p, got.value);
    } catch (e) {
      out.push(`${p.path} was ${show(got.value)}; the check ${want} threw: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!ok) out.push(`${p.path} was ${show(got.value)}, expected ${want}`);
  }
  return out;
}

function holds(p: JsonPathExpectation, value: unknown): boolean {
  const e = p.expected;
  switch (e.type) {
    case 'value':
      return isDeepStrictEqual(value, e.value);
    case 'regexp':
      e.re.lastIndex = 0;
      return typeof value === 'string' && e.re.test(value);
    case 'fn':
      return e.fn(value) === true;
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v} (${show(v)})`;
}

