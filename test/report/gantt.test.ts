// The gantt block stays valid mermaid whatever the titles, phases and ids hold; the validator itself
// rejects what mermaid's gantt grammar would break on; table cells and code spans escape what they must.
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { buildReport } from '../../interpreter/report/build.js';
import { gantt, ganttText } from '../../interpreter/report/gantt.js';
import { cell, code, text } from '../../interpreter/report/md.js';
import { renderMarkdown } from '../../interpreter/report/markdown.js';
import { ev } from '../helpers/events.js';
import { validateGantt } from './gantt-validator.js';

const NASTY = [
  'Title: with a colon',
  'Hash # and semicolon ; here',
  '100% done %% not a comment',
  'section Assess',
  'title of the thing',
  'Click here',
  'call the DBA',
  'Gantt review',
  '2026-01-01 cutover',
  'accTitle: nope',
  'multi\nline\ttitle',
  '`backticks` and ``` fences',
  '   ',
  'done',
  'Weekday monday maintenance',
  'Includes excludes',
];

function runWith(titles: readonly string[], phases: readonly (string | null)[], ids?: readonly string[]): JournalEvent[] {
  const steps = titles.map((title, i) => ({ id: ids?.[i] ?? `step-${i}`, kind: 'exec' as const, title, phase: phases[i % phases.length] ?? null }));
  const events: JournalEvent[] = [ev({
    type: 'run-started', v: 1, runId: 'r-1', runbookId: 'rb', title: 'DR: failover #3; 50% — done', file: 'f.ts', sourceHash: 'h', fingerprints: {},
    steps, params: {}, secretParams: [], operator: 'dana', host: 'h', pid: 1, mode: 'live', rtoMs: 60_000, lockKey: null, from: null, only: null,
  })];
  steps.forEach((s, i) => {
    events.push(ev({ type: 'step-started', stepId: s.id, kind: 'exec', title: s.title, phase: s.phase, attempt: 1, action: null }, i * 1000));
    events.push(ev({ type: 'step-finished', stepId: s.id, status: i % 3 === 0 ? 'ok' : i % 3 === 1 ? 'failed' : 'skipped', durationMs: 900, attempts: 1, continued: true }, i * 1000 + 900));
  });
  events.push(ev({ type: 'run-finished', status: 'done', durationMs: titles.length * 1000, exitCode: 0 }, titles.length * 1000));
  return events;
}

describe('gantt', () => {
  it('titles, phases and the chart title that would break mermaid are made safe', () => {
    const chart = gantt(buildReport(runWith(NASTY, ['Assess: 1', 'Act # 2; now', null, '%%{init}%%']))) ?? '';
    expect(validateGantt(chart), chart).toEqual([]);
    for (const line of chart.split('\n').slice(4)) {
      const t = line.trim();
      if (t.startsWith('section ')) continue;
      expect(t.slice(0, t.indexOf(':'))).not.toMatch(/[#;%`]/);
    }
    expect(chart).toContain('Title∶ with a colon');
    expect(chart).toContain('Step section Assess');
    expect(chart).toContain('Step Click here');
    expect(chart).toContain('Step 2026-01-01 cutover');
    expect(chart).toContain('section Steps');
  });

  it('step ids that are tag words or hold odd characters become unique, valid task ids', () => {
    const chart = gantt(buildReport(runWith(['a', 'b', 'c', 'd'], ['P'], ['done', 'crit', 'a.b', 'a_b']))) ?? '';
    expect(validateGantt(chart), chart).toEqual([]);
    expect(chart).toContain(', s_done, ');
    expect(chart).toContain(':s_a_b, ');
    expect(chart).toContain(', s_a_b_2, ');
  });

  it('status tags: done for ok and by hand, crit for failures, none for skipped', () => {
    const chart = gantt(buildReport(runWith(['ok one', 'failed one', 'skipped one'], ['P']))) ?? '';
    expect(chart).toMatch(/ok one :done, s_step-0, /);
    expect(chart).toMatch(/failed one \(failed\) :crit, s_step-1, /);
    expect(chart).toMatch(/skipped one \(skipped\) :s_step-2, /);
  });

  it('ganttText never returns an empty label', () => {
    expect(ganttText('  \n ')).toBe('step');
    expect(ganttText('a:b#c;d%e`f')).toBe("a∶b＃c,d％e'f");
  });
});

describe('the validator rejects what mermaid would not parse', () => {
  const ok = ['gantt', '    title T', '    dateFormat x', '    axisFormat %H:%M:%S', '    section S', '    Task :done, s_a, 1000, 2000'];
  const without = (i: number, line?: string): string => ok.map((l, j) => (j === i ? line : l)).filter((l): l is string => l !== undefined).join('\n');
  it('accepts the reference block', () => {
    expect(validateGantt(ok.join('\n'))).toEqual([]);
    expect(validateGantt(['gantt', 'dateFormat HH:mm:ss', 'axisFormat %H:%M', 'section S', 'T :s_a, 00:00:00, 90s'].join('\n'))).toEqual([]);
  });
  it.each([
    ['no gantt header', 0, 'graph TD'],
    ['no dateFormat', 2, undefined],
    ['no axisFormat', 3, undefined],
    ['unknown dateFormat', 2, '    dateFormat YYYY-MM-DD'],
    ['a colon in a section', 4, '    section A: B'],
    ['a hash in a task', 5, '    Task #1 :done, s_a, 1000, 2000'],
    ['a semicolon in data', 5, '    Task :done, s_a, 1000; 2000'],
    ['a keyword task', 5, '    section x :done, s_a, 1000, 2000'],
    ['a date-looking task', 5, '    2026-01-01 go :done, s_a, 1000, 2000'],
    ['a tag word as id', 5, '    Task :done, crit, 1000, 2000'],
    ['a bad id', 5, '    Task :done, s a, 1000, 2000'],
    ['a bad start', 5, '    Task :done, s_a, 12:00, 2000'],
    ['a bad end', 5, '    Task :done, s_a, 1000, soon'],
    ['an end before its start', 5, '    Task :done, s_a, 2000, 1000'],
    ['missing fields', 5, '    Task :done, 1000'],
    ['a comment', 5, '    %% Task :done, s_a, 1000, 2000'],
    ['a task outside any section', 4, undefined],
  ])('%s', (_name, i, line) => {
    expect(validateGantt(without(i, line)).length).toBeGreaterThan(0);
  });
  it('a duplicate id', () => {
    expect(validateGantt([...ok, '    Other :s_a, 2000, 3000'].join('\n'))).toContain('line 7: duplicate task id "s_a"');
  });
});

describe('Markdown escaping', () => {
  it('table cells escape pipes and markup and keep line breaks as <br>', () => {
    expect(cell('a | b\nc *d* <e> $5 [x](y)')).toBe('a \\| b<br>c \\*d\\* \\<e\\> \\$5 \\[x\\](y)');
    expect(cell('')).toBe('—');
    expect(cell(null)).toBe('—');
    expect(text('one\n  two')).toBe('one two');
    expect(code('a|b')).toBe('`a\\|b`');
    expect(code('a|b', false)).toBe('`a|b`');
    expect(code('x `y` z')).toBe('``x `y` z``');
  });

  it('every table row of a report has as many cells as its header, whatever the titles hold', () => {
    const md = renderMarkdown(buildReport(runWith(NASTY, ['Assess | one', 'Act'])));
    let cols: number | null = null;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        cols = null;
        continue;
      }
      const n = line.replace(/\\\|/g, '').split('|').length - 2;
      cols ??= n;
      expect(n, line).toBe(cols);
    }
  });
});
