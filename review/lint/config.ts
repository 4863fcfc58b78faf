/**
 * Rule severities: `.runbooklintrc.json` ({ "rules": { "<id>": "off" | "warn" | "error" } }) or the
 * `"runbook": { "lint": { "rules": … } }` key of package.json, whichever is found first walking up
 * from the working directory (a .runbooklintrc.json beats a package.json in the same folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../interpreter/errors.js';
import { RULES } from './rules/index.js';
import { SEVERITIES, type Severity } from './types.js';

export interface LintConfig {
  readonly severities: Readonly<Record<string, Severity>>;
  /** Where the config came from, for messages. */
  readonly source: string | undefined;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`lint config ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`);
  }
}

function validate(raw: unknown, where: string): Record<string, Severity> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where}: "rules" must be an object of rule id → "off" | "warn" | "error".`);
  const out: Record<string, Severity> = {};
  for (const [id, sev] of Object.entries(raw)) {
    if (!RULES.some((r) => r.id === id)) throw new UsageError(`${where}: unknown lint rule "${id}". Rules: ${RULES.map((r) => r.id).join(', ')}.`);
    if (!SEVERITIES.includes(sev as Severity)) throw new UsageError(`${where}: rule "${id}" has severity ${JSON.stringify(sev)}; use "off", "warn" or "error".`);
    out[id] = sev as Severity;
  }
  return out;
}

function fromFile(file: string): LintConfig | undefined {
  if (file.endsWith('package.json')) {
    const pkg = readJson(file) as { runbook?: { lint?: { rules?: unknown } } } | null;
    const lint = pkg?.runbook?.lint;
    if (lint === undefined) return undefined;
    return { severities: validate(lint.rules, `${file} (runbook.lint.rules)`), source: file };
  }
  const rc = readJson(file) as { rules?: unknown } | null;
  if (typeof rc !== 'object' || rc === null) throw new UsageError(`${file}: expected { "rules": { "<rule-id>": "off" | "warn" | "error" } }.`);
  return { severities: validate(rc.rules, file), source: file };
}

export function loadLintConfig(explicit: string | undefined, startDir = process.cwd()): LintConfig {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new UsageError(`lint config not found: ${explicit}.`);
    return fromFile(explicit) ?? { severities: {}, source: explicit };
  }
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    for (const name of ['.runbooklintrc.json', 'package.json']) {
      const f = join(dir, name);
      if (existsSync(f)) {
        const c = fromFile(f);
        if (c) return c;
      }
    }
    if (dirname(dir) === dir) return { severities: {}, source: undefined };
  }
}

export function severityOf(config: LintConfig, id: string, dflt: Exclude<Severity, 'off'>): Severity {
  return config.severities[id] ?? dflt;
}
