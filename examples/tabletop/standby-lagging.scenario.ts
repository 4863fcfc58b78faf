// The tabletop for pg-failover.ts: the primary died during a batch load, so the standby is behind; it
// catches up at 3 minutes. One fault: the old primary's host does not answer SSH when it must be fenced
// — the participants decide what to do (retry, or power it off from the console and mark it done).
import { scenario } from 'runbook';
import failover from './pg-failover.js';

export default scenario(failover, {
  name: 'Standby lagging, old primary unreachable',
  description: 'Primary lost during a batch load; the standby is 300 MB behind and catches up at 3m; SSH to the old primary times out once.',
  state: { lagBytes: 300_000_000 },
  steps: {
    'standby-caught-up': { value: (s) => s.lagBytes, failWhen: { state: 'lagBytes', gt: 1_048_576 }, message: 'standby is 300 MB behind (lag > 1 MiB)' },
    'primary-really-down': { answer: true, decideIn: '2m' },
    'fence-old-primary': { fail: { times: 1, message: 'ssh: connect to host pg-primary.internal port 22: Connection timed out' }, duration: '45s', onFailure: 'retry' },
    'promote-standby': { duration: '40s' },
  },
  events: [{ at: '3m', say: 'the standby has replayed the batch load: lag 0', set: { lagBytes: 0 } }],
});
