import { RunbookDefinitionError } from './ids.js';

/** A duration as written in a runbook: milliseconds, or a string like `500ms`, `30s`, `5m`, `1h30m`. */
export type Duration =
  | number
  | `${number}${DurationUnit}`
  | `${number}h${number}m`
  | `${number}m${number}s`
  | `${number}h${number}m${number}s`;
type DurationUnit = 'ms' | 's' | 'm' | 'h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Parses a duration; throws a readable error naming `what` when it is not one. */
export function parseDuration(input: Duration | string, what: string): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new RunbookDefinitionError(`${what}: ${input} is not a duration. Use milliseconds (a number ≥ 0) or a string like "30s", "5m", "1h30m".`);
  }
  if (typeof input !== 'string') {
    throw new RunbookDefinitionError(`${what}: ${describe(input)} is not a duration. Use milliseconds (a number ≥ 0) or a string like "30s", "5m", "1h30m".`);
  }
  const text = input.trim();
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    consumed = PART.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new RunbookDefinitionError(`${what}: "${input}" is not a duration. Write it like "500ms", "30s", "5m" or "1h30m".`);
  }
  return total;
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(ms < 9_995 ? 2 : 1)}s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m${String(totalS % 60).padStart(2, '0')}s`;
  const totalM = Math.floor(totalS / 60);
  return `${Math.floor(totalM / 60)}h${String(totalM % 60).padStart(2, '0')}m`;
}

/** Formats a duration as a runbook author writes one: `500ms`, `30s`, `5m`, `1h30m`, `2m30s`. */
export function formatSpec(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
  const units: [string, number][] = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${u}`;
    rest -= n * size;
  }
  return out;
}
