import { accessSync, constants } from 'node:fs';

export interface Requirement {
  /** What the suite needs, e.g. "PostgreSQL 15 server". */
  readonly what: string;
  /** Executables, any of which satisfies the need. */
  readonly paths: readonly string[];
  /** The command that installs it on Debian. */
  readonly install: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For suites that need a server binary. Missing on a developer machine: the suite is skipped, and
 * said so loudly with the install command. Under CI (`RUNBOOK_REQUIRE_ALL=1`, set by .ci/run) a
 * missing binary is an error: nothing may be skipped there.
 */
export function requires(r: Requirement, env: NodeJS.ProcessEnv = process.env): boolean {
  if (r.paths.some(executable)) return true;
  const message = `${r.what} not found (looked for ${r.paths.join(', ')}). Install it with: ${r.install}`;
  if (env['RUNBOOK_REQUIRE_ALL'] === '1') throw new Error(`RUNBOOK_REQUIRE_ALL=1 and a suite cannot run: ${message}`);
  process.stderr.write(`\n\x1b[33m!!! SKIPPED SUITE: ${message}\x1b[0m\n\n`);
  return false;
}
