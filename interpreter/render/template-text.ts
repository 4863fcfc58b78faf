/**
 * Fills the DR communication templates (disaster declaration, status update, recovery complete; the
 * wording follows the DR plan's communication templates). Live: from the run's progress (start, steps
 * done and remaining, elapsed vs RTO, ETA from the remaining steps' estimates). Dry-run: the same text,
 * with placeholders (`<run start>`, `<steps done>`) for what only the run can know. Pure: no I/O.
 */
import type { StepOutput, StepStatus } from '../../dsl/context.js';
import { formatDuration, formatSpec } from '../../dsl/duration.js';
import { isTemplateMessage, type NotifyNode, type RuntimeCtx, type StepNode, type TemplateNode } from '../../dsl/nodes.js';
import { resolve } from '../engine/context.js';
import type { RunProgress } from '../modes/types.js';

/** The run as the template sees it; undefined in a dry-run. */
export interface TemplateRun {
  readonly progress: RunProgress;
  /** The notify step being filled: neither done nor remaining. */
  readonly stepId: string;
}

const HEADINGS: Record<TemplateNode['template'], string> = {
  declaration: 'DISASTER RECOVERY INITIATED',
  'status-update': 'DR STATUS UPDATE',
  'recovery-complete': 'DR RECOVERY COMPLETE',
};

const DONE_WORDS: Record<StepStatus, string> = { ok: 'done', 'done-by-hand': 'done by hand', failed: 'failed', skipped: 'skipped', planned: 'planned' };

/** The message of a notify step as text: a string, `c => string`, or a template filled from the run (placeholders without one). */
export function messageText(node: NotifyNode, c: RuntimeCtx, run: TemplateRun | undefined): string {
  return isTemplateMessage(node.message) ? fillTemplate(node.message, c, run) : String(resolve(node.message, c, 'notify message'));
}

export function fillTemplate(node: TemplateNode, c: RuntimeCtx, run: TemplateRun | undefined): string {
  const f = fields(node, c);
  const facts = run ? liveFacts(run, c) : dryFacts();
  const title = `${HEADINGS[node.template]}: ${f.text('incidentId') ?? facts.runId} - ${f.text('summary') ?? facts.title}`;
  const services = f.list('services');
  const next = node.nextUpdateMs === undefined ? undefined : facts.at(node.nextUpdateMs);
  const lines: (string | undefined)[] = [title, ''];
  switch (node.template) {
    case 'declaration': {
      lines.push(
        `Time Declared: ${facts.declared}`,
        `Impact: ${f.text('impact') ?? 'Under assessment'}`,
        `Affected Services: ${services?.join(', ') ?? 'Under assessment'}`,
        '',
        `DR Coordinator: ${f.text('incidentCommander') ?? facts.operator}`,
        opt('Communications Lead', f.text('communicationsLead')),
        '',
        'Current Status: DR plan activated, recovery in progress',
        `Estimated Recovery Time: ${facts.eta}`,
        opt('Recovery Time Objective', facts.rtoLine),
        opt('Next Update', next),
      );
      const bridge = f.text('bridge');
      const slack = f.text('slackChannel');
      if (bridge !== undefined || slack !== undefined) lines.push('', opt('Conference Bridge', bridge), opt('Slack Channel', slack));
      break;
    }
    case 'status-update': {
      lines.push(
        `Time: ${facts.now}`,
        `Current Status: ${f.text('status') ?? facts.phaseStatus}`,
        opt('Affected Services', services?.join(', ')),
        `Elapsed: ${facts.elapsedVsRto}`,
        '',
        'Progress:',
        ...bullets([...facts.done, ...(f.list('milestones') ?? [])], 'none yet'),
        '',
        'Remaining Steps:',
        ...bullets(facts.remaining, 'none'),
        '',
        `Revised Recovery Estimate: ${facts.eta}`,
        opt('Next Update', next),
      );
      break;
    }
    case 'recovery-complete': {
      lines.push(
        `Time Completed: ${facts.now}`,
        `Total Recovery Duration: ${facts.totalDuration}`,
        '',
        'Recovered Services:',
        ...bullets((services ?? []).map((s) => `${s}: Fully operational`), 'none listed'),
        '',
        'Outcome Summary:',
        ...bullets([facts.counts, ...(f.list('outcome') ?? [])], ''),
      );
      const follow = f.list('followUps');
      if (follow?.length) lines.push('', 'Follow-up Actions:', ...bullets(follow, ''));
      const review = f.text('reviewAt');
      if (review !== undefined) lines.push('', `Post-Recovery Review scheduled for: ${review}`);
      break;
    }
  }
  return lines.filter((l): l is string => l !== undefined).join('\n').replace(/\n{3,}/g, '\n\n');
}

function opt(label: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : `${label}: ${value}`;
}

function bullets(items: readonly string[], empty: string): string[] {
  return items.length ? items.map((i) => `- ${i}`) : empty ? [`- ${empty}`] : [];
}

