import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { Mode } from '../../dsl/context.js';
import { modeWord } from '../mode-badge.js';
import { budget, clock, formatDuration, type Tone } from '../format.js';
import { eta, type TuiState } from '../state.js';
import { T } from './theme.js';

const MODE_TONE: Record<Mode, Tone> = { live: 'red', 'dry-run': 'cyan', probe: 'blue', simulate: 'magenta' };

/** The mode as a badge nobody can misread: its own word, inverse, in its own colour. */
export function ModeBadge({ mode }: { readonly mode: Mode }): ReactNode {
  return <T tone={MODE_TONE[mode]} inverse bold>{` ${modeWord(mode)} `}</T>;
}

/** Title, run, operator, mode, elapsed; then the RTO budget and the ETA. Two lines. */
export function Header({ state, now, width }: { readonly state: TuiState; readonly now: number; readonly width: number }): ReactNode {
  const real = state.finished ? state.finished.durationMs : state.startedAtMs === null ? 0 : now - state.startedAtMs;
  // A simulation runs on its simulated clock: the RTO budget is spent in simulated time, real time shown beside it.
  // While the participants decide, the simulated clock runs with the real one (the decision's time is added when answered).
  const deciding = state.promptAskedAtMs !== null && !state.finished ? Math.max(0, now - state.promptAskedAtMs) : 0;
  const sim = state.simMs === null ? null : (state.finished?.simDurationMs ?? state.simMs + deciding);
  const elapsed = sim ?? real;
  const left = eta(state, now);
  const etaText = state.finished ? '' : etaLine(left, state.historyRuns);
  const barWidth = Math.max(8, Math.min(20, width - 60));
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Box flexShrink={0}><ModeBadge mode={state.mode} /></Box>
        <Box flexGrow={1} flexShrink={1} marginLeft={1}>
          <T bold>
            {state.title}
            <T dim>{` · run ${state.runId} · ${state.operator}${state.resumedBy ? ' (resumed)' : ''}`}</T>
          </T>
        </Box>
        <Box flexShrink={0}>{sim === null ? <T>{` ${clock(real)}`}</T> : <T>{` sim ${clock(sim)}`}<T dim>{` · real ${clock(real)}`}</T></T>}</Box>
      </Box>
      <Box>
        <Box flexShrink={0}>
          {state.rtoMs === null ? <T dim>no RTO set</T> : <RtoBar elapsedMs={elapsed} rtoMs={state.rtoMs} width={barWidth} />}
        </Box>
        <Box flexGrow={1} flexShrink={1} marginLeft={2}>
          <T dim>{state.scenario === null ? etaText : `scenario: ${state.scenario}${etaText ? ` · ${etaText}` : ''}`}</T>
        </Box>
      </Box>
    </Box>
  );
}

/** `ETA ~3.20s + 1 unestimated · 4 earlier runs`: where the figure comes from, when it is history. */
export function etaLine(left: { ms: number; known: number; unknown: number }, historyRuns: number): string {
  if (left.known === 0) return left.unknown > 0 ? `ETA ? (${left.unknown} steps without estimate)` : '';
  const rest = left.unknown > 0 ? ` + ${left.unknown} unestimated` : '';
  const source = historyRuns > 0 ? ` · ${historyRuns} earlier run${historyRuns > 1 ? 's' : ''}` : '';
  return `ETA ~${formatDuration(left.ms)}${rest}${source}`;
}

function RtoBar({ elapsedMs, rtoMs, width }: { readonly elapsedMs: number; readonly rtoMs: number; readonly width: number }): ReactNode {
  const b = budget(elapsedMs, rtoMs, width);
  return (
    <T>
      {`RTO ${formatDuration(rtoMs)} `}
      <T tone={b.tone}>{b.bar}</T>
      <T tone={b.tone} bold={b.pct >= 90}>{` ${b.pct}%`}</T>
    </T>
  );
}
