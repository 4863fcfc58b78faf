import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'review');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A CLI run must end with a one-paragraph message: no stack trace, no internal error. */
export function noStack(stderr: string): void {
  if (/\n\s+at\s|internal error|Error:/.test(stderr)) throw new Error(`unexpected stack or internal error:\n${stderr}`);
}
