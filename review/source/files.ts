/** Which files a review command reads when given folders. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../../interpreter/errors.js';

const SOURCE = /\.(ts|mts|cts|js|mjs)$/;

export function isCandidate(name: string): boolean {
  return SOURCE.test(name) && !name.endsWith('.d.ts') && !/\.(test|spec|scenario)\./.test(name);
}

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > 6) return;
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, depth + 1, out);
    else if (isCandidate(name)) out.push(p);
  }
}

export interface Expanded {
  /** Files named on the command line: each must be a runbook. */
  readonly explicit: readonly string[];
  /** Files found in folders: the ones that are not runbooks are skipped. */
  readonly found: readonly string[];
}

export function expandPaths(paths: readonly string[]): Expanded {
  const explicit: string[] = [];
  const found: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) {
      const where = isAbsolute(p) ? '' : ` (it is relative to ${process.cwd()})`;
      throw new UsageError(`Not found: ${p}. Check the path${where}.`);
    }
    if (statSync(p).isDirectory()) walk(p, 0, found);
    else explicit.push(p);
  }
  return { explicit, found };
}
