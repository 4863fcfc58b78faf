import { formatDuration } from '../dsl/duration.js';
import type { EventSink, JournalEvent, StepSummary } from '../interpreter/events.js';
import { makeStyle, type Style } from './colors.js';
import { modeBadge } from './mode-badge.js';
import { STATUS_ICON } from './status-icons.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean };

/** One line per event, durations on every finished step, and a summary against the RTO at the end. */
export class PlainReporter implements EventSink {
  readonly #out: Out;
  readonly #st: Style;
  #steps = new Map<string, StepSummary>();
  #phase: string | null | undefined;
  #rtoMs: number | null = null;
  #counts: Record<string, number> = {};
  #phaseTimes = new Map<string, number>();
  #planning = false;
  #mode = 'live';
  #runId = '';
  #resumed = false;
  #finishedIds = new Set<string>();
  #effects = new Map<string, number>();

  constructor(out: Out = process.stdout, env: NodeJS.ProcessEnv = process.env) {
    this.#out = out;
    this.#st = makeStyle(out, env);
  }

  write(e: JournalEvent): void {
    const st = this.#st;
    switch (e.type) {
      case 'run-started': {
        this.#steps = new Map(e.steps.map((s) => [s.id, s]));
        this.#rtoMs = e.rtoMs;
        this.#planning = e.mode === 'dry-run';
        this.#mode = e.mode;
        this.#runId = e.runId;
        this.#line(`${modeBadge(e.mode, st)} ${st.bold(e.title)} ${st.dim(`(${e.runbookId})`)}`);
        const rto = e.rtoMs === null ? 'no RTO set' : `RTO ${formatDuration(e.rtoMs)}`;
        const scope = e.from ? ` · from ${e.from}` : e.only ? ` · only ${e.only}` : '';
        this.#line(st.dim(`run ${e.runId} · operator ${e.operator}@${e.host} · ${e.steps.length} steps · ${rto}${scope}`));
        const params = Object.entries(e.params);
        if (params.length) this.#line(st.dim(`params ${params.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ')}`));
        break;
      }
      case 'run-resumed':
        this.#resumed = true;
        this.#line(st.yellow(`↻ resumed by ${e.operator}@${e.host}${e.forced ? ` (--force; changed steps: ${e.changedSteps.join(', ')})` : ''}`));
        break;
      case 'lock-takeover':
        this.#line(st.yellow(`⚠ took over a stale lock "${e.key}" (held by run ${String(e.previous['runId'])}, pid ${String(e.previous['pid'])}, which is gone)`));
        break;
      case 'lease-unlocked':
        this.#line(st.yellow(`⚠ lease "${e.key}" unlocked by ${e.by}@${e.host}: ${e.reason} — this run stops before its next step`));
        break;
      case 'approval-requested': {
        const who = e.needed === 1 ? 'a second operator' : `${e.needed} other operators`;
        this.#line(`          ${st.yellow('⏳')} waiting for ${who} (not ${e.runner}) to approve, up to ${formatDuration(e.timeoutMs)}:`);
        this.#line(`             ${st.bold(`runbook approve ${this.#runId} ${e.stepId}`)}   (or --reject --reason TEXT)`);
        break;
      }
      case 'approval-given':
        this.#line(`          ${st.green('✔')} approved by ${e.by}@${e.host}${e.reason ? `: ${e.reason}` : ''}`);
        break;
      case 'approval-rejected':
        this.#line(`          ${st.red('✖')} rejected by ${e.by}@${e.host}: ${e.reason}`);
        break;
      case 'approval-timed-out':
        this.#line(`          ${st.red('✖')} no approval after ${formatDuration(e.waitedMs)}`);
        break;
      case 'step-started': {
        this.#enterPhase(e.phase);
        const effect = e.action?.effect ?? 'gate';
        this.#effects.set(effect, (this.#effects.get(effect) ?? 0) + 1);
        const attempt = e.attempt > 1 ? st.dim(` (attempt ${e.attempt})`) : '';
        // In a probe only read-only steps run; the rest are rendered like a dry-run.
        const rendered = this.#planning || (this.#mode === 'probe' && e.action?.effect !== 'read-only');
        const icon = rendered ? st.dim(STATUS_ICON.planned) : st.cyan(STATUS_ICON.running);
        const tag = !e.action ? '' : e.action.effect === 'mutating' ? ` ${st.yellow('[mutating]')}` : ` ${st.dim(`[${e.action.effect}]`)}`;
        this.#line(`${icon} ${st.dim(e.kind.padEnd(7))} ${st.bold(e.stepId)}  ${e.title}${attempt}${tag}`);
        if (e.action) for (const l of e.action.text.split('\n')) this.#line(`          ${l}`);
        // Reviewing a plan, the why matters as much as the what (live, confirms print theirs when asked).
        if (e.description && (this.#planning || this.#mode === 'probe')) for (const l of e.description.trim().split('\n')) this.#line(st.dim(`          » ${l}`));
        break;
      }
      case 'output':
        for (const l of e.text.replace(/\n$/, '').split('\n')) this.#line(e.stream === 'stderr' ? `          ${st.red('!')} ${l}` : `          ${st.dim('│')} ${l}`);
        break;
      case 'attempt-failed':
        this.#line(`          ${st.yellow('↻')} attempt ${e.attempt} failed: ${e.error}${e.retryInMs === null ? '' : `; retrying in ${formatDuration(e.retryInMs)}`}`);
        break;
      case 'confirm-answered':
        this.#line(`          ${st.cyan('?')} ${e.answer ? 'yes' : 'no'} — ${e.by === 'scenario' ? 'answered by the scenario (--auto)' : e.auto ? 'answered automatically (--yes)' : `by ${e.by}${e.decideMs === undefined ? '' : st.dim(` after ${formatDuration(e.decideMs)}`)}`}`);
        break;
      case 'decision': {
        const why = e.reason ? `: ${e.reason}` : e.note ? `: ${e.note}` : '';
        this.#line(`          ${st.yellow('→')} ${e.choice}${why} (by ${e.by}${e.decideMs === undefined ? '' : ` after ${formatDuration(e.decideMs)}`})`);
        break;
      }
      case 'step-finished':
        this.#finished(e);
        break;
      case 'step-interrupted':
        this.#line(`${st.red(STATUS_ICON.interrupted)} ${e.stepId} interrupted by ${e.signal} after ${formatDuration(e.durationMs)}`);
        break;
      case 'warning':
        this.#line(st.yellow(`⚠ ${e.stepId ? `${e.stepId}: ` : ''}${e.message}`));
        break;
      case 'sim-event':
        this.#line(st.magenta(`⏱ scenario at ${formatDuration(e.atMs)}: ${e.message}`));
        break;
      case 'run-finished':
        this.#summary(e);
        break;
    }
  }

  /** Phase headings come with the first step shown in the phase, started or skipped. */
  #enterPhase(phase: string | null): void {
    if (phase === this.#phase) return;
    this.#phase = phase;
    if (phase !== null) this.#line(this.#st.bold(`── ${phase}`));
  }

  #finished(e: Extract<JournalEvent, { type: 'step-finished' }>): void {
    const st = this.#st;
    this.#enterPhase(this.#steps.get(e.stepId)?.phase ?? null);
    this.#counts[e.status] = (this.#counts[e.status] ?? 0) + 1;
    this.#finishedIds.add(e.stepId);
    const phase = this.#steps.get(e.stepId)?.phase ?? '';
    this.#phaseTimes.set(phase, (this.#phaseTimes.get(phase) ?? 0) + e.durationMs);
    const d = st.dim(formatDuration(e.durationMs));
    const tries = e.attempts > 1 ? st.dim(` after ${e.attempts} attempts`) : '';
    switch (e.status) {
      case 'ok':
        this.#line(`${st.green(STATUS_ICON.ok)} ${e.stepId} ${d}${tries}`);
        break;
      case 'planned':
        break; // the step-started line already shows what would run
      case 'failed':
        this.#line(`${st.red(STATUS_ICON.failed)} ${e.stepId} ${d}${tries} ${st.red(e.error ?? 'failed')}${e.continued ? st.dim(' (continuing)') : ''}`);
        break;
      case 'skipped':
        if (!this.#steps.has(e.stepId) || e.durationMs === 0) this.#line(`${st.dim(STATUS_ICON.skipped)} ${e.stepId} ${st.dim(`skipped: ${e.reason ?? ''}`)}`);
        else this.#line(`${st.yellow(STATUS_ICON.skipped)} ${e.stepId} ${d} skipped: ${e.reason ?? ''}${e.by ? ` (by ${e.by})` : ''}`);
        break;
      case 'done-by-hand':
        this.#line(`${st.yellow(STATUS_ICON['done-by-hand'])} ${e.stepId} ${d} done by hand: ${e.note ?? ''}${e.by ? ` (by ${e.by})` : ''}`);
        break;
    }
  }

  #summary(e: Extract<JournalEvent, { type: 'run-finished' }>): void {
    const st = this.#st;
    const word = { done: st.green('DONE'), failed: st.red('FAILED'), aborted: st.red('ABORTED'), interrupted: st.red('INTERRUPTED') }[e.status];
    const notRun = this.#resumed ? 0 : [...this.#steps.keys()].filter((id) => !this.#finishedIds.has(id)).length;
    if (this.#mode === 'dry-run') {
      const effects = [...this.#effects].map(([k, n]) => `${n} ${k}`).join(', ');
      this.#line('');
      this.#line(`${st.bold('PLAN')} · ${this.#steps.size} steps${effects ? ` (${effects})` : ''}${this.#rtoMs === null ? ' · no RTO set' : ` · RTO ${formatDuration(this.#rtoMs)}`} · nothing was run`);
      return;
    }
    const counts = [...Object.entries(this.#counts).map(([k, n]) => `${n} ${k}`), ...(notRun ? [`${notRun} not run`] : [])].join(', ');
    let rto = '';
    // A simulation is measured on its simulated clock (the exercise's RTO); the real time is shown beside it.
    const took = e.simDurationMs ?? e.durationMs;
    const label = e.simDurationMs === undefined ? '' : 'simulated ';
    const real = e.simDurationMs === undefined ? '' : st.dim(` · real ${formatDuration(e.durationMs)}`);
    if (this.#rtoMs !== null && e.status !== 'done') {
      rto = ` · ${label}${formatDuration(took)} · RTO ${formatDuration(this.#rtoMs)} ${st.red('not achieved')}: the run did not complete${real}`;
    } else if (this.#rtoMs !== null) {
      const pct = Math.round((took / this.#rtoMs) * 1000) / 10;
      const verdict = took <= this.#rtoMs ? st.green('within RTO') : st.red('over RTO');
      rto = ` · ${label}${formatDuration(took)} of RTO ${formatDuration(this.#rtoMs)} (${pct}%, ${verdict})${real}`;
    } else rto = ` · ${label}${formatDuration(took)} (no RTO set)${real}`;
    const phases = [...this.#phaseTimes].filter(([p]) => p !== '').map(([p, ms]) => `${p} ${formatDuration(ms)}`).join(' · ');
    this.#line('');
    this.#line(`${word}${rto}`);
    if (counts) this.#line(st.dim(`${this.#resumed ? 'steps this session' : 'steps'}: ${counts}`));
    if (phases) this.#line(st.dim(`phases: ${phases}`));
    if (e.status !== 'done' && (this.#mode === 'live' || this.#mode === 'simulate') && this.#runId) {
      this.#line(`to continue: ${st.bold(`runbook resume ${this.#runId}`)}  (finished steps are not rerun; "runbook show ${this.#runId}" shows where it stopped)`);
    }
  }

  #line(s: string): void {
    this.#out.write(`${s}\n`);
  }
}
