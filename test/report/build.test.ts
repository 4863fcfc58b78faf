// The report model from hand-written journals: how each failure was resolved (resume, abort, a confirm
// answered no, no one to ask), operators, RTO verdicts, time to decide, unfinished runs, secrets.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { buildReport } from '../../interpreter/report/build.js';
import { gantt } from '../../interpreter/report/gantt.js';
import { renderMarkdown } from '../../interpreter/report/markdown.js';
import { readJournal } from '../../interpreter/store/journal-reader.js';
import { ev, started } from '../helpers/events.js';
import { mermaidBlocks, validateGantt } from './gantt-validator.js';

const steps = [
  { id: 'a', phase: 'One', kind: 'exec' as const },
  { id: 'b', phase: 'One', kind: 'exec' as const },
  { id: 'c', phase: 'Two', kind: 'confirm' as const },
];

function valid(events: readonly JournalEvent[]): string {
  const md = renderMarkdown(buildReport(events));
  for (const b of mermaidBlocks(md)) expect(validateGantt(b)).toEqual([]);
  return md;
}

describe('failures and how they were resolved', () => {
  it('an interruption resolved on resume by another operator (done by hand), who shows as resumer and decider', () => {
    const events = [
      started(steps),
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: null }, 1000),
      ev({ type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 1000, attempts: 1 }, 2000),
      ev({ type: 'step-started', stepId: 'b', kind: 'exec', title: 'Title b', phase: 'One', attempt: 1, action: null }, 2000),
      ev({ type: 'step-interrupted', stepId: 'b', signal: 'SIGINT', durationMs: 500 }, 2500),
      ev({ type: 'run-finished', status: 'interrupted', durationMs: 2500, exitCode: 130 }, 2500),
      ev({ type: 'run-resumed', operator: 'erin', host: 'h2', pid: 2, forced: false, changedSteps: [] }, 60_000),
      ev({ type: 'decision', stepId: 'b', choice: 'done', by: 'erin', note: 'ran the migration by hand' }, 60_000),
      ev({ type: 'step-finished', stepId: 'b', status: 'done-by-hand', durationMs: 0, attempts: 0, note: 'ran the migration by hand', by: 'erin' }, 60_000),
      ev({ type: 'step-started', stepId: 'c', kind: 'confirm', title: 'Title c', phase: 'Two', attempt: 1, action: null }, 60_000),
      ev({ type: 'confirm-answered', stepId: 'c', answer: true, by: 'erin', auto: false }, 63_500),
      ev({ type: 'step-finished', stepId: 'c', status: 'ok', durationMs: 3500, attempts: 1, by: 'erin' }, 63_500),
      ev({ type: 'run-finished', status: 'done', durationMs: 63_500, exitCode: 0 }, 63_500),
    ];
    const r = buildReport(events);
    expect(r.run.operators).toEqual({ started: 'dana', resumed: ['erin'], decided: ['erin'] });
    expect(r.failures).toEqual([
      expect.objectContaining({ stepId: 'b', error: 'interrupted (SIGINT)', resolution: 'done-by-hand', by: 'erin', detail: 'ran the migration by hand' }),
    ]);
    expect(r.steps.find((s) => s.id === 'b')).toMatchObject({ status: 'done-by-hand', attempts: 1, decidedBy: 'erin' });
    // No recorded decideMs (an older journal): the gap between the question and the answer.
    expect(r.decisions.find((d) => d.stepId === 'c')).toMatchObject({ decideMs: 3500, auto: false });
    expect(r.decisions.find((d) => d.stepId === 'b')).toMatchObject({ decideMs: null });
    expect(r.rto).toMatchObject({ verdict: 'exceeded', targetMs: 60_000, achievedMs: 63_500, marginMs: -3500, clock: 'real' });
    const md = valid(events);
    expect(md).toContain('- **Resumed:** 2026-01-01 00:01:00 UTC by **erin** on `h2`');
    expect(md).toContain('**exceeded by 3.50s**');
    expect(md).toContain('done by hand by erin — note: ran the migration by hand');
  });

  it('abort at the failure menu is one failure (aborted), not two; the RTO is not achieved', () => {
    const events = [
      started(steps),
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: null }, 0),
      ev({ type: 'attempt-failed', stepId: 'a', attempt: 1, error: 'exit 1', retryInMs: null }, 100),
      ev({ type: 'decision', stepId: 'a', choice: 'abort', by: 'dana', decideMs: 4000 }, 4100),
      ev({ type: 'step-finished', stepId: 'a', status: 'failed', durationMs: 4100, attempts: 1, error: 'exit 1' }, 4100),
      ev({ type: 'run-finished', status: 'aborted', durationMs: 4100, exitCode: 3 }, 4100),
    ];
    const r = buildReport(events);
    expect(r.failures).toEqual([expect.objectContaining({ stepId: 'a', resolution: 'aborted', by: 'dana', attempt: 1 })]);
    expect(r.decisions).toEqual([expect.objectContaining({ choice: 'abort', decideMs: 4000 })]);
    expect(r.rto.verdict).toBe('not-achieved');
    expect(r.steps.map((s) => s.status)).toEqual(['failed', 'pending', 'pending']);
    expect(valid(events)).toContain('**not achieved**: the run ended aborted after 4.10s (real time)');
  });

  it('a confirm answered no aborts; a failure with nobody to ask fails the run', () => {
    const no = buildReport([
      started(steps),
      ev({ type: 'step-started', stepId: 'c', kind: 'confirm', title: 'Title c', phase: 'Two', attempt: 1, action: null }, 0),
      ev({ type: 'confirm-answered', stepId: 'c', answer: false, by: 'dana', auto: false, decideMs: 900 }, 900),
      ev({ type: 'step-finished', stepId: 'c', status: 'failed', durationMs: 900, attempts: 1, error: 'answered no', by: 'dana' }, 900),
      ev({ type: 'run-finished', status: 'aborted', durationMs: 900, exitCode: 3 }, 900),
    ]);
    expect(no.failures).toEqual([expect.objectContaining({ stepId: 'c', error: 'answered no', resolution: 'aborted', by: 'dana' })]);
    expect(renderMarkdown(no)).toContain('answered no by dana: run aborted');
    const unattended = buildReport([
      started(steps),
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: null }, 0),
      ev({ type: 'step-finished', stepId: 'a', status: 'failed', durationMs: 10, attempts: 1, error: 'exit 2' }, 10),
      ev({ type: 'run-finished', status: 'failed', durationMs: 10, exitCode: 1 }, 10),
    ]);
    expect(unattended.failures).toEqual([expect.objectContaining({ stepId: 'a', resolution: 'failed-the-run' })]);
    expect(unattended.outcome).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  it('a run that has not finished: the running step is active in the chart, the RTO not achieved', () => {
    const events = [
      started(steps),
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: null }, 0),
      ev({ type: 'attempt-failed', stepId: 'a', attempt: 1, error: 'exit 1', retryInMs: null }, 100),
    ];
    const r = buildReport(events, { status: 'running' });
    expect(r.steps[0]).toMatchObject({ status: 'running', finishedAt: null });
    expect(r.failures).toEqual([expect.objectContaining({ resolution: 'unresolved' })]);
    expect(r.rto.verdict).toBe('not-achieved');
    expect(gantt(r)).toMatch(/Title a \(running\) :active, s_a, \d+, \d+/);
    const crashed = buildReport(events, { status: 'crashed' });
    expect(crashed.steps[0]?.status).toBe('interrupted');
    expect(renderMarkdown(crashed)).toContain('**not achieved**: the run crashed');
    valid(events);
  });

  it('no RTO in the runbook: no target, and the time it took', () => {
    const s = started(steps);
    const events = [{ ...s, rtoMs: null } as JournalEvent, ev({ type: 'run-finished', status: 'done', durationMs: 1500, exitCode: 0 }, 1500)];
    const r = buildReport(events);
    expect(r.rto).toEqual({ targetMs: null, achievedMs: 1500, clock: 'real', verdict: 'no-target', marginMs: null });
    expect(renderMarkdown(r)).toContain('no target (the runbook sets no `rto`) · took 1.50s (real time)');
    expect(renderMarkdown(r)).toContain('_No step started: nothing to chart._');
  });
});

