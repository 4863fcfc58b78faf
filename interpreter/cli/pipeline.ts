import type { EventBody, EventSink, JournalEvent } from '../events.js';
import type { Redactor } from '../redact.js';

/**
 * Fields that identify things rather than carry data: event type, time, step/run/runbook ids, kinds,
 * statuses, the runbook file and (in run-started) the step list and fingerprints. They come from the
 * engine or the runbook source, never from a secret, and resume, show and reports key on them: a
 * secret that happens to be a substring of a step id must not rewrite the id (it would corrupt the journal).
 */
const STRUCTURAL = ['type', 'seq', 't', 'v', 'stepId', 'runId', 'runbookId', 'kind', 'status', 'stream', 'choice', 'mode', 'file', 'steps', 'fingerprints', 'secretParams'] as const;

/** Stamps, redacts, then hands each event to the journal first and the reporters after. */
export function eventPipeline(redactor: Redactor, sinks: readonly EventSink[], firstSeq = 0): (e: EventBody) => void {
  let seq = firstSeq;
  return (body) => {
    const stamped = { ...body, seq: ++seq, t: new Date().toISOString() } as JournalEvent;
    const e = redactor.value(stamped);
    if (e !== stamped) {
      const src = stamped as unknown as Record<string, unknown>;
      const out = e as unknown as Record<string, unknown>;
      for (const k of STRUCTURAL) if (k in src) out[k] = src[k];
    }
    for (const s of sinks) s.write(e);
  };
}
