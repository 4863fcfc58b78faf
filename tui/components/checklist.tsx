import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { PhaseGroup, StepView } from '../state.js';
import { PhaseHeading, StepLine } from './step-line.js';
import { T } from './theme.js';

type Row = { kind: 'phase'; group: PhaseGroup } | { kind: 'step'; step: StepView };

/** The step to keep in view: the one running or waiting, else the first not yet ended. */
export function focusId(groups: readonly PhaseGroup[]): string | null {
  const steps = groups.flatMap((g) => g.steps);
  return (steps.find((s) => s.status === 'running' || s.status === 'waiting') ?? steps.find((s) => s.status === 'pending'))?.id ?? null;
}

/** Which rows fit in `height` lines, keeping the focused step in view (a third from the top). */
export function windowRows<R>(rows: readonly R[], focus: number, height: number): { rows: R[]; above: number; below: number } {
  if (rows.length <= height) return { rows: [...rows], above: 0, below: 0 };
  const inner = Math.max(1, height - 2); // room for the "more above / below" lines
  let start = Math.max(0, (focus < 0 ? 0 : focus) - Math.floor(inner / 3));
  start = Math.min(start, rows.length - inner);
  return { rows: rows.slice(start, start + inner), above: start, below: rows.length - start - inner };
}

/** The phases not yet printed above, grouped, scrolled to keep the current step in view. */
export function Checklist({ groups, now, width, height }: { readonly groups: readonly PhaseGroup[]; readonly now: number; readonly width: number; readonly height: number }): ReactNode {
  const rows: Row[] = groups.flatMap((g) => [{ kind: 'phase' as const, group: g }, ...g.steps.map((step) => ({ kind: 'step' as const, step }))]);
  const focus = focusId(groups);
  const at = rows.findIndex((r) => r.kind === 'step' && r.step.id === focus);
  const w = windowRows(rows, at, height);
  const scrolled = w.above > 0 || w.below > 0;
  return (
    <Box flexDirection="column" width={width}>
      {scrolled && <T dim>{w.above > 0 ? `  ↑ ${w.above} more` : ' '}</T>}
      {w.rows.map((r) =>
        r.kind === 'phase'
          ? <PhaseHeading key={`phase-${r.group.index}`} group={r.group} now={now} width={width} />
          : <StepLine key={r.step.id} step={r.step} now={now} width={width} current={r.step.id === focus} />,
      )}
      {scrolled && <T dim>{w.below > 0 ? `  ↓ ${w.below} more` : ' '}</T>}
    </Box>
  );
}
