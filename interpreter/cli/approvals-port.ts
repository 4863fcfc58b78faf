import type { ApprovalVote, Approvals } from '../engine/approvals.js';
import { sleep } from '../engine/sleep.js';
import type { RunStore } from '../store/run-store.js';

/**
 * The engine's four-eyes port on a run store: the votes `runbook approve` cast for this run, each
 * delivered once, as they arrive (PostgreSQL tells at once; the file store is polled).
 */
export function storeApprovals(store: RunStore, runId: string): Approvals {
  const seen = new Set<string>();
  return {
    async next(_stepId, requestId, untilMs, signal): Promise<readonly ApprovalVote[]> {
      for (;;) {
        const left = untilMs - Date.now();
        if (signal.aborted || left <= 0) return [];
        const wake = store.changed(runId, Math.min(left, 2000), signal);
        let fresh: ApprovalVote[];
        try {
          fresh = (await store.votes(runId, requestId)).filter((v) => !seen.has(v.voteId));
        } catch {
          // The store is unreachable for a moment: keep waiting (the journal reports a store that stays down).
          await sleep(Math.min(left, 1000), signal);
          continue;
        }
        if (fresh.length > 0) {
          for (const v of fresh) seen.add(v.voteId);
          return fresh;
        }
        await wake;
      }
    },
  };
}
