import { parseFormat } from '../format.js';
import { analyseFile } from '../source/analyse.js';
import { planFormatters } from './index.js';

/** `runbook plan <file>`: the steps as written, never executed. */
export function runPlan(file: string, o: { format?: string }): number {
  const format = parseFormat('plan', o.format);
  process.stdout.write(planFormatters[format](analyseFile(file)));
  return 0;
}
