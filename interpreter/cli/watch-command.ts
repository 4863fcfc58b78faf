import { hostname } from 'node:os';
import { sleep } from '../engine/sleep.js';
import { EXIT } from '../errors.js';
import type { JournalEvent } from '../events.js';
import { withStore } from '../store/open-store.js';
import { processAlive } from '../store/process-alive.js';
import type { RunStore } from '../store/run-store.js';
import { parseUi } from './run-command.js';
import { openWatchUi } from './ui.js';

/**
 * `runbook watch <run-id>`: follows a run someone else drives, from another terminal or machine, in
 * the TUI or as plain lines (every event, in order, as it is written; PostgreSQL tells at once through
 * LISTEN/NOTIFY, the file store is tailed). Read-only. Ends with the run, with its exit code; Ctrl-C
 * (or q in the TUI) stops watching, not the run; a run whose process is gone ends the watch (exit 1).
 */
export function watchCommand(arg: string, f: { ui?: string; store?: string }): Promise<number> {
  const ui = parseUi(f.ui);
  return withStore(f.store, async (store) => {
    const runId = await store.findRun(arg);
    const controller = new AbortController();
    let quit = false;
    const stop = (): void => {
      quit = true;
      controller.abort();
    };
    const view = await openWatchUi(ui, stop);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (ui === 'plain') process.stdout.write(`watching run ${runId} in ${store.label} (read-only; Ctrl-C stops watching, not the run)\n`);
    let last: JournalEvent | undefined;
    const driver = { host: '', pid: 0, mode: '', lease: '' };
    let gone = false;
    const liveness = watchLiveness(store, runId, driver, () => last, () => {
      gone = true;
      controller.abort();
    }, controller.signal);
    try {
      await store.follow(runId, 0, (e) => {
        last = e;
        if (e.type === 'run-started') Object.assign(driver, { host: e.host, pid: e.pid, mode: e.mode, lease: e.lockKey === null ? e.runbookId : `${e.runbookId}:${e.lockKey}` });
        if (e.type === 'run-resumed') Object.assign(driver, { host: e.host, pid: e.pid });
        view.reporter.write(e);
      }, controller.signal);
    } finally {
      controller.abort();
      await liveness;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await view.close();
    }
    if (last?.type === 'run-finished') return last.exitCode;
    if (gone) {
      process.stderr.write(`runbook: run ${runId} stopped without finishing: its process (pid ${driver.pid} on ${driver.host}) is gone. "runbook show ${runId}" shows where; "runbook resume ${runId}" continues it.\n`);
      return EXIT.failed;
    }
    if (quit && ui === 'plain') process.stdout.write(`stopped watching run ${runId}; the run goes on.\n`);
    return quit ? EXIT.interrupted : EXIT.done;
  });
}

/**
 * Ends the watch when the run cannot go on: its process is gone from this host, or (a live run on
 * another host, PostgreSQL store) its lease is no longer held by it. Otherwise a run on another host
 * (a simulation; a file store shared between hosts) cannot be checked from here: it is watched until it ends.
 */
async function watchLiveness(store: RunStore, runId: string, driver: { host: string; pid: number; mode: string; lease: string }, last: () => JournalEvent | undefined, onGone: () => void, signal: AbortSignal): Promise<void> {
  let strikes = 0;
  while (!signal.aborted) {
    await sleep(1000, signal);
    if (signal.aborted || driver.pid === 0 || last()?.type === 'run-finished') continue;
    let alive = true;
    if (driver.host === hostname()) alive = processAlive(driver.pid);
    else if (driver.mode === 'live' && store.kind === 'postgres') {
      const lease = await store.readLease(driver.lease).catch(() => undefined);
      alive = lease !== undefined && lease.holder.runId === runId && lease.maybeAlive;
    }
    // Twice in a row: a resume may be taking over the run just now.
    strikes = alive ? 0 : strikes + 1;
    if (strikes >= 2 && last()?.type !== 'run-finished') {
      onGone();
      return;
    }
  }
}
