// The PostgreSQL store's schema, as numbered migrations. Each runs once, in order, in one transaction
// with the others pending, under an advisory lock (two CLIs starting at once do not both migrate);
// `runbook.schema_version` records which ran. A database migrated by a newer runbook (a version this
// build does not know) is refused: an old build must not write into a schema it does not understand.
import type pg from 'pg';
import { UsageError } from '../../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, events, leases, votes',
    sql: `
      CREATE TABLE runbook.runs (
        run_id text PRIMARY KEY,
        runbook_id text NOT NULL,
        mode text NOT NULL,
        started_at timestamptz NOT NULL,
        -- null while the run is unfinished; run-finished's status after
        status text,
        finished_at timestamptz,
        -- where the journal ends, kept apart from the events: verify notices deleted last events
        last_seq integer NOT NULL DEFAULT 0,
        last_h text
      );
      CREATE INDEX runs_newest ON runbook.runs (started_at DESC, run_id DESC);
      CREATE INDEX runs_by_runbook ON runbook.runs (runbook_id, started_at DESC);

      -- body: the event's JSON line exactly as sealed into the hash chain (text, not jsonb: byte for byte)
      CREATE TABLE runbook.events (
        run_id text NOT NULL,
        seq integer NOT NULL,
        type text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (run_id, seq)
      );

      CREATE TABLE runbook.leases (
        key text PRIMARY KEY,
        run_id text NOT NULL,
        operator text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        started_at timestamptz NOT NULL,
        token text NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        -- set by runbook unlock: { by, host, reason, at, previous }
        unlock jsonb
      );

      CREATE TABLE runbook.votes (
        vote_id text PRIMARY KEY,
        run_id text NOT NULL,
        step_id text NOT NULL,
        request_id text NOT NULL,
        by_operator text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        reject boolean NOT NULL,
        reason text,
        cast_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX votes_by_request ON runbook.votes (run_id, request_id, cast_at);

      -- runbook watch and a run waiting for approval LISTEN: told at commit, once per statement
      CREATE FUNCTION runbook.notify_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('runbook_events', r.run_id) FROM (SELECT DISTINCT run_id FROM new_rows) r;
        RETURN NULL;
      END $$;
      CREATE TRIGGER events_notify AFTER INSERT ON runbook.events REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION runbook.notify_run();
      CREATE TRIGGER votes_notify AFTER INSERT ON runbook.votes REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION runbook.notify_run();
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** A fixed advisory lock id for "migrating the runbook schema". */
const LOCK_ID = 7_240_231_517;

export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly Migration[];
}

async function currentVersion(c: pg.ClientBase): Promise<number> {
  const present = await c.query<{ t: string | null }>(`SELECT to_regclass('runbook.schema_version')::text AS t`);
  if (present.rows[0]?.t == null) return 0;
  const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM runbook.schema_version');
  return r.rows[0]?.v ?? 0;
}

function tooNew(found: number, where: string): UsageError {
  return new UsageError(
    `The run store ${where} has schema version ${found}, newer than this runbook understands (${SCHEMA_VERSION}): it was migrated by a newer runbook. ` +
      'Upgrade runbook on this machine (every CLI of a team should run the same version). Nothing was written.',
  );
}

/** Brings the schema to SCHEMA_VERSION (nothing is written when it is there already). */
export async function migrate(c: pg.ClientBase, where: string): Promise<MigrationReport> {
  const seen = await currentVersion(c);
  if (seen > SCHEMA_VERSION) throw tooNew(seen, where);
  if (seen === SCHEMA_VERSION) return { from: seen, to: seen, applied: [] };
  // The lock is taken before the transaction starts, so the transaction sees the catalog as another
  // CLI that migrated meanwhile left it.
  await c.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
  try {
    return await migrateLocked(c, where);
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => {});
  }
}

async function migrateLocked(c: pg.ClientBase, where: string): Promise<MigrationReport> {
  await c.query('BEGIN');
  try {
    const from = await currentVersion(c); // another CLI may have migrated while we waited
    if (from > SCHEMA_VERSION) throw tooNew(from, where);
    const pending = MIGRATIONS.filter((m) => m.version > from);
    if (from === 0) {
      await c.query('CREATE SCHEMA IF NOT EXISTS runbook');
      await c.query('CREATE TABLE runbook.schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    }
    for (const m of pending) {
      await c.query(m.sql);
      await c.query('INSERT INTO runbook.schema_version (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await c.query('COMMIT');
    return { from, to: SCHEMA_VERSION, applied: pending };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
