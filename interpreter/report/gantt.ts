// The timeline as a mermaid `gantt` block. Mermaid's gantt lexer ends a task's text at `:`, `#` (a
// comment) or `;`, treats `%` as the start of a comment, and reads some words at the start of a line
// as keywords (`section …`, `title …`, `click …`, a date): text from the journal is made safe here.
import type { ReportStep, RunReport } from './model.js';

const DAY_MS = 86_400_000;
/** Words mermaid's gantt lexer reads as statements at the start of a line (case-insensitive). */
const KEYWORD = /^(?:gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|accdescription|acctitle|accdescr|section|click|call|href|displaymode|\d{4}-\d\d-\d\d)/i;
const TAGS = new Set(['active', 'done', 'crit', 'milestone']);

/** Text for a task, section or title: one line, without the characters that end or comment out a statement. */
export function ganttText(s: string, fallback = 'step'): string {
  let t = s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/:/g, '∶')
    .replace(/#/g, '＃')
    .replace(/;/g, ',')
    .replace(/%/g, '％')
    .replace(/`/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  if (KEYWORD.test(t)) t = `Step ${t}`;
  return t === '' ? fallback : t;
}

/** A task id mermaid accepts (`[A-Za-z0-9_-]`), never a tag word, unique in the chart. */
function taskIds(steps: readonly ReportStep[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const s of steps) {
    const base = `s_${s.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id) || TAGS.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    out.set(s.id, id);
  }
  return out;
}

function tags(s: ReportStep): string[] {
  switch (s.status) {
    case 'ok':
    case 'done-by-hand':
      return ['done'];
    case 'failed':
      return ['crit'];
    case 'interrupted':
      return ['active', 'crit'];
    case 'running':
      return ['active'];
    default:
      return [];
  }
}

const SUFFIX: Partial<Record<ReportStep['status'], string>> = {
  failed: ' (failed)', skipped: ' (skipped)', 'done-by-hand': ' (by hand)', planned: ' (planned)', interrupted: ' (interrupted)', running: ' (running)',
};

interface Span {
  readonly step: ReportStep;
  readonly start: number;
  readonly end: number;
}

/**
 * The mermaid source (without the fence), or null when no step started. Real runs: `dateFormat x`
 * (epoch milliseconds, shown in the reader's local time). Simulations: offsets from the start of the
 * exercise as `HH:mm:ss` (00:04:30 is 4m30s in), or epoch milliseconds from the run's start when the
 * exercise ran a day or more.
 */
export function gantt(r: RunReport): string | null {
  const sim = r.clock === 'simulated';
  const spans: Span[] = [];
  for (const step of r.steps) {
    const start = sim ? step.simStartMs : step.startedAt === null ? null : Date.parse(step.startedAt);
    if (start === null || !Number.isFinite(start)) continue;
    const endRaw = sim ? step.simEndMs : step.finishedAt === null ? null : Date.parse(step.finishedAt);
    const end = endRaw === null || !Number.isFinite(endRaw) ? start : Math.max(start, endRaw);
    spans.push({ step, start, end });
  }
  if (spans.length === 0) return null;
  const clockOfDay = sim && spans.every((s) => s.end < DAY_MS);
  const t0 = Date.parse(r.run.startedAt);
  const time = (ms: number): string => {
    if (!sim) return String(Math.round(ms));
    if (!clockOfDay) return String(Math.round(t0 + ms));
    const s = Math.round(ms / 1000);
    return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  };
  const ids = taskIds(spans.map((s) => s.step));
  const lines = [
    'gantt',
    `    title ${ganttText(`${r.runbook.title} - run ${r.run.id}${sim ? ' (simulated time)' : ''}`, 'run')}`,
    `    dateFormat ${clockOfDay ? 'HH:mm:ss' : 'x'}`,
    '    axisFormat %H:%M:%S',
  ];
  let section: string | undefined;
  for (const { step, start, end } of spans) {
    const phase = ganttText(step.phase ?? 'Steps', 'Steps');
    if (phase !== section) {
      section = phase;
      lines.push(`    section ${phase}`);
    }
    const data = [...tags(step), ids.get(step.id) ?? 's_step', time(start), time(end)];
    lines.push(`    ${ganttText(`${step.title}${SUFFIX[step.status] ?? ''}`)} :${data.join(', ')}`);
  }
  return lines.join('\n');
}
