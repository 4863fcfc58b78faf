// Makes the journal of a run generated in a test deterministic, so its report can be a snapshot:
// a fixed run id, host, pid and file; a synthetic clock (each event that moves a run forward is 250 ms
// after the previous one; output and process-started share the previous event's time) with durations
// recomputed from it; temp paths replaced. Order and content of the events are kept.
import type { JournalEvent } from '../../interpreter/events.js';

const T0 = Date.parse('2026-02-03T04:05:06.000Z');
const STEP = 250;

export interface Normalise {
  /** Substrings to replace everywhere (temp dirs, absolute paths), longest first. */
  readonly replace?: Readonly<Record<string, string>>;
  readonly runId?: string;
  readonly file?: string;
}

export function normaliseJournal(events: readonly JournalEvent[], o: Normalise = {}): JournalEvent[] {
  const runId = events[0]?.type === 'run-started' ? events[0].runId : '';
  let text = JSON.stringify(events);
  const pairs: [string, string][] = [...Object.entries(o.replace ?? {}), ...(runId ? [[runId, o.runId ?? '20260203-040506-0000'] as [string, string]] : [])];
  for (const [from, to] of pairs.sort((a, b) => b[0].length - a[0].length)) text = text.split(from).join(to);
  const out = JSON.parse(text) as JournalEvent[];
  let now = T0 - STEP;
  const startedAt = new Map<string, number>();
  for (const e of out) {
    if (e.type !== 'output' && e.type !== 'process-started') now += STEP;
    e.t = new Date(now).toISOString();
    switch (e.type) {
      case 'run-started':
        e.host = 'host';
        e.pid = 1;
        e.sourceHash = '0'.repeat(16);
        for (const k of Object.keys(e.fingerprints)) e.fingerprints[k] = '0'.repeat(16);
        if (o.file !== undefined) e.file = o.file;
        break;
      case 'run-resumed':
        e.host = 'host';
        e.pid = 1;
        break;
      case 'step-started':
        startedAt.set(e.stepId, now);
        break;
      case 'step-finished':
      case 'step-interrupted':
        e.durationMs = now - (startedAt.get(e.stepId) ?? now);
        break;
      case 'confirm-answered':
      case 'decision':
        if (e.decideMs !== undefined) e.decideMs = STEP;
        break;
      case 'process-started':
        e.pid = 2;
        break;
      case 'run-finished':
        e.durationMs = now - T0;
        break;
      default:
        break;
    }
  }
  return out;
}
