import { existsSync } from 'node:fs';
import { UsageError } from '../../interpreter/errors.js';
import { parseFormat } from '../format.js';
import { expandPaths } from '../source/files.js';
import { loadLintConfig } from './config.js';
import { lintFormatters, rulesHelp } from './format.js';
import { lintFiles } from './lint.js';

/** `runbook lint [paths…]`: exit 1 when any finding is an error. */
export function runLint(paths: readonly string[], o: { format?: string; config?: string; rules?: boolean }): number {
  const format = parseFormat('lint', o.format);
  if (o.rules) {
    process.stdout.write(rulesHelp());
    return 0;
  }
  const config = loadLintConfig(o.config);
  const given = paths.length ? paths : [existsSync('runbooks') ? 'runbooks' : '.'];
  const { explicit, found } = expandPaths(given);
  const run = lintFiles(explicit, found, config);
  if (run.results.length === 0) {
    throw new UsageError(`lint: no runbooks in ${given.join(', ')} (a runbook module default-exports runbook('id', { title })…). Give the files or folder that hold them.`);
  }
  process.stdout.write(lintFormatters[format](run));
  return run.results.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