describe('modes', () => {
  it('a probe: its marker, read-only checks ran, the rest planned, RTO not measured, notifications would be sent', () => {
    const events = [
      started([{ id: 'a', phase: 'One', kind: 'check' }, { id: 'n', phase: 'One', kind: 'notify' }], 'probe'),
      ev({ type: 'step-started', stepId: 'a', kind: 'check', title: 'Title a', phase: 'One', attempt: 1, action: { text: 'sh: true', effect: 'read-only' } }, 0),
      ev({ type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 5, attempts: 1 }, 5),
      ev({ type: 'step-started', stepId: 'n', kind: 'notify', title: 'Title n', phase: 'One', attempt: 1, action: { text: 'notify console: "all | good"', effect: 'notify' } }, 5),
      ev({ type: 'step-finished', stepId: 'n', status: 'planned', durationMs: 0, attempts: 0 }, 5),
      ev({ type: 'run-finished', status: 'done', durationMs: 6, exitCode: 0 }, 6),
    ];
    const r = buildReport(events);
    expect(r.rto.verdict).toBe('not-measured');
    expect(r.notifications).toEqual([{ stepId: 'n', channel: 'console', message: 'all | good', status: 'would-send', error: null }]);
    const md = valid(events);
    expect(md).toContain('> **PROBE** — read-only checks ran for real');
    expect(md).toContain('not measured: a probe runs only read-only checks');
    expect(md).toContain('| `n` | console | would be sent (not run) | all \\| good |');
  });
});

