// Journal events for TUI tests, with timestamps from a fixed start.
import type { EventBody, JournalEvent } from '../../interpreter/events.js';

let seq = 0;
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export function ev(body: EventBody, atMs = 0): JournalEvent {
  return { ...body, seq: seq++, t: new Date(T0 + atMs).toISOString() } as JournalEvent;
}

export function started(steps: { id: string; phase: string | null; kind?: 'check' | 'exec' | 'confirm' | 'notify' }[], mode: 'live' | 'dry-run' | 'probe' | 'simulate' = 'live'): JournalEvent {
  return ev({
    type: 'run-started', v: 1, runId: 'r-1', runbookId: 'rb', title: 'Failover', file: 'f.ts', sourceHash: 'h', fingerprints: {},
    steps: steps.map((s) => ({ id: s.id, kind: s.kind ?? 'exec', title: `Title ${s.id}`, phase: s.phase })), params: {}, secretParams: [],
    operator: 'dana', host: 'h', pid: 1, mode, rtoMs: 60_000, lockKey: null, from: null, only: null,
  });
}

