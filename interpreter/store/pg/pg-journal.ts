import type pg from 'pg';
import type { JournalEvent } from '../../events.js';
import { HashChain } from '../hash-chain.js';
import type { JournalSink } from '../run-store.js';
import { StoreError } from '../store-error.js';

interface Row {
  readonly seq: number;
  readonly type: string;
  readonly body: string;
  /** Its hash in the chain (null: a format 1 journal, not chained). */
  readonly h: string | null;
  readonly e: JournalEvent;
}

const MAX_ROWS = 500;
const MAX_BYTES = 4 << 20;

/**
 * A run's journal in PostgreSQL. `write` seals the event into the hash chain and queues it; the queue
 * is inserted in order, a batch per statement (the events, and the run's row with where the journal
 * now ends, in one statement: both or neither). The engine waits for the commit before each step and
 * before each action starts (`beforeAction`), so what the file store guarantees with write(2) + fsync
 * holds here too: a step never runs unless its step-started is durable.
 */
export class PgJournal implements JournalSink {
  #queue: Row[] = [];
  #flushing: Promise<void> | undefined;
  #error: StoreError | undefined;
  #closed = false;
  readonly #chain: HashChain;
  /** Whether the run's row exists (a resume; or after the first batch of a new run). */
  #hasRow: boolean;

  constructor(private readonly pool: pg.Pool, private readonly runId: string, tail: string | undefined, private readonly where: string) {
    this.#chain = new HashChain(tail);
    this.#hasRow = tail !== undefined;
  }

  write(e: JournalEvent): void {
    if (this.#closed || this.#error) return;
    const body = this.#chain.seal(e);
    this.#queue.push({ seq: e.seq, type: e.type, body, h: this.#chain.last ?? null, e });
    this.#flushing ??= this.#drain();
  }

  async #drain(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // a burst of writes goes in one batch
    try {
      while (this.#queue.length > 0 && !this.#error) {
        let bytes = 0;
        let n = 0;
        while (n < this.#queue.length && n < MAX_ROWS && (n === 0 || bytes + this.#queue[n]!.body.length <= MAX_BYTES)) bytes += this.#queue[n++]!.body.length;
        const batch = this.#queue.slice(0, n);
        try {
          await this.#insert(batch);
          this.#queue.splice(0, n);
        } catch (e) {
          this.#error = new StoreError(
            `The run store ${this.where} stopped accepting run ${this.runId}'s events (${e instanceof Error ? e.message : String(e)}): events from seq ${batch[0]?.seq ?? '?'} on were not recorded. ` +
              `The run stops before its next step; when the store is back, "runbook resume ${this.runId}" continues it (a step that was running is shown as interrupted).`,
          );
          this.#queue = [];
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #insert(batch: readonly Row[]): Promise<void> {
    const last = batch.at(-1)!;
    const seqs = batch.map((r) => r.seq);
    const types = batch.map((r) => r.type);
    const bodies = batch.map((r) => r.body);
    // What the batch says of the run's status: run-finished sets it, run-resumed clears it.
    let status: string | null | undefined;
    let finishedAt: string | null = null;
    for (const r of batch) {
      if (r.e.type === 'run-finished') {
        status = r.e.status;
        finishedAt = r.e.t;
      } else if (r.e.type === 'run-resumed') {
        status = null;
        finishedAt = null;
      }
    }
    const h = last.h;
    const events = `INSERT INTO runbook.events (run_id, seq, type, body) SELECT $1, s, ty, b FROM unnest($2::int[], $3::text[], $4::text[]) AS x(s, ty, b)`;
    if (!this.#hasRow) {
      const head = batch[0]!.e;
      if (head.type !== 'run-started') throw new Error(`run ${this.runId} has no row and its first event is ${head.type}, not run-started`);
      await this.pool.query(
        `WITH run AS (INSERT INTO runbook.runs (run_id, runbook_id, mode, started_at, status, finished_at, last_seq, last_h) VALUES ($1, $5, $6, $7, $8, $9, $10, $11)) ${events}`,
        [this.runId, seqs, types, bodies, head.runbookId, head.mode, head.t, status ?? null, finishedAt, last.seq, h],
      );
      this.#hasRow = true;
      return;
    }
    await this.pool.query(
      `WITH run AS (UPDATE runbook.runs SET last_seq = $5, last_h = $6, status = CASE WHEN $7 THEN $8 ELSE status END, finished_at = CASE WHEN $7 THEN $9::timestamptz ELSE finished_at END WHERE run_id = $1) ${events}`,
      [this.runId, seqs, types, bodies, last.seq, h, status !== undefined, status ?? null, finishedAt],
    );
  }

  async settled(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#error) throw this.#error;
  }

  beforeAction(): Promise<void> {
    return this.settled();
  }

  async close(): Promise<void> {
    try {
      await this.settled();
    } finally {
      this.#closed = true;
    }
  }
}
