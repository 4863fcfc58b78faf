import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRun, listRunIds } from '../../cli/run-lookup.js';
import { readHistory, type StepHistory } from '../../cli/step-history.js';
import { sleep } from '../../engine/sleep.js';
import { UsageError } from '../../errors.js';
import type { EventBody, JournalEvent } from '../../events.js';
import { journalLines, readJournal } from '../journal-reader.js';
import { JournalWriter } from '../journal-writer.js';
import { acquireLock, listLocks, lockAlive, lockPath, readLockFile, takeLockFrom, type Lock } from '../lock.js';
import { lockDir } from '../lock-dir.js';
import { leaseTiming, pollMs } from '../lease-timing.js';
import type { StorePaths } from '../paths.js';
import type { Actor, JournalSink, Lease, LeaseHolder, LeaseInfo, RawJournal, ReadJournal, RunStore, UnlockResult, Vote } from '../run-store.js';
import { FileTail } from './file-follow.js';
import { readVotes, writeVote } from './file-votes.js';

/**
 * The embedded store: NDJSON journals under `.runbook/runs/` (or `--store DIR`); leases are the
 * host-wide lock files of lock.ts (one live run per procedure + target across every process on this
 * host); four-eyes votes are small files the run polls for.
 */
export class FileStore implements RunStore {
  readonly kind = 'file' as const;
  readonly label: string;
  readonly reportsDir: string;
  constructor(readonly paths: StorePaths, readonly flag: string | undefined, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.label = paths.root;
    this.reportsDir = join(paths.root, 'reports');
  }

  async listRuns(): Promise<string[]> {
    return listRunIds(this.paths);
  }

  async findRun(arg: string): Promise<string> {
    return findRun(this.paths, arg);
  }

  async readRun(runId: string): Promise<ReadJournal> {
    return readJournal(this.paths.journal(runId));
  }

  async rawRun(runId: string): Promise<RawJournal> {
    const { lines, endsClean } = journalLines(this.paths.journal(runId));
    // The torn last line (a crash mid-write) is not an event: dropped, and said.
    const tornTail = !endsClean && lines.length > 0 && lines.at(-1) !== '';
    if (!endsClean) lines.pop();
    return { lines, tornTail };
  }

  async openJournal(runId: string): Promise<JournalSink> {
    return new JournalWriter(this.paths.journal(runId));
  }

  async appendEvents(runId: string, events: readonly EventBody[]): Promise<void> {
    const { events: before } = await this.readRun(runId);
    let seq = before.at(-1)?.seq ?? 0;
    const w = new JournalWriter(this.paths.journal(runId));
    try {
      for (const e of events) w.write({ ...e, seq: ++seq, t: new Date().toISOString() } as JournalEvent);
    } finally {
      w.closeSync();
    }
  }

  async follow(runId: string, afterSeq: number, onEvent: (e: JournalEvent) => void, signal: AbortSignal): Promise<void> {
    const tail = new FileTail(this.paths.journal(runId));
    while (!signal.aborted) {
      let last: JournalEvent | undefined;
      for (const e of tail.read()) {
        if (e.seq <= afterSeq) continue;
        onEvent(e);
        last = e;
      }
      // The end of the run as far as written (a resumed run has a run-finished per session: go on past those).
      if (last?.type === 'run-finished') return;
      await this.changed(runId, pollMs(this.env), signal);
    }
  }

  async history(runbookId: string, exclude: string): Promise<StepHistory> {
    return readHistory(this.paths, runbookId, exclude);
  }

  async acquireLease(holder: LeaseHolder): Promise<Lease> {
    const { ttlMs } = leaseTiming(this.env);
    return asLease(holder.key, acquireLock(lockDir(this.env), holder, ttlMs));
  }

  async readLease(key: string): Promise<LeaseInfo | undefined> {
    const path = lockPath(lockDir(this.env), key);
    const record = readLockFile(path);
    if (record === undefined) return undefined;
    const { token: _t, unlock: _u, ...holder } = record;
    return { holder, maybeAlive: lockAlive(record, path, leaseTiming(this.env).ttlMs) };
  }

  async listLeases(): Promise<LeaseInfo[]> {
    return listLocks(lockDir(this.env), leaseTiming(this.env).ttlMs).map(({ record, alive, heartbeatAt }) => {
      const { token: _t, unlock: _u, ...holder } = record;
      return { holder, maybeAlive: alive, heartbeatAt };
    });
  }

  async unlock(key: string, by: Actor, reason: string): Promise<UnlockResult | undefined> {
    const dir = lockDir(this.env);
    const path = lockPath(dir, key);
    for (let tries = 0; tries < 3; tries++) {
      const record = readLockFile(path);
      if (record === undefined) return undefined;
      const maybeAlive = lockAlive(record, path, leaseTiming(this.env).ttlMs);
      const mine: LeaseHolder = { key, runId: record.runId, operator: by.operator, host: by.host, pid: by.pid, startedAt: new Date().toISOString() };
      const lock = takeLockFrom(path, record, mine, reason);
      if (lock === undefined) continue; // changed hands meanwhile: look again
      const { token: _t, unlock: _u, ...holder } = record;
      return { holder, maybeAlive, release: () => Promise.resolve(lock.release()) };
    }
    throw new UsageError(`The lock "${key}" keeps changing hands; try "runbook unlock" again.`);
  }

  async castVote(vote: Vote): Promise<void> {
    writeVote(this.paths.root, vote);
  }

  async votes(runId: string, requestId: string): Promise<Vote[]> {
    return readVotes(this.paths.root, runId, requestId);
  }

  /** Files have no notification that works everywhere: poll (every RUNBOOK_POLL_MS, 150 ms by default). */
  changed(_runId: string, ms: number, signal: AbortSignal): Promise<void> {
    return sleep(Math.min(ms, pollMs(this.env)), signal);
  }

  /** Whether a run's journal exists here. */
  has(runId: string): boolean {
    return existsSync(this.paths.journal(runId));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function asLease(key: string, lock: Lock): Lease {
  return {
    key,
    tookOverFrom: lock.tookOverFrom,
    heartbeat: () => Promise.resolve(lock.heartbeat()),
    release: () => Promise.resolve(lock.release()),
  };
}
