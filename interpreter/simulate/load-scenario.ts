import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { isScenario } from '../../dsl/scenario.js';
import { UsageError } from '../errors.js';
import { importModule } from '../loader/load-runbook.js';
import { DEFAULT_SCENARIO, type ScenarioModel } from './scenario-model.js';
import { validateScenario } from './validate-scenario.js';

const CODE = new Set(['.ts', '.mts', '.js', '.mjs']);
const DATA = new Set(['.yaml', '.yml', '.json']);

/**
 * `--simulate [scenario]`: no file is the default scenario (every step succeeds); a `.ts` module
 * exports `scenario(runbook, { … })`; a `.yaml` / `.json` file is the same data without functions.
 */
export async function loadScenario(arg: string | undefined, plan: RunbookPlan): Promise<ScenarioModel> {
  if (arg === undefined) return DEFAULT_SCENARIO;
  const file = resolve(arg);
  const ext = extname(file).toLowerCase();
  const defaultName = basename(file, ext);
  if (!CODE.has(ext) && !DATA.has(ext)) {
    throw new UsageError(`Scenario ${arg}: unknown kind of file "${ext || '(no extension)'}". A scenario is a TypeScript module (.ts) exporting scenario(runbook, { … }), or a .yaml / .json file.`);
  }
  if (CODE.has(ext)) {
    const { mod } = await importModule(arg, 'Scenario');
    if (!isScenario(mod.default)) {
      throw new UsageError(`Scenario ${arg}: its default export is not a scenario. End the module with \`export default scenario(myRunbook, { name: …, steps: { … } })\` (import scenario from 'runbook').`);
    }
    if (mod.default.runbookId !== plan.id) {
      throw new UsageError(`Scenario ${arg} is written for runbook "${mod.default.runbookId}", but the runbook given is "${plan.id}". Run it with its own runbook.`);
    }
    return { ...validateScenario(mod.default.spec, plan, arg, true, defaultName), file };
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    const where = isAbsolute(arg) ? '' : ` (it is relative to ${process.cwd()})`;
    throw new UsageError(`Scenario file not found: ${arg}. Check the path${where}.`);
  }
  const raw = await parseData(readFileSync(file, 'utf8'), arg, ext);
  return { ...validateScenario(raw, plan, arg, false, defaultName), file };
}

async function parseData(text: string, arg: string, ext: string): Promise<unknown> {
  if (ext === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new UsageError(`Scenario ${arg} is not valid JSON: ${e instanceof Error ? e.message : String(e)}. Fix the file (or write it as YAML).`);
    }
  }
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const at = err.linePos?.[0];
    const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]$/, '');
    throw new UsageError(`Scenario ${arg} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${what}. Fix the file.`);
  }
  return doc.toJS() as unknown;
}
