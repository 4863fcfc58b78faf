// Small pure helpers the components share: icons, durations, the RTO budget bar.
import { formatDuration } from '../dsl/duration.js';
import type { StepView, ViewStatus } from './state.js';
import { STATUS_ICON } from './status-icons.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export type Tone = 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray' | undefined;

/** Icon and its tone for a status; the spinner frame moves with the clock. */
export function statusIcon(status: ViewStatus, now: number, rendered = false): { icon: string; tone: Tone } {
  switch (status) {
    case 'pending': return { icon: STATUS_ICON.pending, tone: 'gray' };
    case 'running': return { icon: SPINNER[Math.floor(now / 100) % SPINNER.length]!, tone: 'cyan' };
    case 'waiting': return { icon: STATUS_ICON.waiting, tone: 'yellow' };
    case 'ok': return { icon: STATUS_ICON.ok, tone: 'green' };
    case 'failed': return { icon: STATUS_ICON.failed, tone: 'red' };
    case 'skipped': return { icon: STATUS_ICON.skipped, tone: 'yellow' };
    case 'done-by-hand': return { icon: STATUS_ICON['done-by-hand'], tone: 'yellow' };
    case 'planned': return { icon: STATUS_ICON.planned, tone: rendered ? 'gray' : 'cyan' };
    case 'interrupted': return { icon: STATUS_ICON.interrupted, tone: 'red' };
    case 'restored': return { icon: STATUS_ICON.restored, tone: 'gray' };
  }
}

/** The duration shown beside a step: final, or live while it runs. */
export function stepDuration(st: StepView, now: number): string {
  if (st.durationMs !== null && st.status !== 'running' && st.status !== 'waiting') return st.status === 'planned' ? '' : formatDuration(st.durationMs);
  if (st.startedAtMs !== null && (st.status === 'running' || st.status === 'waiting')) return formatDuration(Math.max(0, now - st.startedAtMs));
  if (st.status === 'restored') return 'earlier';
  return st.estimateMs !== null && st.status === 'pending' ? `~${formatDuration(st.estimateMs)}` : '';
}

/** Wall time as a clock: 0:07, 12:30, 1:02:03. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** RTO consumption: the bar, the percentage, and its tone (green, amber from 60%, red from 90%). */
export function budget(elapsedMs: number, rtoMs: number, width: number): { bar: string; pct: number; tone: Tone } {
  const frac = rtoMs <= 0 ? 1 : elapsedMs / rtoMs;
  const filled = Math.min(width, Math.round(Math.min(1, frac) * width));
  const pct = Math.round(frac * 100);
  const tone: Tone = frac >= 0.9 ? 'red' : frac >= 0.6 ? 'yellow' : 'green';
  return { bar: '█'.repeat(filled) + '░'.repeat(width - filled), pct, tone };
}

export { formatDuration };

/**
 * Word-wraps `text` into at most `maxLines` lines of `width` columns; what does not fit ends the last
 * line with `…`. A word longer than a line is cut.
 */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  const w = Math.max(4, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length <= w) {
      line = next;
      continue;
    }
    if (line !== '') lines.push(line);
    line = word.length > w ? word.slice(0, w) : word;
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1] ?? '';
  kept[maxLines - 1] = `${last.slice(0, Math.max(0, w - 1))}…`;
  return kept;
}
