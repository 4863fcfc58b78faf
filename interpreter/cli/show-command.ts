import { formatDuration } from '../../dsl/duration.js';
import { statusGlyph } from '../../tui/status-icons.js';
import { withStore } from '../store/open-store.js';
import type { RunStore } from '../store/run-store.js';
import { shownStatus } from '../store/run-liveness.js';
import { replay, type ApprovalEvent, type StepState } from '../store/run-state.js';
import { resumeCommandLine } from './runs-command.js';

const CHOICE: Record<string, string> = { retry: 'retry', skip: 'skip', done: 'done by hand', abort: 'abort' };

/** One run: its facts and each step's status and duration (secrets were never journaled). */
export function showCommand(arg: string, f: { json?: boolean; store?: string }): Promise<number> {
  return withStore(f.store, (store) => show(store, arg, f));
}

async function show(store: RunStore, arg: string, f: { json?: boolean; store?: string }): Promise<number> {
  const runId = await store.findRun(arg);
  const { events, tornTail } = await store.readRun(runId);
  const s = replay(events);
  const m = s.meta;
  const st = shownStatus(s, resumeCommandLine(runId, f.store));
  const kinds = new Map(m.steps.map((x) => [x.id, x]));
  const steps = [...s.steps.values()].map((x) => ({ ...x, kind: kinds.get(x.id)?.kind, title: kinds.get(x.id)?.title, phase: kinds.get(x.id)?.phase ?? null }));
  const resumes = s.resumes.map((r) => ({ t: r.t, operator: r.operator, host: r.host, pid: r.pid, forced: r.forced, changedSteps: r.changedSteps }));
  const confirms = s.confirms.map(({ t, stepId, answer, by, auto }) => ({ t, stepId, answer, by, auto }));
  const decisions = s.decisions.map(({ t, stepId, choice, by, reason, note }) => ({ t, stepId, choice, by, ...(reason === undefined ? {} : { reason }), ...(note === undefined ? {} : { note }) }));
  if (f.json) {
    const out = {
      runId, runbookId: m.runbookId, title: m.title, file: m.file, mode: m.mode, status: st.status,
      ...(st.text === st.status ? {} : { statusText: st.text }), ...(st.hint ? { hint: st.hint } : {}), ...(s.status === 'running' ? { driver: s.driver } : {}),
      exitCode: s.exitCode, startedAt: m.t, durationMs: s.durationMs, ...(s.simDurationMs === null ? {} : { simDurationMs: s.simDurationMs }), rtoMs: m.rtoMs, operators: [...s.operators], host: m.host, params: m.params,
      tornTail, resumes, decisions, confirms, steps,
      approvals: s.approvals.map(({ seq: _s, ...a }) => ({ ...a, prev: undefined, h: undefined })), leases: s.leases.map(({ seq: _s, ...l }) => ({ ...l, prev: undefined, h: undefined })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const w = (l: string): boolean => process.stdout.write(`${l}\n`);
  const rto = m.rtoMs === null ? '' : formatDuration(m.rtoMs);
  const took = s.simDurationMs !== null
    ? ` · simulated ${formatDuration(s.simDurationMs)}${rto && ` of RTO ${rto}`} · real ${formatDuration(s.durationMs ?? 0)}`
    : s.durationMs !== null
    ? ` · ${formatDuration(s.durationMs)}${rto && ` of RTO ${rto}`}`
    : ` · started ${formatDuration(Math.max(0, Date.now() - Date.parse(m.t)))} ago, not finished${rto && ` · RTO ${rto}`}`;
  w(`${m.title} (${m.runbookId}) — run ${runId}`);
  w(`mode ${m.mode} · status ${st.text}${took}`);
  if (st.hint) w(st.hint);
  w(`started ${m.t} by ${m.operator} on ${m.host} · file ${m.file}`);
  for (const r of resumes) {
    const forced = r.forced ? ` · forced, changed steps: ${r.changedSteps.join(', ') || 'none'}` : '';
    w(`resumed ${r.t} by ${r.operator} on ${r.host}${forced}`);
  }
  const params = Object.entries(m.params);
  if (params.length) w(`params ${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (tornTail) w('note: the last journal line was cut short by a crash and was ignored');
  let phase: string | null | undefined;
  for (const x of steps) {
    if (x.phase !== phase) {
      phase = x.phase;
      if (phase) w(`── ${phase}`);
    }
    const d = x.durationMs === null ? '' : formatDuration(x.durationMs);
    w(`${statusGlyph(x.status)} ${x.id.padEnd(28)} ${(x.kind ?? '').padEnd(8)} ${x.status.padEnd(12)} ${d.padStart(7)}${detail(x)}`);
  }
  if (confirms.length) {
    w('confirmations');
    for (const x of confirms) w(`  ${x.t}  ${x.stepId}: ${x.answer ? 'yes' : 'no'} — ${x.auto ? `automatic (--yes, run by ${x.by})` : `by ${x.by}`}`);
  }
  if (s.approvals.length) {
    w('approvals (four eyes)');
    for (const a of s.approvals) w(`  ${a.t}  ${a.stepId}: ${approvalText(a)}`);
  }
  for (const l of s.leases) {
    w(l.type === 'lease-unlocked'
      ? `lease ${l.t}  "${l.key}" unlocked by ${l.by}@${l.host} — ${l.reason}`
      : `lease ${l.t}  "${l.key}" taken over from run ${String(l.previous['runId'])} (${String(l.previous['operator'])}@${String(l.previous['host'])}, pid ${String(l.previous['pid'])}), which was gone`);
  }
  if (decisions.length) {
    w('decisions');
    for (const x of decisions) {
      const why = x.reason ?? x.note;
      w(`  ${x.t}  ${x.stepId}: ${CHOICE[x.choice] ?? x.choice} by ${x.by}${why === undefined ? '' : ` — ${why}`}`);
    }
  }
  return 0;
}

/** Why a step ended as it did: a failure's error; for a decision, its reason or note and who made it. */
function detail(x: StepState): string {
  if (x.status !== 'skipped' && x.status !== 'done-by-hand') return x.error ? ` — ${x.error}` : '';
  const why = x.status === 'skipped' ? x.reason : x.note;
  const parts = [why, x.by && `by ${x.by}`, x.error && `after: ${x.error}`].filter(Boolean);
  return parts.length ? ` — ${parts.join(' · ')}` : '';
}

function approvalText(a: ApprovalEvent): string {
  switch (a.type) {
    case 'approval-requested':
      return `asked ${a.needed === 1 ? 'a second operator' : `${a.needed} other operators`} (running: ${a.runner}, up to ${formatDuration(a.timeoutMs)})`;
    case 'approval-given':
      return `approved by ${a.by}@${a.host}${a.reason ? ` — ${a.reason}` : ''}`;
    case 'approval-rejected':
      return `rejected by ${a.by}@${a.host} — ${a.reason}`;
    case 'approval-timed-out':
      return `no approval within ${formatDuration(a.waitedMs)}`;
  }
}
