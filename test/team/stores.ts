// Team-mode tests run each case against both stores: the file store (a temp directory) and the
// PostgreSQL store (a fresh database per test on a real PostgreSQL 15 started for the test file).
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { withStore } from '../../interpreter/store/open-store.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { killStarted, startCli, type LiveCli } from '../helpers/crash.js';
import { requires } from '../helpers/requires.js';
import { PG_REQUIREMENT, startPrimary, stopAll, type PgPrimary } from '../helpers/servers/postgres.js';

export const HAVE_PG = requires(PG_REQUIREMENT);

/** Short leases so a killed holder's lease expires within a test. */
export const FAST_LEASES = { RUNBOOK_LEASE_HEARTBEAT_MS: '200', RUNBOOK_LEASE_TTL_MS: '1500', RUNBOOK_POLL_MS: '50' };

export interface TeamEnv {
  readonly kind: 'file' | 'postgres';
  /** The working directory of the CLIs (reports land here). */
  readonly dir: string;
  /** The `--store` value. */
  readonly store: string;
  /** Runs the CLI with `--store` (and the fast lease timings). */
  cli(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** Starts it in the background. */
  start(args: readonly string[], env?: Record<string, string>): LiveCli;
  /** A run's events, read through the store (prev and h included). */
  events(runId: string): Promise<JournalEvent[]>;
  /** The store's run ids, newest first. */
  runs(): Promise<string[]>;
  /** PostgreSQL only: a query in this test's database as the superuser. */
  sql<T extends Record<string, unknown> = Record<string, unknown>>(q: string, values?: unknown[]): Promise<T[]>;
}

export interface StoreKind {
  readonly name: string;
  readonly kind: 'file' | 'postgres';
  readonly skip: boolean;
  make(): Promise<TeamEnv>;
}

/** Registers the PostgreSQL server's start/stop and per-test cleanup; returns the two store kinds. */
export function useStores(prefix: string): StoreKind[] {
  let server: PgPrimary | undefined;
  let dbs = 0;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    if (HAVE_PG) server = await startPrimary();
  }, 120_000);
  afterEach(async () => {
    await killStarted();
    for (const c of cleanups.splice(0)) c();
  });
  afterAll(async () => {
    await stopAll(server, []);
  });
  const env = (kind: 'file' | 'postgres', dir: string, store: string, sql: TeamEnv['sql']): TeamEnv => ({
    kind, dir, store, sql,
    events: (runId) => withStore(store, async (s) => [...(await s.readRun(runId)).events]),
    runs: () => withStore(store, (s) => s.listRuns()),
    cli: (args, e = {}) => runCli([...args, '--store', store], { cwd: dir, env: { ...FAST_LEASES, RUNBOOK_STORE: undefined, ...e }, timeoutMs: 60_000 }),
    start: (args, e = {}) => startCli([...args, '--store', store], { cwd: dir, env: { ...FAST_LEASES, RUNBOOK_STORE: undefined, ...e } }),
  });
  return [
    {
      name: 'file store', kind: 'file', skip: false,
      make: () => {
        const t = tempDir(`${prefix}-file-`);
        cleanups.push(t.cleanup);
        return Promise.resolve(env('file', t.dir, join(t.dir, 'store'), () => Promise.reject(new Error('no SQL in a file store'))));
      },
    },
    {
      name: 'PostgreSQL store', kind: 'postgres', skip: !HAVE_PG,
      make: async () => {
        const t = tempDir(`${prefix}-pg-`);
        cleanups.push(t.cleanup);
        const s = server!;
        const db = `${prefix.replace(/[^a-z0-9]/g, '_')}_${++dbs}`;
        await s.query(`create database ${db}`);
        const url = s.dsn('ops', s.password).replace(/\/postgres$/, `/${db}`);
        const sql = async <T extends Record<string, unknown>>(q: string, values?: unknown[]): Promise<T[]> => {
          const c = new pg.Client({ connectionString: s.dsn().replace(/\/postgres$/, `/${db}`) });
          await c.connect();
          try {
            return (await c.query<T>(q, values)).rows;
          } finally {
            await c.end();
          }
        };
        return env('postgres', t.dir, url, sql);
      },
    },
  ];
}
