import { isPlaceholder } from './placeholder.js';
import type { StepOutput, StepStatus } from '../../dsl/context.js';

/** The frozen `c.steps[id]` object; exec results also expose stdout, stderr and exitCode at the top. */
export function stepOutput(status: StepStatus, durationMs: number, value: unknown, result: unknown): StepOutput<unknown, unknown> {
  const out: Record<string, unknown> = { status, ok: status === 'ok' || status === 'done-by-hand', durationMs, value, result };
  if (isExecResult(result)) {
    out['stdout'] = result.stdout;
    out['stderr'] = result.stderr;
    out['exitCode'] = result.exitCode;
  }
  return Object.freeze(out) as StepOutput<unknown, unknown>;
}

function isExecResult(r: unknown): r is { stdout: string; stderr: string; exitCode: number | null } {
  return typeof r === 'object' && r !== null && 'stdout' in r && 'exitCode' in r && 'command' in r;
}

const TEXT_LIMIT = 64 * 1024;

/** A JSON-safe copy for the journal: long strings keep their tail, functions and cycles are dropped. */
export function journalSafe(v: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (x: unknown, depth: number): unknown => {
    if (typeof x === 'string') return x.length > TEXT_LIMIT ? `…${x.slice(x.length - TEXT_LIMIT)}` : x;
    if (typeof x === 'bigint') return x.toString();
    // A placeholder (dry-run, simulation) keeps its text, so a resumed run reads `<steps.x.value>` again.
    if (isPlaceholder(x)) return String(x);
    if (typeof x === 'function' || typeof x === 'symbol' || x === undefined) return undefined;
    if (x === null || typeof x !== 'object') return typeof x === 'number' && !Number.isFinite(x) ? String(x) : x;
    if (seen.has(x) || depth > 40) return '[circular]';
    seen.add(x);
    if (x instanceof Date) return x.toISOString();
    if (x instanceof Map) return Object.fromEntries([...x].map(([k, y]) => [String(k), walk(y, depth + 1)]));
    if (x instanceof Set || Array.isArray(x)) return [...x].map((y) => walk(y, depth + 1) ?? null);
    if (x instanceof RegExp) return String(x);
    const out: Record<string, unknown> = {};
    for (const [k, y] of Object.entries(x)) {
      const w = walk(y, depth + 1);
      if (w !== undefined) out[k] = w;
    }
    return out;
  };
  return walk(v, 0);
}
