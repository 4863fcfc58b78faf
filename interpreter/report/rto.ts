import type { Mode } from '../../dsl/context.js';
import type { Clock, OutcomeStatus, RunReport } from './model.js';

/**
 * RTO target vs achieved. Live runs are measured on the real clock (start to run-finished, time
 * between a crash and its resume included); simulations on the simulated clock. A dry-run or a probe
 * recovered nothing, so it is not measured.
 */
export function rtoOf(mode: Mode, targetMs: number | null, status: OutcomeStatus, realMs: number | null, simMs: number | null): RunReport['rto'] {
  if (mode === 'dry-run' || mode === 'probe') return { targetMs, achievedMs: null, clock: null, verdict: 'not-measured', marginMs: null };
  const clock: Clock = mode === 'simulate' ? 'simulated' : 'real';
  const achievedMs = clock === 'simulated' ? simMs : realMs;
  if (targetMs === null) return { targetMs, achievedMs, clock, verdict: 'no-target', marginMs: null };
  const marginMs = achievedMs === null ? null : targetMs - achievedMs;
  if (marginMs !== null && marginMs < 0) return { targetMs, achievedMs, clock, verdict: 'exceeded', marginMs };
  return { targetMs, achievedMs, clock, verdict: status === 'done' && achievedMs !== null ? 'within' : 'not-achieved', marginMs };
}
