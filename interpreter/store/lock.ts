import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { LockHeldError } from '../errors.js';
import { processAlive } from './process-alive.js';
import type { LeaseHolder, LeaseLoss } from './run-store.js';

/** The file store's lease holder: the same record every store keeps. */
export type LockHolder = LeaseHolder;

/** A lock file's content: the holder, its token (which process of it holds it), and how an unlock made it. */
export interface LockRecord extends LockHolder {
  readonly token?: string;
  readonly unlock?: { readonly by: string; readonly host: string; readonly reason: string; readonly at: string; readonly previous: LockRecord };
}

export interface Lock {
  readonly path: string;
  /** The holder whose lock was taken over because its process was gone. */
  readonly tookOverFrom: LockHolder | undefined;
  /** Renews the lock (its file's mtime is the heartbeat); says why it is no longer ours if so. */
  heartbeat(): LeaseLoss | undefined;
  release(): void;
}

/** The lock file of a key: readable name, plus a hash so distinct keys never share a file. */
export function lockPath(dir: string, key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return join(dir, `${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}.lock`);
}

/**
 * One live run per procedure + target. The lock file is created atomically (link(2) of a fully
 * written temp file); a lock whose holder is gone (its process, on this host; its heartbeat, from
 * another host) is taken over, and the caller records it.
 */
export function acquireLock(dir: string, holder: LockHolder, ttlMs = 30_000): Lock {
  mkdirSync(dir, { recursive: true });
  const path = lockPath(dir, holder.key);
  const token = randomBytes(8).toString('hex');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...holder, token }), { mode: 0o644 });
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        linkSync(tmp, path);
        return { path, tookOverFrom, release: () => release(path, token), heartbeat: () => heartbeat(path, holder.key, token) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = readLockFile(path);
      if (current === undefined) continue; // released meanwhile
      if (lockAlive(current, path, ttlMs)) {
        throw new LockHeldError(
          `Another live run holds the lock "${holder.key}": run ${current.runId} by ${current.operator} on ${current.host} (pid ${current.pid}), started ${current.startedAt}. ` +
            `Wait for it to finish, or watch it with "runbook watch ${current.runId}". If that process is truly gone, "runbook unlock ${holder.key} --reason TEXT" frees the lock (recorded in its journal).`,
        );
      }
      // Stale: move it aside; only one contender wins the rename.
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        unlinkSync(`${path}.stale-${process.pid}`);
        tookOverFrom = withoutToken(current);
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

function withoutToken(r: LockRecord): LockHolder {
  const { token: _t, unlock: _u, ...holder } = r;
  return holder;
}

export function readLockFile(path: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { key: '?', runId: '?', operator: '?', host: hostname(), pid: -1, startedAt: '?' };
  }
}

/** On this host: its process is alive. From another host (a shared lock dir): its heartbeat (the file's mtime) is recent. */
export function lockAlive(h: LockHolder, path: string, ttlMs: number): boolean {
  if (h.host !== hostname()) {
    try {
      return Date.now() - statSync(path).mtimeMs <= ttlMs;
    } catch {
      return false;
    }
  }
  return Number.isInteger(h.pid) && h.pid > 0 && processAlive(h.pid);
}

/** Every lock in the directory, with whether its holder may still be alive. */
export function listLocks(dir: string, ttlMs: number): { path: string; record: LockRecord; alive: boolean; heartbeatAt: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.lock')).flatMap((f) => {
    const path = join(dir, f);
    const record = readLockFile(path);
    if (record === undefined) return [];
    let heartbeatAt = '';
    try {
      heartbeatAt = statSync(path).mtime.toISOString();
    } catch {
      return [];
    }
    return [{ path, record, alive: lockAlive(record, path, ttlMs), heartbeatAt }];
  });
}

/**
 * `runbook unlock`: the lock is given to the unlocking process, atomically (rename over it), with who
 * and why, so its holder learns at its next heartbeat that it was unlocked, by whom and why.
 */
export function takeLockFrom(path: string, expected: LockRecord, by: LockHolder, reason: string): Lock | undefined {
  const current = readLockFile(path);
  if (current === undefined || current.token !== expected.token || current.runId !== expected.runId) return undefined;
  const token = randomBytes(8).toString('hex');
  const record: LockRecord = { ...by, token, unlock: { by: by.operator, host: by.host, reason, at: new Date().toISOString(), previous: current } };
  const tmp = `${path}.${process.pid}.unlock`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o644 });
  renameSync(tmp, path);
  return { path, tookOverFrom: undefined, release: () => release(path, token), heartbeat: () => heartbeat(path, by.key, token) };
}

function heartbeat(path: string, key: string, token: string): LeaseLoss | undefined {
  const r = readLockFile(path);
  if (r?.token === token) {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      /* gone between the read and the touch: the next heartbeat tells */
    }
    return undefined;
  }
  if (r === undefined) return { key };
  if (r.unlock?.previous.token === token) return { key, unlock: { by: r.unlock.by, host: r.unlock.host, reason: r.unlock.reason, at: r.unlock.at }, holder: withoutToken(r) };
  return { key, holder: withoutToken(r) };
}

function release(path: string, token: string): void {
  try {
    const h = readLockFile(path);
    if (h?.token === token) unlinkSync(path);
  } catch {
    /* nothing to release */
  }
}
