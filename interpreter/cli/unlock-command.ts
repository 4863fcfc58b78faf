import { UsageError } from '../errors.js';
import type { JournalEvent } from '../events.js';
import { leaseTiming } from '../store/lease-timing.js';
import { withStore } from '../store/open-store.js';
import { processAlive } from '../store/process-alive.js';
import type { RunStore } from '../store/run-store.js';
import { defaultOperator, host } from './session.js';

/**
 * `runbook unlock <key> --reason TEXT`: frees the lease of a procedure + target (`<runbook-id>` or
 * `<runbook-id>:<lockKey>`) whose holder cannot finish, recorded in the holder's journal with who and
 * why. A holder that is gone: unlock appends the record itself (it holds the lease meanwhile, so no
 * resume can write at the same time). A holder that may still be running: it learns at its next
 * heartbeat, records the unlock itself and stops before its next step; unlock waits for that.
 */
export function unlockCommand(key: string, f: { reason?: string; operator?: string; store?: string }): Promise<number> {
  const reason = f.reason?.trim();
  if (!reason) throw new UsageError(`runbook unlock needs --reason TEXT: say why the lease "${key}" is freed (it is recorded in the journal of the run that held it).`);
  const by = { operator: defaultOperator(f.operator), host: host(), pid: process.pid };
  return withStore(f.store, async (store) => {
    const before = await store.readLease(key);
    const afterSeq = before ? await lastSeq(store, before.holder.runId) : 0;
    const r = await store.unlock(key, by, reason);
    if (r === undefined) {
      const held = await store.listLeases();
      const list = held.map((l) => `${l.holder.key} (run ${l.holder.runId}, ${l.holder.operator}@${l.holder.host})`).join(', ');
      throw new UsageError(`No lease "${key}" is held${store.kind === 'file' ? ' on this host' : ` in ${store.label}`}, so there is nothing to unlock. ${held.length ? `Held now: ${list}.` : 'No lease is held at all.'}`);
    }
    const h = r.holder;
    const who = `run ${h.runId} (${h.operator}@${h.host}, pid ${h.pid})`;
    const record = { type: 'lease-unlocked' as const, key, holder: { ...h }, by: by.operator, host: by.host, reason };
    try {
      if (r.maybeAlive) {
        const { heartbeatMs } = leaseTiming();
        const ack = await recorded(store, h.runId, afterSeq, 3 * heartbeatMs + 2000);
        if (ack) {
          process.stdout.write(`Unlocked "${key}" from ${who}, which was still running: it recorded the unlock (seq ${ack.seq}) and stops before its next step.\n`);
          return 0;
        }
        if (!(h.host === host() && !processAlive(h.pid))) {
          process.stdout.write(`Unlocked "${key}" from ${who}, which did not acknowledge within ${Math.round((3 * heartbeatMs + 2000) / 1000)}s: it may be hung. The lease is free; its journal does not record the unlock.\n`);
          return 0;
        }
      }
      const journaled = await store.appendEvents(h.runId, [record]).then(() => true, () => false);
      process.stdout.write(`Unlocked "${key}": it was held by ${who}, which is gone. ${journaled ? `Recorded in run ${h.runId}'s journal.` : `Run ${h.runId}'s journal is not in ${store.label}, so the unlock is not recorded there.`}\n`);
      return 0;
    } finally {
      await r.release();
    }
  });
}

/** Waits (bounded) for the holder to journal its lease-unlocked. */
async function recorded(store: RunStore, runId: string, after: number, ms: number): Promise<JournalEvent | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  let found: JournalEvent | undefined;
  try {
    await store.follow(runId, after, (e) => {
      if (e.type === 'lease-unlocked' && !found) {
        found = e;
        controller.abort();
      }
    }, controller.signal);
  } finally {
    clearTimeout(timer);
  }
  return found;
}

async function lastSeq(store: RunStore, runId: string): Promise<number> {
  try {
    return (await store.readRun(runId)).events.at(-1)?.seq ?? 0;
  } catch {
    return 0;
  }
}
