import type { EventSink, JournalEvent } from '../interpreter/events.js';

/** NDJSON of exactly the events the journal stores. */
export class JsonReporter implements EventSink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  write(e: JournalEvent): void {
    this.out.write(`${JSON.stringify(e)}\n`);
  }
}
