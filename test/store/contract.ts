// The run store contract, one suite run against every store (file-store.test.ts, pg-store.test.ts):
// journals (append, read back, continue a chain on resume, append for a run without a writer),
// listing and lookup, follow, leases (one holder, heartbeat, release, takeover after the holder died,
// unlock seen by the holder), four-eyes votes, history, and the tamper-evident chain.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { LockHeldError, UsageError } from '../../interpreter/errors.js';
import { JOURNAL_VERSION, type EventBody, type JournalEvent } from '../../interpreter/events.js';
import type { RunStore, Vote } from '../../interpreter/store/run-store.js';
import { verifyChain } from '../../interpreter/store/verify-chain.js';

export interface ContractStore {
  readonly store: RunStore;
  cleanup(): Promise<void>;
}

/** Opens a fresh, empty store; its leases expire `ttlMs` after the last heartbeat. */
export type OpenStore = (o: { ttlMs: number; heartbeatMs: number }) => Promise<ContractStore>;

let runCounter = 0;
/** Sortable ids, distinct per call, as newRunId makes them. */
function runId(second = 0): string {
  runCounter++;
  return `20261123-1200${String(second).padStart(2, '0')}-${runCounter.toString(16).padStart(4, '0')}`;
}

function header(id: string, t: string, o: { runbookId?: string; mode?: 'live' | 'dry-run'; v?: number } = {}): EventBody {
  return {
    type: 'run-started', v: o.v ?? JOURNAL_VERSION, runId: id, runbookId: o.runbookId ?? 'contract', title: 'Contract', file: 'contract.ts', sourceHash: 'h',
    fingerprints: { a: '1', b: '2' }, steps: [{ id: 'a', kind: 'exec', title: 'A', phase: null }, { id: 'b', kind: 'exec', title: 'B', phase: null }],
    params: {}, secretParams: [], operator: 'alice', host: hostname(), pid: process.pid, mode: o.mode ?? 'live', rtoMs: null, lockKey: null, from: null, only: null,
  };
}

const stamp = (body: EventBody, seq: number, t = new Date()): JournalEvent => ({ ...body, seq, t: t.toISOString() }) as JournalEvent;

/** Writes a whole run (header, two steps, the end) through the store's journal. */
async function writeRun(store: RunStore, id: string, o: { startedAt?: Date; runbookId?: string; finish?: boolean; durations?: [number, number]; output?: string } = {}): Promise<JournalEvent[]> {
  const j = await store.openJournal(id);
  const t0 = o.startedAt ?? new Date();
  const [da, db] = o.durations ?? [10, 20];
  const bodies: EventBody[] = [
    header(id, t0.toISOString(), o.runbookId === undefined ? {} : { runbookId: o.runbookId }),
    { type: 'step-started', stepId: 'a', kind: 'exec', title: 'A', phase: null, attempt: 1, action: { text: 'echo a', effect: 'mutating' } },
    { type: 'output', stepId: 'a', stream: 'stdout', text: o.output ?? 'hello "quoted" ünïcode\t\\ \u0001 end' },
    { type: 'step-finished', stepId: 'a', status: 'ok', durationMs: da, attempts: 1, value: { n: 1, s: 'x' } },
    { type: 'step-started', stepId: 'b', kind: 'exec', title: 'B', phase: null, attempt: 1, action: null },
    { type: 'step-finished', stepId: 'b', status: 'ok', durationMs: db, attempts: 1 },
  ];
  if (o.finish !== false) bodies.push({ type: 'run-finished', status: 'done', durationMs: 40, exitCode: 0 });
  const written = bodies.map((b, i) => stamp(b, i + 1, new Date(t0.getTime() + i)));
  for (const e of written) j.write(e);
  await j.close();
  return written;
}

const strip = (e: JournalEvent): unknown => {
  const { prev: _p, h: _h, ...rest } = e;
  return rest;
};

