import { Box } from 'ink';
import type { ReactNode } from 'react';
import { formatDuration, statusIcon, stepDuration } from '../format.js';
import { phaseMs, type PhaseGroup, type StepView } from '../state.js';
import { T } from './theme.js';

/** One checklist line: icon, kind tag, title (id), duration. Never wider than `width`. */
export function StepLine({ step, now, width, current = false }: { readonly step: StepView; readonly now: number; readonly width: number; readonly current?: boolean }): ReactNode {
  const { icon, tone } = statusIcon(step.status, now, step.rendered);
  const dur = stepDuration(step, now);
  const tries = step.attempts > 1 ? ` ×${step.attempts}` : '';
  const why = step.detail && (step.status === 'skipped' || step.status === 'done-by-hand' || step.status === 'failed' || step.status === 'interrupted') ? ` — ${step.detail}` : '';
  return (
    <Box width={width}>
      <Box flexShrink={0}>
        <T>{current ? '›' : ' '}</T>
        <T tone={tone}>{`${icon} `}</T>
        <T dim>{step.kind.padEnd(8)}</T>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <T bold={current} dim={step.status === 'pending' || step.status === 'restored'}>
          {step.title}
          <T dim>{` ${step.id}${why}`}</T>
        </T>
      </Box>
      <Box flexShrink={0}>
        <T dim={step.status !== 'running'}>{` ${(dur + tries).padStart(7)}`}</T>
      </Box>
    </Box>
  );
}

/** A phase heading with its subtotal. */
export function PhaseHeading({ group, now, width }: { readonly group: PhaseGroup; readonly now: number; readonly width: number }): ReactNode {
  const ms = phaseMs(group, now);
  const done = group.steps.filter((s) => s.status !== 'pending' && s.status !== 'running' && s.status !== 'waiting').length;
  return (
    <Box width={width}>
      <Box flexGrow={1}>
        <T bold>{`── ${group.phase ?? '(no phase)'} `}</T>
        <T dim>{`${done}/${group.steps.length}`}</T>
      </Box>
      <Box flexShrink={0}><T dim>{group.steps.some((s) => s.startedAtMs !== null || s.durationMs !== null) ? formatDuration(ms) : ''}</T></Box>
    </Box>
  );
}

/** A finished phase, as printed once above the live area. */
export function PhaseBlock({ group, width }: { readonly group: PhaseGroup; readonly width: number }): ReactNode {
  return (
    <Box flexDirection="column" width={width}>
      <PhaseHeading group={group} now={0} width={width} />
      {group.steps.map((s) => <StepLine key={s.id} step={s} now={0} width={width} />)}
    </Box>
  );
}
