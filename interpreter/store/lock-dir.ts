import { chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where live-run locks live: one directory for the whole host (not inside a store), so two runs of
 * the same procedure are kept apart even when started from different working directories or with
 * different --store folders. `RUNBOOK_LOCK_DIR` overrides it (tests give each test file its own).
 */
export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['RUNBOOK_LOCK_DIR'];
  if (configured) return configured;
  const dir = join(tmpdir(), 'runbook-locks');
  mkdirSync(dir, { recursive: true });
  try {
    chmodSync(dir, 0o1777); // shared by every user on the host, like /tmp itself
  } catch {
    /* created by another user: already shared */
  }
  return dir;
}