/** A pid that surely belongs to no process any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function storeContract(open: OpenStore): void {
  const withStore = async (f: (s: RunStore) => Promise<void>, timing = { ttlMs: 60_000, heartbeatMs: 1000 }): Promise<void> => {
    const c = await open(timing);
    try {
      await f(c.store);
    } finally {
      await c.store.close();
      await c.cleanup();
    }
  };

  it('reads back exactly the events written, in order, each sealed into a hash chain that verifies', () => withStore(async (store) => {
    const id = runId();
    const written = await writeRun(store, id);
    const { events, tornTail } = await store.readRun(id);
    expect(tornTail).toBe(false);
    expect(events.map(strip)).toEqual(written.map(strip));
    expect(events.every((e) => typeof e.h === 'string' && typeof e.prev === 'string')).toBe(true);
    expect(events[0]?.prev).toBe('');
    for (let i = 1; i < events.length; i++) expect(events[i]?.prev).toBe(events[i - 1]?.h);
    const raw = await store.rawRun(id);
    expect(raw.lines).toHaveLength(written.length);
    expect(verifyChain(raw)).toMatchObject({ status: 'ok', events: written.length, lastType: 'run-finished' });
  }));

  it('lists runs newest first and finds them by id, unique prefix and "last"; an unknown run is a UsageError', () => withStore(async (store) => {
    expect(await store.listRuns()).toEqual([]);
    const older = runId(1);
    const newer = runId(2);
    await writeRun(store, older, { startedAt: new Date(Date.now() - 60_000) });
    await writeRun(store, newer);
    expect(await store.listRuns()).toEqual([newer, older]);
    expect(await store.findRun('last')).toBe(newer);
    expect(await store.findRun(older)).toBe(older);
    expect(await store.findRun(older.slice(0, -2))).toBe(older);
    await expect(store.findRun('20261123-1200')).rejects.toThrow(/ambiguous/);
    await expect(store.findRun('nope')).rejects.toBeInstanceOf(UsageError);
    await expect(store.findRun('nope')).rejects.toThrow(/No run "nope"/);
  }));

  it('a resumed journal continues the chain: seq and hashes go on across sessions', () => withStore(async (store) => {
    const id = runId();
    const first = await writeRun(store, id, { finish: false });
    const j = await store.openJournal(id);
    const more = [
      stamp({ type: 'run-resumed', operator: 'bob', host: 'h2', pid: 7, forced: false, changedSteps: [] }, first.length + 1),
      stamp({ type: 'run-finished', status: 'done', durationMs: 50, exitCode: 0 }, first.length + 2),
    ];
    for (const e of more) j.write(e);
    await j.settled();
    await j.close();
    const { events } = await store.readRun(id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-2)).toMatchObject({ type: 'run-resumed', operator: 'bob' });
    expect(verifyChain(await store.rawRun(id))).toMatchObject({ status: 'ok', events: 8 });
  }));

  it('appends events to a run that has no writer (unlock of a dead holder), continuing seq and chain', () => withStore(async (store) => {
    const id = runId();
    await writeRun(store, id, { finish: false });
    await store.appendEvents(id, [{ type: 'lease-unlocked', key: 'contract', holder: { runId: id }, by: 'carol', host: 'h3', reason: 'host died' }]);
    const { events } = await store.readRun(id);
    expect(events.at(-1)).toMatchObject({ type: 'lease-unlocked', seq: 7, by: 'carol', reason: 'host died' });
    expect(verifyChain(await store.rawRun(id))).toMatchObject({ status: 'ok', events: 7 });
    await expect(store.appendEvents('20990101-000000-dead', [{ type: 'warning', stepId: null, message: 'x' }])).rejects.toThrow();
  }));

  it('a format 1 journal written without a chain stays without one when continued, and still reads', () => withStore(async (store) => {
    const id = runId();
    const j = await store.openJournal(id);
    j.write(stamp(header(id, new Date().toISOString(), { v: 1 }), 1));
    j.write(stamp({ type: 'run-finished', status: 'interrupted', durationMs: 1, exitCode: 130 }, 2));
    await j.close();
    const j2 = await store.openJournal(id);
    j2.write(stamp({ type: 'run-resumed', operator: 'bob', host: 'h', pid: 1, forced: false, changedSteps: [] }, 3));
    await j2.close();
    const { events } = await store.readRun(id);
    expect(events).toHaveLength(3);
    expect(events.some((e) => e.h !== undefined)).toBe(false);
    expect(verifyChain(await store.rawRun(id))).toMatchObject({ status: 'no-chain', version: 1 });
  }));

  it('follow delivers every event after a seq, in order, as it is written, and ends at the run-finished that ends the journal', () => withStore(async (store) => {
    const id = runId();
    const j = await store.openJournal(id);
    let seq = 0;
    const put = (b: EventBody): void => j.write(stamp(b, ++seq));
    put(header(id, new Date().toISOString()));
    put({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'A', phase: null, attempt: 1, action: null });
    await j.settled();
    const got: JournalEvent[] = [];
    const following = store.follow(id, 0, (e) => got.push(e), new AbortController().signal);
    await until('the first two events', async () => (got.length >= 2 ? true : undefined));
    put({ type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 1, attempts: 1 });
    put({ type: 'run-finished', status: 'interrupted', durationMs: 2, exitCode: 130 });
    await j.close();
    await following;
    expect(got.map((e) => [e.seq, e.type])).toEqual([[1, 'run-started'], [2, 'step-started'], [3, 'step-finished'], [4, 'run-finished']]);
    // A resume continues the same run: read later, the follow goes on past the first session's run-finished.
    const j2 = await store.openJournal(id);
    j2.write(stamp({ type: 'run-resumed', operator: 'bob', host: 'h', pid: 1, forced: false, changedSteps: [] }, 5));
    j2.write(stamp({ type: 'run-finished', status: 'done', durationMs: 3, exitCode: 0 }, 6));
    await j2.close();
    const all: number[] = [];
    await store.follow(id, 0, (e) => all.push(e.seq), new AbortController().signal);
    expect(all).toEqual([1, 2, 3, 4, 5, 6]);
    const tail: number[] = [];
    await store.follow(id, 4, (e) => tail.push(e.seq), new AbortController().signal);
    expect(tail).toEqual([5, 6]);
    // Aborting ends a follow of an unfinished run.
    const stop = new AbortController();
    const unfinished = runId();
    await writeRun(store, unfinished, { finish: false });
    const waiting = store.follow(unfinished, 0, () => {}, stop.signal);
    setTimeout(() => stop.abort(), 300);
    await waiting;
  }));

  it('changed() wakes a waiter when the run gets new events (or after its time)', () => withStore(async (store) => {
    const id = runId();
    const j = await store.openJournal(id);
    j.write(stamp(header(id, new Date().toISOString()), 1));
    await j.settled();
    const t = Date.now();
    await store.changed(id, 200, new AbortController().signal);
    expect(Date.now() - t).toBeLessThan(5_000);
    const wake = store.changed(id, 10_000, new AbortController().signal);
    setTimeout(() => j.write(stamp({ type: 'warning', stepId: null, message: 'ping' }, 2)), 100);
    const t2 = Date.now();
    await wake;
    expect(Date.now() - t2).toBeLessThan(5_000);
    await j.close();
  }));

  it('a lease has one holder: a second acquire is refused naming the holder; heartbeat keeps it; release frees it', () => withStore(async (store) => {
    const holder = { key: 'contract:east', runId: runId(), operator: 'alice', host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
    const lease = await store.acquireLease(holder);
    expect(lease.tookOverFrom).toBeUndefined();
    expect(await lease.heartbeat()).toBeUndefined();
    const other = { ...holder, runId: runId(), operator: 'bob' };
    const refused = await store.acquireLease(other).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect(String((refused as Error).message)).toContain(holder.runId);
    expect(String((refused as Error).message)).toContain('alice');
    expect(String((refused as Error).message)).toContain(String(process.pid));
    expect(await store.readLease('contract:east')).toMatchObject({ holder: { runId: holder.runId, operator: 'alice' }, maybeAlive: true });
    expect((await store.listLeases()).map((l) => l.holder.key)).toEqual(['contract:east']);
    // Another key is another lease.
    const west = await store.acquireLease({ ...other, key: 'contract:west' });
    await west.release();
    await lease.release();
    expect(await store.readLease('contract:east')).toBeUndefined();
    const again = await store.acquireLease(other);
    expect(again.tookOverFrom).toBeUndefined();
    await again.release();
  }));

  it('a lease whose holder died is taken over once it expires, naming the previous holder', () => withStore(async (store) => {
    // On another host (as far as this one can tell): only the expiry of its heartbeat says it is gone.
    const dead = { key: 'contract', runId: runId(), operator: 'alice', host: 'elsewhere', pid: deadPid(), startedAt: new Date().toISOString() };
    await store.acquireLease(dead); // never renewed, never released: its process is gone
    const next = { ...dead, runId: runId(), operator: 'bob', pid: process.pid };
    const lease = await until('the dead holder\'s lease to expire', async () => store.acquireLease(next).catch((e: unknown) => {
      if (e instanceof LockHeldError) return undefined;
      throw e;
    }), 15_000);
    expect(lease.tookOverFrom).toMatchObject({ runId: dead.runId, operator: 'alice', pid: dead.pid, host: 'elsewhere' });
    await lease.release();
  }, { ttlMs: 400, heartbeatMs: 100 }));

  it('a resume of a run whose process died on this host takes its lease over at once, without waiting for the expiry', () => withStore(async (store) => {
    const id = runId();
    const crashed = { key: 'contract:resume', runId: id, operator: 'alice', host: hostname(), pid: deadPid(), startedAt: new Date().toISOString() };
    await store.acquireLease(crashed);
    const lease = await store.acquireLease({ ...crashed, operator: 'bob', pid: process.pid });
    expect(lease.tookOverFrom).toMatchObject({ runId: id, operator: 'alice', pid: crashed.pid });
    await lease.release();
  }, { ttlMs: 60_000, heartbeatMs: 1000 }));

  it('unlock takes the lease from its holder in someone\'s name; the holder\'s heartbeat learns who and why', () => withStore(async (store) => {
    const holder = { key: 'contract:east', runId: runId(), operator: 'alice', host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
    const lease = await store.acquireLease(holder);
    expect(await store.unlock('nothing-held', { operator: 'carol', host: 'h3', pid: 3 }, 'x')).toBeUndefined();
    const u = await store.unlock('contract:east', { operator: 'carol', host: 'h3', pid: process.pid }, 'alice\'s laptop died');
    expect(u?.holder).toMatchObject({ runId: holder.runId, operator: 'alice' });
    expect(u?.maybeAlive).toBe(true);
    expect(await lease.heartbeat()).toMatchObject({ key: 'contract:east', unlock: { by: 'carol', host: 'h3', reason: 'alice\'s laptop died' } });
    // Still held (by the unlock) until it lets go; the old holder's release does not free it.
    await lease.release();
    await expect(store.acquireLease({ ...holder, runId: runId() })).rejects.toBeInstanceOf(LockHeldError);
    await u?.release();
    const next = await store.acquireLease({ ...holder, runId: runId() });
    await next.release();
  }));

  it('votes for an approval request come back in the order cast, and only that request\'s', () => withStore(async (store) => {
    const id = runId();
    await writeRun(store, id, { finish: false });
    const vote = (voteId: string, requestId: string, by: string, reject = false, at = new Date()): Vote => ({
      voteId, runId: id, stepId: 'a', requestId, by, host: 'h', pid: 1, reject, ...(reject ? { reason: 'no' } : {}), at: at.toISOString(),
    });
    const t = Date.now();
    await store.castVote(vote('v1', 'req-1', 'bob', false, new Date(t)));
    await store.castVote(vote('v2', 'req-2', 'carol', false, new Date(t + 1)));
    await store.castVote(vote('v3', 'req-1', 'dave', true, new Date(t + 2)));
    const votes = await store.votes(id, 'req-1');
    expect(votes.map((v) => [v.voteId, v.by, v.reject, v.reason])).toEqual([['v1', 'bob', false, undefined], ['v3', 'dave', true, 'no']]);
    expect(votes[0]).toMatchObject({ runId: id, stepId: 'a', requestId: 'req-1', host: 'h', pid: 1 });
    expect(await store.votes(id, 'req-9')).toEqual([]);
  }));

  it('history gives the median step durations of earlier finished live runs of the same runbook', () => withStore(async (store) => {
    await writeRun(store, runId(), { runbookId: 'hist', durations: [100, 10] });
    await writeRun(store, runId(), { runbookId: 'hist', durations: [300, 30] });
    await writeRun(store, runId(), { runbookId: 'hist', durations: [200, 20] });
    await writeRun(store, runId(), { runbookId: 'hist', durations: [9999, 9999], finish: false });
    await writeRun(store, runId(), { runbookId: 'other', durations: [1, 1] });
    const h = await store.history('hist', 'none');
    expect(h.runs).toBe(3);
    expect(Object.fromEntries(h.medians)).toEqual({ a: 200, b: 20 });
    expect((await store.history('unknown', 'none')).runs).toBe(0);
  }));
}
