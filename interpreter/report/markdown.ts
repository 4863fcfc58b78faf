import { formatDuration } from '../../dsl/duration.js';
import { statusGlyph } from '../../tui/status-icons.js';
import { gantt } from './gantt.js';
import { cell, code, table, text } from './md.js';
import type { ReportDecision, ReportFailure, ReportNotification, ReportStep, RunReport } from './model.js';
import { clockTime, dateTime, offset } from './time.js';

const MODE_NOTE: Record<RunReport['run']['mode'], { alert: string; word: string; what: string }> = {
  live: { alert: 'IMPORTANT', word: 'LIVE', what: 'this run acted on real systems.' },
  'dry-run': { alert: 'NOTE', word: 'DRY-RUN', what: 'nothing was run, connected or changed; every action was rendered as it would have run.' },
  probe: { alert: 'NOTE', word: 'PROBE', what: 'read-only checks ran for real; every other step was rendered, not run.' },
  simulate: { alert: 'NOTE', word: 'SIMULATION', what: 'a tabletop exercise: no system was touched; the scenario played the world, times are simulated; the decisions were the participants\' (or the scenario\'s, with --auto).' },
};

const STATUS_WORD: Record<string, string> = { 'done-by-hand': 'done by hand' };
const CHOICE: Record<string, string> = { retry: 'retry', skip: 'skip', done: 'done by hand', abort: 'abort', yes: 'answered yes', no: 'answered no' };

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(r: RunReport): string {
  const out: string[] = [];
  const push = (...l: string[]): void => {
    out.push(...l);
  };
  const mode = MODE_NOTE[r.run.mode];
  const sim = r.clock === 'simulated';
  const at = (iso: string, simMs: number | null): string => (sim ? (simMs === null ? '—' : offset(simMs)) : clockTime(iso, r.run.startedAt));

  push(`# Run report: ${text(r.runbook.title)}`, '', `> [!${mode.alert}]`, `> **${mode.word}** — ${mode.what}`, '');
  push(`- **Runbook:** ${code(r.runbook.id, false)} — ${text(r.runbook.title)} (${code(r.runbook.file, false)})`);
  push(`- **Mode:** **${mode.word}**`);
  push(`- **Run:** ${code(r.run.id, false)}`);
  if (r.run.mode === 'simulate') {
    const sc = r.run.scenario;
    push(`- **Scenario:** ${sc ? `${text(sc.name)}${sc.file ? ` (${code(sc.file, false)})` : ''}${sc.description ? ` — ${text(sc.description)}` : ''}` : 'default (every step succeeds)'}`);
  }
  push(`- **Started:** ${dateTime(r.run.startedAt)} by **${text(r.run.operators.started)}** on ${code(r.run.host, false)}`);
  for (const x of r.run.resumes) {
    const forced = x.forced ? ` (forced; changed steps: ${x.changedSteps.map(text).join(', ') || 'none'})` : '';
    push(`- **Resumed:** ${dateTime(x.at)} by **${text(x.operator)}** on ${code(x.host, false)}${forced}`);
  }
  const byScenario = r.decisions.some((d) => d.by === 'scenario');
  const deciders = [...r.run.operators.decided.map(text), ...(byScenario ? ['the scenario (--auto)'] : [])];
  push(`- **Decisions by:** ${deciders.length ? deciders.join(', ') : '—'}`);
  if (r.run.from) push(`- **Scope:** from step ${code(r.run.from, false)} (earlier steps skipped)`);
  if (r.run.only) push(`- **Scope:** only step ${code(r.run.only, false)}`);
  if (r.run.tornTail) push('- **Note:** the journal\'s last line was cut short by a crash and was ignored.');
  push('');
  const params = Object.entries(r.run.params);
  if (params.length) {
    push('**Params** (secrets are never recorded: they show as `***`)', '');
    push(...table(['Param', 'Value'], params.map(([k, v]) => [code(k), `${code(typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined')}${r.run.secretParams.includes(k) ? ' (secret)' : ''}`])), '');
  }

  push('## Outcome', '');
  const exit = r.outcome.exitCode === null ? '' : ` · exit code ${r.outcome.exitCode}`;
  push(`- **Status:** ${statusGlyphFor(r.outcome.status)} ${r.outcome.status}${exit}`);
  push(`- **RTO:** ${rtoLine(r)}`);
  const real = r.outcome.realDurationMs === null ? 'not finished' : formatDuration(r.outcome.realDurationMs);
  if (sim) push(`- **Duration:** ${r.outcome.simulatedDurationMs === null ? '—' : formatDuration(r.outcome.simulatedDurationMs)} simulated · ${real} real (the exercise itself)`);
  else push(`- **Duration:** ${real} (wall clock${r.run.resumes.length ? ', including the time between sessions' : ''})`);
  push('');

  push('## Timeline', '');
  push(sim ? '_Simulated time: offsets from the start of the exercise._' : `_Wall-clock time, UTC, on ${r.run.startedAt.slice(0, 10)}._`, '');
  push(...table(['Phase', 'Step', 'Title', 'Kind', 'Start', 'End', 'Duration', 'Status', 'Attempts', 'Decided by', 'Notes'], r.steps.map((s) => stepRow(s, sim, r.run.startedAt)), [
    'l', 'l', 'l', 'l', 'l', 'l', 'r', 'l', 'r', 'l', 'l',
  ]), '');

  push('## Decisions', '');
  if (r.decisions.length === 0) push('_None: no confirmation was answered and no failure needed a choice._', '');
  else push(...table(['Time', 'Step', 'Decision', 'By', 'Time to decide', 'Reason / note'], r.decisions.map((d) => decisionRow(d, at(d.at, d.simAtMs), r.run.mode === 'simulate' ? '--auto' : '--yes'))), '');

  push('## Failures', '');
  if (r.failures.length === 0) push('_None._', '');
  else push(...table(['Time', 'Step', 'Attempt', 'Error', 'Resolution'], r.failures.map((f) => failureRow(f, at(f.at, f.simAtMs))), ['l', 'l', 'r', 'l', 'l']), '');

  push('## Warnings', '');
  if (r.warnings.length === 0) push('_None._', '');
  else push(...r.warnings.map((w) => `- ${at(w.at, w.simAtMs)}${w.stepId ? ` ${code(w.stepId, false)}:` : ''} ${text(w.message)}`), '');

  if (r.run.mode === 'simulate') {
    push('## Scenario events', '');
    if (r.scenarioEvents.length === 0) push('_None: the scenario scheduled no events._', '');
    else push(...table(['At (simulated)', 'Event', 'Changes'], r.scenarioEvents.map((e) => [offset(e.atMs), cell(e.message), cell(Object.entries(e.set).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n'))])), '');
  }

  push('## Notifications', '');
  if (r.notifications.length === 0) push('_None._', '');
  else push(...table(['Step', 'Channel', 'Status', 'Message'], r.notifications.map(notificationRow)), '');

  push('## Timeline chart', '');
  const chart = gantt(r);
  if (chart === null) push('_No step started: nothing to chart._', '');
  else push('```mermaid', chart, '```', '');

  push('## Lessons learned / actions', '', '_To fill in at the review._', '');
  push(...table(['#', 'What happened', 'Action', 'Owner', 'Due'], [['1', ' ', ' ', ' ', ' ']]), '');
  push(`<sub>Generated by \`runbook report\` from the journal of run ${code(r.run.id, false)} (report format v${r.version}).</sub>`);
  return `${out.join('\n')}\n`;
}

function statusGlyphFor(status: string): string {
  return status === 'done' ? '✔' : status === 'crashed' || status === 'interrupted' ? '■' : status === 'running' ? '▶' : '✖';
}

function rtoLine(r: RunReport): string {
  const { targetMs, achievedMs, verdict, marginMs, clock } = r.rto;
  const target = targetMs === null ? null : formatDuration(targetMs);
  const achieved = achievedMs === null ? null : `${formatDuration(achievedMs)} (${clock === 'simulated' ? 'simulated time' : 'real time'})`;
  switch (verdict) {
    case 'not-measured':
      return `${target ? `target ${target} · ` : ''}not measured: ${r.run.mode === 'probe' ? 'a probe runs only read-only checks' : 'a dry-run recovers nothing'}`;
    case 'no-target':
      return `no target (the runbook sets no \`rto\`)${achieved ? ` · took ${achieved}` : ''}`;
    case 'within':
      return `target ${target} · achieved ${achieved} · **within target** (${formatDuration(marginMs ?? 0)} to spare)`;
    case 'exceeded':
      return `target ${target} · achieved ${achieved} · **exceeded by ${formatDuration(-(marginMs ?? 0))}**${r.outcome.status === 'done' ? '' : ` (and the run ${r.outcome.status === 'crashed' ? 'crashed' : r.outcome.status === 'running' ? 'is still running' : `ended ${r.outcome.status}`})`}`;
    case 'not-achieved':
      return `target ${target} · **not achieved**: the run ${r.outcome.status === 'running' ? 'has not finished' : r.outcome.status === 'crashed' ? 'crashed' : `ended ${r.outcome.status}`}${achieved ? ` after ${achieved}` : ''}`;
  }
}

function stepRow(s: ReportStep, sim: boolean, runStart: string): string[] {
  const start = sim ? (s.simStartMs === null ? null : offset(s.simStartMs)) : s.startedAt === null ? null : clockTime(s.startedAt, runStart);
  const end = sim ? (s.simEndMs === null ? null : offset(s.simEndMs)) : s.finishedAt === null ? null : clockTime(s.finishedAt, runStart);
  const dur = sim
    ? s.simStartMs !== null && s.simEndMs !== null ? formatDuration(Math.max(0, s.simEndMs - s.simStartMs)) : null
    : s.durationMs === null ? null : formatDuration(s.durationMs);
  return [
    cell(s.phase), code(s.id), cell(s.title), s.kind, cell(start), cell(end), cell(dur),
    `${statusGlyph(s.status)} ${STATUS_WORD[s.status] ?? s.status}`, String(s.attempts), cell(s.decidedBy), cell(s.detail),
  ];
}

function decisionRow(d: ReportDecision, at: string, autoFlag: string): string[] {
  const took = d.auto ? `automatic (${autoFlag})` : d.decideMs === null ? null : formatDuration(d.decideMs);
  return [at, code(d.stepId), d.type === 'confirm' ? `confirm: ${CHOICE[d.choice] ?? d.choice}` : d.type === 'approval' ? `four-eyes approval: ${d.choice}` : `after failure: ${CHOICE[d.choice] ?? d.choice}`, cell(d.by), cell(took), cell(d.why)];
}

function failureRow(f: ReportFailure, at: string): string[] {
  return [at, code(f.stepId), f.attempt === null ? '—' : String(f.attempt), cell(f.error), cell(resolution(f))];
}

function resolution(f: ReportFailure): string {
  const by = f.by ? ` by ${f.by}` : '';
  switch (f.resolution) {
    case 'retried-automatically':
      return `retried automatically${f.detail ? ` (${f.detail})` : ''}`;
    case 'retried-by-operator':
      return `retried${by}${f.detail ? ` — ${f.detail}` : ''}`;
    case 'skipped':
      return `skipped${by} — reason: ${f.detail ?? '(none given)'}`;
    case 'done-by-hand':
      return `done by hand${by} — note: ${f.detail ?? '(none given)'}`;
    case 'continued':
      return 'continued (continueOnError)';
    case 'aborted':
      return f.error === 'answered no' ? `answered no${by}: run aborted` : `run aborted${by}`;
    case 'failed-the-run':
      return 'failed the run';
    case 'interrupted':
      return 'run interrupted (resumable)';
    case 'unresolved':
      return 'not resolved: the run has not finished';
  }
}

function notificationRow(n: ReportNotification): string[] {
  const status = {
    sent: 'sent', failed: `not delivered: ${n.error ?? 'failed'}`, 'would-send': 'would be sent (not run)', captured: 'captured, not sent (simulation)',
    'not-sent': `not sent${n.error ? ` (${n.error})` : ''}`,
  }[n.status];
  return [code(n.stepId), cell(n.channel), cell(status), cell(n.message)];
}
