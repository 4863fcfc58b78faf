import { EXIT } from '../errors.js';
import { withStore } from '../store/open-store.js';
import { verifyChain, type VerifyResult } from '../store/verify-chain.js';

/**
 * `runbook verify <run-id>`: checks the run's hash chain from its header on. Exit 0: intact;
 * 1: tampered (the first event where the chain breaks is named, and how); 2: a journal written before
 * journals were chained (format 1), which cannot be verified (it still replays).
 */
export function verifyCommand(arg: string, f: { json?: boolean; store?: string }): Promise<number> {
  return withStore(f.store, async (store) => {
    const runId = await store.findRun(arg);
    const result = verifyChain(await store.rawRun(runId));
    if (f.json) process.stdout.write(`${JSON.stringify({ runId, ...result }, null, 2)}\n`);
    else process.stdout.write(`${describe(runId, store.label, result)}\n`);
    return result.status === 'ok' ? EXIT.done : result.status === 'tampered' ? EXIT.failed : EXIT.usage;
  });
}

export function describe(runId: string, where: string, r: VerifyResult): string {
  switch (r.status) {
    case 'ok': {
      const torn = r.tornTail ? ' (its torn last line, cut short by a crash, is not part of the chain)' : '';
      const open = r.lastType === 'run-finished' ? '' : ' The journal ends without run-finished: the run is still going or stopped there (crash); a chain alone cannot tell that from its last events having been cut off.';
      return `OK: run ${runId} — ${r.events} events, hash chain intact from the run header to seq ${String(r.lastSeq)} (${String(r.lastType)})${torn}.${open}`;
    }
    case 'no-chain':
      return r.events === 0
        ? `no hash chain: run ${runId} has no events in ${where}.`
        : `no hash chain (journal v${r.version ?? 1}): run ${runId} was written before journals were hash-chained, so it cannot be verified. It still replays (show, report, resume).`;
    case 'tampered': {
      const what = [r.type, r.stepId && `"${r.stepId}"`].filter(Boolean).join(' of ');
      return `TAMPERED: run ${runId} — the chain breaks at event ${r.position} of ${r.events}${r.seq === null ? '' : ` (seq ${r.seq}${what ? `, ${what}` : ''})`}: ${r.message}. ` +
        `Kind: ${r.kind}. Events before it are intact; do not trust this journal from there on (restore it from a backup).`;
    }
  }
}
