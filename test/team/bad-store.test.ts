// A PostgreSQL store that cannot be used is exit 2 with one clear paragraph (the password masked) and
// nothing written: a malformed URL, a server that refuses connections, a wrong password, a schema
// migrated by a newer runbook. The file store never loads the PostgreSQL driver.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../interpreter/store/pg/migrations.js';
import { LOCK_DIR, ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { freePort } from '../helpers/servers/redis.js';
import { PG_REQUIREMENT, startPrimary, stopAll, type PgPrimary } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT);
const SMALL = join(ROOT, 'test', 'fixtures', 'team', 'small.ts');
const SECRET = 'S3cr3t-pw';

let server: PgPrimary | undefined;
beforeAll(async () => {
  if (HAVE) server = await startPrimary();
}, 120_000);
afterAll(async () => {
  await stopAll(server, []);
});
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Runs the CLI in a fresh directory and checks that it wrote nothing there nor any lock. */
async function refused(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const t = tempDir('runbook-bad-store-');
  cleanups.push(t.cleanup);
  const locks = existsSync(LOCK_DIR) ? readdirSync(LOCK_DIR) : [];
  const r = await runCli(args, { cwd: t.dir, env: { RUNBOOK_STORE: undefined, RUNBOOK_STORE_CONNECT_TIMEOUT_MS: '3000', ...env } });
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr).not.toContain(SECRET);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('Nothing was written.');
  expect(readdirSync(t.dir)).toEqual([]);
  expect(existsSync(LOCK_DIR) ? readdirSync(LOCK_DIR) : []).toEqual(locks);
  return r;
}

describe('a bad store URL', () => {
  it('is exit 2 naming the problem, password masked, nothing written', async () => {
    const garbled = await refused(['run', SMALL, '--store', `postgres://ops:${SECRET}@/db`]);
    expect(garbled.stderr).toContain('postgres://ops:***@/db is not a usable PostgreSQL URL: it does not parse as a URL');
    const noHost = await refused(['run', SMALL, '--store', 'postgres:///db']);
    expect(noHost.stderr).toContain('postgres:///db is not a usable PostgreSQL URL: it names no host');
    const badPort = await refused(['run', SMALL, '--store', `postgres://ops:${SECRET}@127.0.0.1:99999/db`]);
    expect(badPort.stderr).toContain('postgres://ops:***@127.0.0.1:99999/db is not a usable PostgreSQL URL');
    const scheme = await refused(['run', SMALL, '--store', `mysql://ops:${SECRET}@127.0.0.1/db`]);
    expect(scheme.stderr).toContain('only directories and postgres:// URLs are run stores');
    // From the environment too, and for every command that reads the store.
    const env = await refused(['runs'], { RUNBOOK_STORE: `postgresql://ops:${SECRET}@:5432/x` });
    expect(env.stderr).toContain('not a usable PostgreSQL URL');
    for (const cmd of [['show', 'last'], ['report', 'last'], ['watch', 'last'], ['verify', 'last'], ['approve', 'r', 's'], ['unlock', 'k', '--reason', 'x'], ['store', 'migrate']]) {
      await refused([...cmd, '--store', `postgres://ops:${SECRET}@/db`]);
    }
  });
});

describe('an unreachable server', () => {
  it('is exit 2: nothing accepts connections there, nothing written', async () => {
    const port = await freePort();
    const r = await refused(['run', SMALL, '--store', `postgres://ops:${SECRET}@127.0.0.1:${port}/postgres`]);
    expect(r.stderr).toContain(`Cannot use the run store postgres://ops:***@127.0.0.1:${port}/postgres: nothing accepts connections at 127.0.0.1:${port} (connection refused)`);
  });
});

describe.skipIf(!HAVE)('a real server that refuses us', () => {
  it('a wrong password is exit 2 naming the user, the password masked, nothing written (no schema created)', async () => {
    const s = server!;
    await s.query('create database rb_badpw');
    const url = s.dsn('ops', SECRET).replace(/\/postgres$/, '/rb_badpw');
    const r = await refused(['run', SMALL, '--store', url]);
    expect(r.stderr).toContain(`Cannot use the run store postgres://ops:***@127.0.0.1:${s.port}/rb_badpw: PostgreSQL refused the password of user "ops"`);
    expect(await s.query(`select datname from pg_database where datname = 'rb_badpw'`)).toHaveLength(1);
    // The right password works (and creates the schema on first use).
    const ok = await runCli(['run', SMALL, '--store', s.dsn('ops', s.password).replace(/\/postgres$/, '/rb_badpw'), '--ui', 'plain'], { cwd: tempDirFor() });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('a database that does not exist is exit 2 saying so', async () => {
    const s = server!;
    const r = await refused(['runs', '--store', s.dsn('ops', s.password).replace(/\/postgres$/, '/rb_nope')]);
    expect(r.stderr).toContain('the database "rb_nope" does not exist');
  });

  it('a schema migrated by a newer runbook is exit 2, and nothing is written', async () => {
    const s = server!;
    await s.query('create database rb_newer');
    const url = s.dsn('ops', s.password).replace(/\/postgres$/, '/rb_newer');
    const first = await runCli(['store', 'migrate', '--store', url], { cwd: tempDirFor() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`schema migrated from version 0 to ${SCHEMA_VERSION}`);
    const again = await runCli(['store', 'migrate', '--store', url], { cwd: tempDirFor() });
    expect(again.stdout).toContain(`schema already at version ${SCHEMA_VERSION}; nothing to do`);
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: s.dsn().replace(/\/postgres$/, '/rb_newer') });
    await c.connect();
    try {
      await c.query(`insert into runbook.schema_version (version, name) values (${SCHEMA_VERSION + 1}, 'from the future')`);
      const r = await refused(['run', SMALL, '--store', url]);
      expect(r.stderr).toContain(`has schema version ${SCHEMA_VERSION + 1}, newer than this runbook understands (${SCHEMA_VERSION})`);
      expect(r.stderr).toContain('Upgrade runbook');
      expect(r.stderr).not.toContain(s.password);
      expect((await c.query('select count(*)::int as n from runbook.runs')).rows[0]).toEqual({ n: 0 });
      expect((await c.query('select count(*)::int as n from runbook.leases')).rows[0]).toEqual({ n: 0 });
      expect((await c.query('select max(version)::int as v from runbook.schema_version')).rows[0]).toEqual({ v: SCHEMA_VERSION + 1 });
    } finally {
      await c.end();
    }
  });
});

describe('the file store', () => {
  it('never loads the PostgreSQL driver: the CLI\'s static imports do not reach "pg" (it is a lazily imported chunk)', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*import\s*(?:[^'"]*?from\s*)?['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
        else bare.add(spec);
      }
    };
    walk(join(ROOT, 'dist', 'cli.js'));
    expect(bare.has('commander')).toBe(true); // the walk does see the CLI's dependencies
    expect(bare.has('pg')).toBe(false);
    const chunks = readdirSync(join(ROOT, 'dist', 'chunks'));
    const pgChunk = chunks.find((f) => f.startsWith('pg-store-'));
    expect(pgChunk, chunks.join(' ')).toBeDefined();
    expect(readFileSync(join(ROOT, 'dist', 'chunks', pgChunk!), 'utf8')).toMatch(/from ['"]pg['"]/);
  });
});

function tempDirFor(): string {
  const t = tempDir('runbook-bad-store-ok-');
  cleanups.push(t.cleanup);
  return t.dir;
}