/** Field values as text / lists; a comma-separated string counts as a list. */
function fields(node: TemplateNode, c: RuntimeCtx): { text(k: string): string | undefined; list(k: string): string[] | undefined } {
  const value = (k: string): unknown => {
    const v = node.fields[k];
    return v === undefined ? undefined : resolve(v, c, `template field ${k}`);
  };
  return {
    text: (k) => {
      const v = value(k);
      return v === undefined || v === null || v === '' ? undefined : String(v);
    },
    list: (k) => {
      const v = value(k);
      if (v === undefined || v === null) return undefined;
      if (Array.isArray(v)) return v.map(String);
      return String(v).split(',').map((s) => s.trim()).filter((s) => s !== '');
    },
  };
}

interface Facts {
  readonly runId: string;
  readonly title: string;
  readonly operator: string;
  readonly declared: string;
  readonly now: string;
  readonly at: (inMs: number) => string;
  readonly eta: string;
  readonly rtoLine: string | undefined;
  readonly elapsedVsRto: string;
  readonly phaseStatus: string;
  readonly done: readonly string[];
  readonly remaining: readonly string[];
  readonly counts: string;
  readonly totalDuration: string;
}

function dryFacts(): Facts {
  return {
    runId: '<run id>',
    title: '<runbook title>',
    operator: '<operator>',
    declared: '<run start, UTC>',
    now: '<time sent, UTC>',
    at: (ms) => `<time sent + ${formatSpec(ms)}>`,
    eta: '<from the remaining steps\' estimates>',
    rtoLine: '<RTO of the runbook>',
    elapsedVsRto: '<elapsed> of <RTO>',
    phaseStatus: '<phase>: recovery in progress',
    done: ['<steps done at the time>'],
    remaining: ['<steps remaining at the time>'],
    counts: '<steps done / failed / skipped>',
    totalDuration: '<HH:MM since run start> (<against RTO>)',
  };
}

/** Communication steps are not recovery milestones: they are left out of done / remaining / ETA. */
function milestone(step: StepNode): boolean {
  return step.kind !== 'notify';
}

function liveFacts(run: TemplateRun, c: RuntimeCtx): Facts {
  const { plan, outputs, startedAtMs } = run.progress;
  const now = run.progress.now();
  const elapsed = Math.max(0, now - startedAtMs);
  const steps = plan.steps.filter(milestone);
  const finished = steps.filter((s) => isFinished(outputs.get(s.id)));
  const remaining = steps.filter((s) => s.id !== run.stepId && !isFinished(outputs.get(s.id)));
  const estimated = remaining.reduce((sum, s) => sum + (s.options.estimateMs ?? 0), 0);
  const unestimated = remaining.filter((s) => s.options.estimateMs === undefined).length;
  const eta = remaining.length === 0
    ? `${utc(now)} (no steps remain)`
    : estimated === 0
      ? 'Under assessment (no step estimates)'
      : `${utc(now + estimated)} (in ~${formatDuration(estimated)}${unestimated ? `; ${unestimated} step${unestimated === 1 ? '' : 's'} without an estimate not counted` : ''})`;
  const rto = plan.rtoMs;
  const current = plan.steps.find((s) => s.id === run.stepId);
  const byStatus = (st: StepStatus): number => finished.filter((s) => outputs.get(s.id)?.status === st).length;
  const doneCount = byStatus('ok') + byStatus('done-by-hand');
  const counts = [
    `${doneCount} of ${steps.length} steps done`,
    byStatus('failed') ? `${byStatus('failed')} failed` : '',
    byStatus('skipped') ? `${byStatus('skipped')} skipped` : '',
    remaining.length ? `${remaining.length} not run yet` : '',
  ].filter(Boolean).join(', ');
  return {
    runId: c.run.id,
    title: plan.title,
    operator: c.run.operator,
    declared: utc(startedAtMs),
    now: utc(now),
    at: (ms) => utc(now + ms),
    eta,
    rtoLine: rto === undefined ? undefined : `${formatSpec(rto)} (by ${utc(startedAtMs + rto)})`,
    elapsedVsRto: rto === undefined ? `${formatDuration(elapsed)} (no RTO set)` : `${formatDuration(elapsed)} of ${formatSpec(rto)} RTO (${Math.round((elapsed / rto) * 100)}%)`,
    phaseStatus: `${current?.phase ?? 'Recovery'}: recovery in progress`,
    done: finished.map((s) => {
      const out = outputs.get(s.id) as StepOutput<unknown, unknown>;
      return `${s.title}: ${DONE_WORDS[out.status]} (${formatDuration(out.durationMs)})`;
    }),
    remaining: remaining.map((s) => (s.options.estimateMs === undefined ? s.title : `${s.title} (est. ${formatSpec(s.options.estimateMs)})`)),
    counts,
    totalDuration: `${hhmm(elapsed)} (${formatDuration(elapsed)}${rto === undefined ? '' : elapsed <= rto ? `; RTO ${formatSpec(rto)} met, ${formatDuration(rto - elapsed)} to spare` : `; RTO ${formatSpec(rto)} missed by ${formatDuration(elapsed - rto)}`})`,
  };
}

function isFinished(out: StepOutput<unknown, unknown> | undefined): boolean {
  return out !== undefined && out.status !== 'planned';
}

/** `2025-01-31 14:05 UTC`, as in the DR plan's templates. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function hhmm(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
