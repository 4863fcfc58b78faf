import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { LockHeldError } from '../errors.js';
import { processAlive } from './process-alive.js';

export interface LockHolder {
  readonly key: string;
  readonly runId: string;
  readonly operator: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

export interface Lock {
  readonly path: string;
  /** The holder whose lock was taken over because its process was gone. */
  readonly tookOverFrom: LockHolder | undefined;
  release(): void;
}

/**
 * One live run per procedure + target. The lock file is created atomically (link(2) of a fully
 * written temp file); a lock whose process is gone on this host is taken over, and the caller records it.
 */
export function acquireLock(dir: string, holder: LockHolder): Lock {
  mkdirSync(dir, { recursive: true });
  const safe = holder.key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const path = join(dir, `${safe}-${createHash('sha256').update(holder.key).digest('hex').slice(0, 8)}.lock`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder), { mode: 0o644 });
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        linkSync(tmp, path);
        return { path, tookOverFrom, release: () => release(path, holder.runId) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = readHolder(path);
      if (current === undefined) continue; // released meanwhile
      if (isAlive(current)) {
        throw new LockHeldError(
          `Another live run holds the lock "${holder.key}": run ${current.runId} by ${current.operator} on ${current.host} (pid ${current.pid}), started ${current.startedAt}. ` +
            `Wait for it to finish, or watch it with "runbook show ${current.runId}". If that process is truly gone on another host, remove ${path}.`,
        );
      }
      // Stale: move it aside; only one contender wins the rename.
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        unlinkSync(`${path}.stale-${process.pid}`);
        tookOverFrom = current;
      } catch {
        /* someone else took it over first; try again */
      }
    }
    throw new LockHeldError(`Could not take the lock "${holder.key}" at ${path}: another process keeps taking it. Try again.`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { key: '?', runId: '?', operator: '?', host: hostname(), pid: -1, startedAt: '?' };
  }
}

/** A holder on another host cannot be checked from here: it counts as alive. */
function isAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  return Number.isInteger(h.pid) && h.pid > 0 && processAlive(h.pid);
}

function release(path: string, runId: string): void {
  try {
    const h = readHolder(path);
    if (h?.runId === runId) unlinkSync(path);
  } catch {
    /* nothing to release */
  }
}
