import pg from 'pg';

interface Waiter {
  readonly runId: string;
  readonly done: () => void;
}

/**
 * One connection that LISTENs on `runbook_events` (the events and votes tables notify it at commit,
 * with the run id as payload) and wakes whoever waits for that run. Should it fail, waiters simply
 * wake on their timeout: a watch then polls instead of being told.
 */
export class PgListener {
  #client: pg.Client | undefined;
  #ready: Promise<void> | undefined;
  #waiters = new Set<Waiter>();
  #failed = false;

  constructor(private readonly url: string, private readonly timeoutMs: number) {}

  #connect(): Promise<void> {
    this.#ready ??= (async () => {
      const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.timeoutMs, application_name: 'runbook-listen' });
      c.on('error', () => {
        this.#failed = true;
      });
      c.on('notification', (n) => {
        for (const w of [...this.#waiters]) if (w.runId === n.payload) w.done();
      });
      try {
        await c.connect();
        await c.query('LISTEN runbook_events');
        this.#client = c;
      } catch {
        this.#failed = true;
        await c.end().catch(() => {});
      }
    })();
    return this.#ready;
  }

  /** Resolves at the next notification for `runId`, after `ms`, or when `signal` aborts. */
  wait(runId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const w: Waiter = { runId, done: () => finish() };
      const timer = setTimeout(() => finish(), ms);
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        this.#waiters.delete(w);
        resolve();
      };
      signal.addEventListener('abort', finish, { once: true });
      this.#waiters.add(w);
      if (!this.#failed) void this.#connect();
    });
  }

  /** Resolves once LISTEN is in place (or has failed): callers that must not miss a notification await it first. */
  ready(): Promise<void> {
    return this.#connect();
  }

  async close(): Promise<void> {
    for (const w of [...this.#waiters]) w.done();
    await this.#ready;
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
  }
}
