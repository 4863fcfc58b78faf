import { RunbookDefinitionError } from './ids.js';
import type { JsonPathExpectation, JsonPathSegment } from './nodes.js';

/**
 * The small JSON-path subset `http` expectations use: `$` (the whole body), `.key`, `['key']` /
 * `["key"]` (any key, quotes escaped with a backslash) and `[index]` (an array index ≥ 0), chained:
 * `$.checks[0].ok`, `$['x-status'].db`. No wildcards, filters or recursive descent.
 * Parsed when the runbook is built, so a typo is a definition error, not a failed check at 3 a.m.
 */
export function parseJsonPath(path: string, where: string): readonly JsonPathSegment[] {
  const fail = (why: string): never => {
    throw new RunbookDefinitionError(
      `${where}: JSON path ${JSON.stringify(path)} ${why}. Paths start at $ and chain .key, ['key'] or [index], e.g. "$.checks[0].ok".`,
    );
  };
  if (typeof path !== 'string' || !path.startsWith('$')) return fail('must start with $');
  const out: JsonPathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      const m = /^[^.[\]'"\s]+/.exec(path.slice(i + 1));
      if (!m) return fail(`has an empty or invalid key after "." at position ${i}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (ch === '[') {
      const rest = path.slice(i + 1);
      const index = /^(\d+)\]/.exec(rest);
      if (index) {
        out.push(Number(index[1]));
        i += 1 + index[0].length;
        continue;
      }
      const quote = rest[0];
      if (quote !== "'" && quote !== '"') return fail(`has "[" at position ${i} not followed by an index or a quoted key`);
      let key = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== quote; j++) {
        if (rest[j] === '\\' && j + 1 < rest.length) j++;
        key += rest[j];
      }
      if (rest[j] !== quote || rest[j + 1] !== ']') return fail(`has an unterminated [${quote}…${quote}] at position ${i}`);
      out.push(key);
      i += 1 + j + 2;
    } else {
      return fail(`has an unexpected ${JSON.stringify(ch)} at position ${i}`);
    }
  }
  return Object.freeze(out);
}

/** Writes segments back as a path: `$.checks[0].ok`, `$['x-status']`. */
export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  return `$${segments.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('')}`;
}

/** How an expectation reads: `"UP"`, `a string matching /^2\./`, `to satisfy (v) => v < 100`. */
export function expectedText(p: JsonPathExpectation): string {
  const e = p.expected;
  if (e.type === 'value') return showJson(e.value);
  if (e.type === 'regexp') return `a string matching ${String(e.re)}`;
  return `to satisfy ${clip(e.fn.toString().replace(/\s+/g, ' '), 80)}`;
}

/** A JSON value, short: `"DOWN"`, `true`, `{"a":1}`. */
export function showJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  return clip(JSON.stringify(v) ?? String(v), 80);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