describe('secrets and old journals', () => {
  it('a secret param shows as *** even if a journal carried its value', () => {
    const s = started(steps);
    const leaky = { ...s, params: { token: 'hunter2-value', host: 'db1' }, secretParams: ['token'] } as JournalEvent;
    const r = buildReport([leaky]);
    expect(r.run.params).toEqual({ token: '***', host: 'db1' });
    expect(JSON.stringify(r)).not.toContain('hunter2-value');
    expect(renderMarkdown(r)).not.toContain('hunter2-value');
  });

  it('the committed v1 journal (recorded before decideMs and simAtMs existed) still makes a valid report', () => {
    const path = fileURLToPath(new URL('../fixtures/journals/v1-complete.ndjson', import.meta.url));
    const { events } = readJournal(path);
    const r = buildReport(events);
    expect(r.version).toBe(1);
    expect(r.steps.map((s) => s.status)).toContain('skipped');
    expect(r.failures).toEqual([expect.objectContaining({ stepId: 'flaky', resolution: 'continued' })]);
    const md = valid(events);
    // recorded with DB_TOKEN=fixture-secret: the journal holds ***, and so does the report
    expect(readFileSync(path, 'utf8')).not.toContain('fixture-secret');
    expect(md).not.toContain('fixture-secret');
    expect(md).toContain('| `token` | `***` (secret) |');
  });
});

describe('simulated clock', () => {
  it('a simulation of a day or more charts on epoch milliseconds from the start instead of HH:mm:ss', () => {
    const s = { ...started(steps, 'simulate'), scenario: null } as JournalEvent;
    const events = [
      s,
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: null, simAtMs: 0 }, 10),
      ev({ type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 90_000_000, attempts: 1, simAtMs: 90_000_000 }, 20),
      ev({ type: 'run-finished', status: 'done', durationMs: 20, exitCode: 0, simDurationMs: 90_000_000 }, 20),
    ];
    const r = buildReport(events);
    expect(r.rto).toMatchObject({ clock: 'simulated', achievedMs: 90_000_000, verdict: 'exceeded' });
    const chart = gantt(r) ?? '';
    expect(chart).toContain('dateFormat x');
    expect(validateGantt(chart)).toEqual([]);
    const md = renderMarkdown(r);
    expect(md).toContain('- **Scenario:** default (every step succeeds)');
    expect(md).toContain('| +25h00m00s |');
  });
});
