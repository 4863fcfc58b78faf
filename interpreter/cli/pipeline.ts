import type { EventBody, EventSink, JournalEvent } from '../events.js';
import type { Redactor } from '../redact.js';

/** Stamps, redacts, then hands each event to the journal first and the reporters after. */
export function eventPipeline(redactor: Redactor, sinks: readonly EventSink[], firstSeq = 0): (e: EventBody) => void {
  let seq = firstSeq;
  return (body) => {
    const stamped = { ...body, seq: ++seq, t: new Date().toISOString() } as JournalEvent;
    const e = redactor.value(stamped);
    for (const s of sinks) s.write(e);
  };
}
