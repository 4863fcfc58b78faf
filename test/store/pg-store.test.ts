// The store contract against the PostgreSQL team store, on a real PostgreSQL 15 started by the test
// (initdb, 127.0.0.1, a fresh database per test), plus what only it has: schema migrations with a
// recorded version, and refusing a schema newer than this build.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../interpreter/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../interpreter/store/pg/migrations.js';
import { PgStore } from '../../interpreter/store/pg/pg-store.js';
import { requires } from '../helpers/requires.js';
import { PG_REQUIREMENT, startPrimary, stopAll, type PgPrimary } from '../helpers/servers/postgres.js';
import { storeContract } from './contract.js';

const HAVE = requires(PG_REQUIREMENT);

let server: PgPrimary | undefined;
let dbs = 0;

beforeAll(async () => {
  if (HAVE) server = await startPrimary();
}, 120_000);
afterAll(async () => {
  await stopAll(server, []);
});

/** A new, empty database on the test server, and its URL (as the password-protected role `ops`). */
async function freshDb(): Promise<string> {
  const s = server!;
  const name = `rb_contract_${++dbs}`;
  await s.query(`create database ${name}`);
  return s.dsn('ops', s.password).replace(/\/postgres$/, `/${name}`);
}

/** A query in the database of `url`, as the superuser. */
async function dbQuery(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: server!.dsn().replace(/\/postgres$/, url.slice(url.lastIndexOf('/'))) });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

describe.skipIf(!HAVE)('the PostgreSQL store keeps the store contract', () => {
  storeContract(async ({ ttlMs, heartbeatMs }) => {
    const url = await freshDb();
    const env = { ...process.env, RUNBOOK_LEASE_TTL_MS: String(ttlMs), RUNBOOK_LEASE_HEARTBEAT_MS: String(heartbeatMs) };
    const store = await PgStore.open(url, env);
    return { store, cleanup: () => Promise.resolve() };
  });
});

describe.skipIf(!HAVE)('PostgreSQL store schema', () => {
  it('is created on first use by numbered migrations, recorded in runbook.schema_version; a second open applies nothing', async () => {
    const url = await freshDb();
    const first = await PgStore.open(url);
    expect(first.migration).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    expect(first.migration.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await first.close();
    const second = await PgStore.open(url);
    expect(second.migration).toMatchObject({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    await second.close();
    expect(await dbQuery(url, 'select version, name from runbook.schema_version order by version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const tables = await dbQuery(url, `select table_name from information_schema.tables where table_schema = 'runbook' order by 1`);
    expect(tables.map((t) => t['table_name'])).toEqual(['events', 'leases', 'runs', 'schema_version', 'votes']);
  });

  it('several CLIs opening an empty database at once migrate it once (advisory lock)', async () => {
    const url = await freshDb();
    const stores = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    expect(stores.map((s) => s.migration.applied.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('a schema newer than this build is refused with a clear UsageError, and nothing is written', async () => {
    const url = await freshDb();
    await (await PgStore.open(url)).close();
    await dbQuery(url, `insert into runbook.schema_version (version, name) values (${SCHEMA_VERSION + 1}, 'from the future')`);
    const e = await PgStore.open(url).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect(String((e as Error).message)).toContain(`schema version ${SCHEMA_VERSION + 1}, newer than this runbook understands (${SCHEMA_VERSION})`);
    expect(String((e as Error).message)).not.toContain(server!.password);
    expect(await dbQuery(url, 'select count(*)::int as n from runbook.runs')).toEqual([{ n: 0 }]);
    expect(await dbQuery(url, 'select max(version) as v from runbook.schema_version')).toEqual([{ v: SCHEMA_VERSION + 1 }]);
  });
});
