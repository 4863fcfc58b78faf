import { Box } from 'ink';
import type { ReactNode } from 'react';
import { formatDuration } from '../format.js';
import { phaseGroups, phaseMs, type TuiState } from '../state.js';
import { T } from './theme.js';

const WORD = { done: 'DONE', failed: 'FAILED', aborted: 'ABORTED', interrupted: 'INTERRUPTED' } as const;

/** The end of the run: status, time against the RTO, phases, failures and what was done about them. */
export function Summary({ state, width }: { readonly state: TuiState; readonly width: number }): ReactNode {
  const f = state.finished;
  if (!f) return null;
  const counts = new Map<string, number>();
  for (const s of state.steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const countText = [...counts].map(([k, n]) => `${n} ${k === 'pending' ? 'not run' : k === 'restored' ? 'done earlier' : k}`).join(', ');
  if (state.mode === 'dry-run') {
    return (
      <Box flexDirection="column" width={width}>
        <T><T tone="cyan" bold inverse>{' PLAN '}</T>{` ${state.steps.length} steps${state.rtoMs === null ? ' · no RTO set' : ` · RTO ${formatDuration(state.rtoMs)}`} · nothing was run`}</T>
      </Box>
    );
  }
  const took = f.simDurationMs ?? f.durationMs;
  const label = f.simDurationMs === undefined ? '' : 'simulated ';
  const real = f.simDurationMs === undefined ? '' : ` · real ${formatDuration(f.durationMs)}`;
  const rto = state.rtoMs === null
    ? `${label}${formatDuration(took)} (no RTO set)${real}`
    : f.status !== 'done'
      ? `${label}${formatDuration(took)} · RTO ${formatDuration(state.rtoMs)} not achieved: the run did not complete${real}`
      : `${label}${formatDuration(took)} of RTO ${formatDuration(state.rtoMs)} (${Math.round((took / state.rtoMs) * 1000) / 10}%, ${took <= state.rtoMs ? 'within RTO' : 'over RTO'})${real}`;
  const phases = phaseGroups(state.steps).filter((g) => g.phase !== null).map((g) => `${g.phase} ${formatDuration(phaseMs(g, 0))}`).join(' · ');
  return (
    <Box flexDirection="column" width={width}>
      <T>
        <T tone={f.status === 'done' ? 'green' : 'red'} bold inverse>{` ${WORD[f.status]} `}</T>
        {` ${rto}`}
      </T>
      <T dim>{`steps: ${countText}`}</T>
      {phases && <T dim>{`phases: ${phases}`}</T>}
      {state.failures.map((x, i) => <T key={i}><T tone="red">{`✖ ${x.stepId}`}</T>{` → ${x.resolution ?? 'unresolved'}`}<T dim>{` · ${x.error}`}</T></T>)}
      {f.status !== 'done' && (state.mode === 'live' || state.mode === 'simulate') && <T>{`to continue: runbook resume ${state.runId}`}</T>}
    </Box>
  );
}
