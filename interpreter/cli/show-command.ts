import { formatDuration } from '../../dsl/duration.js';
import { readJournal } from '../store/journal-reader.js';
import { StorePaths } from '../store/paths.js';
import { replay } from '../store/run-state.js';
import { findRun } from './run-lookup.js';

const ICON: Record<string, string> = { ok: '✔', failed: '✖', skipped: '↷', 'done-by-hand': '✋', planned: '○', pending: '·', interrupted: '■', running: '▶' };

/** One run: its facts and each step's status and duration (secrets were never journaled). */
export function showCommand(arg: string, f: { json?: boolean; store?: string }): number {
  const store = new StorePaths(f.store);
  const runId = findRun(store, arg);
  const { events, tornTail } = readJournal(store.journal(runId));
  const s = replay(events);
  const m = s.meta;
  const kinds = new Map(m.steps.map((x) => [x.id, x]));
  const steps = [...s.steps.values()].map((x) => ({ ...x, kind: kinds.get(x.id)?.kind, title: kinds.get(x.id)?.title, phase: kinds.get(x.id)?.phase ?? null }));
  if (f.json) {
    const out = {
      runId, runbookId: m.runbookId, title: m.title, file: m.file, mode: m.mode, status: s.status, exitCode: s.exitCode,
      startedAt: m.t, durationMs: s.durationMs, rtoMs: m.rtoMs, operators: [...s.operators], host: m.host, params: m.params,
      tornTail, steps,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const w = (l: string): boolean => process.stdout.write(`${l}\n`);
  w(`${m.title} (${m.runbookId}) — run ${runId}`);
  w(`mode ${m.mode} · status ${s.status}${s.durationMs === null ? '' : ` · ${formatDuration(s.durationMs)}`}${m.rtoMs === null ? '' : ` of RTO ${formatDuration(m.rtoMs)}`}`);
  w(`started ${m.t} by ${[...s.operators].join(', ')} on ${m.host} · file ${m.file}`);
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
    const extra = x.error ? ` — ${x.error}` : x.reason ? ` — ${x.reason}` : x.note ? ` — ${x.note}` : '';
    w(`${ICON[x.status] ?? '?'} ${x.id.padEnd(28)} ${(x.kind ?? '').padEnd(8)} ${x.status.padEnd(12)} ${d.padStart(7)}${extra}`);
  }
  return 0;
}
