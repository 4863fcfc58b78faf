import type { Mode } from '../dsl/context.js';
import type { ParamSpec } from '../dsl/params.js';
import { UsageError } from './errors.js';
import { REDACTED } from './redact.js';

export interface ResolvedParams {
  readonly values: Readonly<Record<string, unknown>>;
  /** Secret values, for the redactor. */
  readonly secrets: readonly string[];
  /** What the journal and reports may show: secrets replaced. */
  readonly display: Readonly<Record<string, unknown>>;
}

/** Parses repeated `-p key=value` flags. */
export function parseParamFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p ${JSON.stringify(f)}: params are given as -p key=value (for example -p standby=db2.example.com).`);
    const key = f.slice(0, eq);
    if (key in out) throw new UsageError(`-p ${key} is given twice; give each param once.`);
    out[key] = f.slice(eq + 1);
  }
  return out;
}

/**
 * Validates params before any step runs: unknown keys, wrong types and missing required values are
 * errors naming the param. In dry-run a missing secret becomes a placeholder so reviewers need none.
 */
export function resolveParams(
  runbookId: string,
  specs: Readonly<Record<string, ParamSpec>>,
  given: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
  mode: Mode,
  restored: Readonly<Record<string, unknown>> = {},
): ResolvedParams {
  const known = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (!(key in specs)) {
      const hint = known.length ? `It takes: ${known.join(', ')}.` : 'It takes no params.';
      throw new UsageError(`Unknown param "${key}" for runbook "${runbookId}". ${hint}`);
    }
  }
  const values: Record<string, unknown> = {};
  const display: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    let raw: string | undefined = given[name];
    let source = `-p ${name}`;
    if (raw === undefined && spec.env !== undefined && env[spec.env] !== undefined) {
      raw = env[spec.env];
      source = `environment variable ${spec.env}`;
    }
    let value: unknown;
    if (raw !== undefined) value = coerce(runbookId, name, spec, raw, source);
    else if (spec.type !== 'secret' && name in restored) value = restored[name];
    else if (spec.type !== 'secret' && spec.default !== undefined) value = spec.default;
    else if (spec.optional === true) value = undefined;
    else if (spec.type === 'secret' && (mode === 'dry-run' || mode === 'simulate')) value = `<secret:${name}>`;
    else {
      const how = spec.env ? `-p ${name}=… or set ${spec.env}` : `-p ${name}=…`;
      const what = spec.description ? ` (${spec.description})` : '';
      throw new UsageError(`Missing required param "${name}"${what} for runbook "${runbookId}": give it with ${how}.`);
    }
    values[name] = value;
    if (spec.type === 'secret') {
      if (typeof value === 'string' && !value.startsWith('<secret:')) secrets.push(value);
      // A dry-run or simulation without the secret shows that it is not set, not a mask that suggests a value.
      if (value !== undefined) display[name] = typeof value === 'string' && value.startsWith('<secret:') ? '<not set>' : REDACTED;
    } else if (value !== undefined) display[name] = value;
  }
  return { values: Object.freeze(values), secrets, display };
}

function coerce(runbookId: string, name: string, spec: ParamSpec, raw: string, source: string): unknown {
  // An empty value is a slip (`-p standby=`, an exported but empty variable), not a host called '':
  // only a param whose declared default is '' may be given as ''.
  if (raw.trim() === '' && spec.type !== 'boolean' && !(raw === '' && 'default' in spec && spec.default === '')) {
    const fallback = spec.optional === true || ('default' in spec && spec.default !== undefined);
    const unset = source.startsWith('environment') && fallback ? ` or unset ${String(spec.env)}` : '';
    throw new UsageError(`Param "${name}" of runbook "${runbookId}" is empty (from ${source}); give a value${unset}.`);
  }
  const bad = (expected: string): never => {
    const shown = spec.type === 'secret' ? '' : ` ${JSON.stringify(raw)}`;
    throw new UsageError(`Param "${name}" of runbook "${runbookId}" must be ${expected}; ${source} gave${shown || ' a value that is not'}.`);
  };
  switch (spec.type) {
    case 'string':
    case 'secret':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) bad('a number');
      return n;
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(v)) return true;
      if (['false', 'no', '0', 'off'].includes(v)) return false;
      return bad('true or false');
    }
    case 'enum':
      if (!spec.values.includes(raw)) bad(`one of ${spec.values.join(', ')}`);
      return raw;
  }
}
