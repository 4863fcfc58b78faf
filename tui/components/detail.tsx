import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { OutputLine, StepView } from '../state.js';
import { T } from './theme.js';

/** How many lines the detail pane needs for its title and action. */
export function detailHead(step: StepView | undefined): number {
  if (!step) return 0;
  return 1 + Math.min(2, step.action ? step.action.text.split('\n').length : 0);
}

/** The current step: its rendered action and the tail of its output (stderr marked `!`, stdout `│`). */
export function Detail({ step, output, total, width, height }: {
  readonly step: StepView | undefined; readonly output: readonly OutputLine[]; readonly total: number; readonly width: number; readonly height: number;
}): ReactNode {
  if (!step || height <= 0) return null;
  const action = step.action ? step.action.text.split('\n').slice(0, 2) : [];
  const room = Math.max(0, height - 1 - action.length);
  const tail = room > 0 ? output.slice(-room) : [];
  const hidden = total - tail.length;
  const effect = step.action ? ` · ${step.action.effect}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        <Box flexGrow={1} flexShrink={1}>
          <T bold>{`▸ ${step.id}`}</T>
          <T dim>{` · ${step.kind}${effect}${step.attempts > 1 ? ` · attempt ${step.attempts}` : ''}${step.rendered ? ' · not run (rendered)' : ''}`}</T>
        </Box>
        <Box flexShrink={0}><T dim>{hidden > 0 ? ` ${hidden} earlier lines` : ''}</T></Box>
      </Box>
      {action.map((l, i) => (
        <T key={`a${i}`} tone={step.action?.effect === 'mutating' ? 'yellow' : undefined}>{`  ${l}`}</T>
      ))}
      {tail.map((l, i) => (
        l.stream === 'stderr'
          ? <T key={`o${i}`} tone="red">{`  ! ${l.text}`}</T>
          : <T key={`o${i}`}><T dim>{'  │ '}</T>{l.text}</T>
      ))}
    </Box>
  );
}
