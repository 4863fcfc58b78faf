// The library runbook runbooks/backup-verification.ts run LIVE through the CLI against a real PostgreSQL 15
// primary started on 127.0.0.1 with a few tables of data, with the machine's own pg_dump / pg_restore /
// createdb / dropdb, gpg and openssl. Alerts go to a local HTTP receiver standing in for Slack's webhook.
// 1. The happy path (gpg, as the guide): the run passes; the restored row counts equal the source's, read
//    from the journal; the temporary database is gone (asked of the server); the plaintext dump and the
//    decrypted copy are removed, the encrypted copy and its checksum stay; Slack got "Backup verified".
// 2. Bit rot (openssl through a stand-in that flips one byte of the encrypted file after writing it): the
//    checksum of the decrypted copy differs, nothing is restored, cleanup runs, Slack gets the failure, the
//    run ends failed (exit 1), and the plaintext dump is kept (it is the only good copy).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { runRunbook } from '../helpers/runbooks.js';
import { startReceiver, type Receiver } from '../helpers/servers/http-receiver.js';
import { PG_BIN, PG_REQUIREMENT, startPrimary, stopAll, type PgPrimary } from '../helpers/servers/postgres.js';

const HAVE = requires(PG_REQUIREMENT) && requires({ what: 'gpg and openssl', paths: ['/usr/bin/gpg'], install: 'apt-get install gnupg openssl' });
const ID = 'backup-verification';
const BITROT = join(ROOT, 'test/fixtures/runbooks-pg/openssl-bitrot.sh');

interface Comparison { tables: number; rows: number; counts: { table: string; before: number; after: number; restored: number }[]; mismatches: string[] }

describe.skipIf(!HAVE)('backup-verification LIVE (real PostgreSQL 15, pg_dump/pg_restore, gpg, openssl)', () => {
  let primary: PgPrimary | undefined;
  let slack: Receiver | undefined;
  let tmp: { dir: string; cleanup: () => void };
  const gnupg = (): string => join(tmp.dir, 'gnupg');

  beforeAll(async () => {
    tmp = tempDir('runbook-backup-live-');
    mkdirSync(gnupg(), { mode: 0o700 });
    writeFileSync(join(tmp.dir, 'backup-key'), 'correct horse battery staple\n', { mode: 0o600 });
    chmodSync(BITROT, 0o755);
    slack = await startReceiver({ status: 200, body: 'ok', contentType: 'text/plain' });
    primary = await startPrimary();
    await primary.query('create database payment_db');
    const c = async (sql: string): Promise<void> => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ host: '127.0.0.1', port: (primary as PgPrimary).port, user: 'postgres', database: 'payment_db' });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await c(`create table accounts (id int primary key, owner text);
      insert into accounts select g, 'owner ' || g from generate_series(1, 500) g;
      create table payments (id bigserial primary key, account int references accounts, amount numeric(12,2), at timestamptz default now());
      insert into payments (account, amount) select 1 + g % 500, g * 1.5 from generate_series(1, 1200) g;
      create table audit_log (id int, note text);
      create schema ledger;
      create table ledger.entries (id int, payment bigint, side text);
      insert into ledger.entries select g, g, case when g % 2 = 0 then 'debit' else 'credit' end from generate_series(1, 37) g;`);
  }, 120_000);
  afterAll(async () => {
    // gpg starts an agent for its home directory: end the one these runs started.
    try {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg() }, stdio: 'ignore', timeout: 10_000 });
    } catch {
      // no agent was started
    }
    await slack?.close();
    await stopAll(primary, []);
    tmp?.cleanup();
  });

  const params = (dir: string): string[] => {
    const p = primary as PgPrimary;
    return [
      '-p', 'host=127.0.0.1', '-p', `port=${p.port}`, '-p', 'user=postgres', '-p', 'database=payment_db',
      '-p', `backupDir=${dir}`, '-p', `passphraseFile=${join(tmp.dir, 'backup-key')}`, '-p', 'upload=false',
      '-p', `pgDump=${PG_BIN}/pg_dump`, '-p', `pgRestore=${PG_BIN}/pg_restore`, '-p', `createdb=${PG_BIN}/createdb`, '-p', `dropdb=${PG_BIN}/dropdb`,
    ];
  };
  const tempDbs = async (): Promise<unknown[]> => (primary as PgPrimary).query("select datname from pg_database where datname like 'restore_verify_%'");

  it('dumps, encrypts with gpg, restores into a temporary database with equal row counts per table, cleans up; exit 0', async () => {
    const dir = join(tmp.dir, 'backups-ok');
    const store = join(tmp.dir, 'store-ok');
    const t0 = Date.now();
    const r = await runRunbook(ID, store, params(dir), {
      cwd: tmp.dir, env: { GNUPGHOME: gnupg(), SLACK_WEBHOOK_URL: `${slack!.url}/services/T000/B000/ok` }, timeoutMs: 120_000,
    });
    process.stderr.write(`backup-verification live run (ok): ${Date.now() - t0} ms\n`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const evs = r.events;
    const fin = r.finished;
    for (const id of ['source-reachable', 'pg-dump', 'checksum', 'encrypt', 'decrypt', 'checksum-matches', 'archive-readable', 'create-temp-db', 'test-restore', 'restored-counts', 'row-counts-match', 'drop-temp-db', 'remove-verify-copy', 'remove-plaintext-dump', 'temp-db-gone', 'verified', 'backup-verified']) {
      expect(fin.get(id)?.status, id).toBe('ok');
    }
    expect(fin.get('upload')?.status).toBe('skipped');
    expect(fin.get('alert-slack')?.status).toBe('skipped');
    // Checksums: the one recorded at dump time equals the decrypted copy's.
    const sums = fin.get('checksum-matches')?.value as { recorded: string; actual: string };
    expect(sums.recorded).toMatch(/^[0-9a-f]{64}$/);
    expect(sums.actual).toBe(sums.recorded);
    expect(fin.get('checksum')?.value).toBe(sums.recorded);
    // Restored row counts equal the source's, table by table (journal values).
    const cmp = fin.get('row-counts-match')?.value as Comparison;
    expect(cmp.mismatches).toEqual([]);
    expect(cmp.counts).toEqual([
      { table: 'ledger.entries', before: 37, after: 37, restored: 37 },
      { table: 'public.accounts', before: 500, after: 500, restored: 500 },
      { table: 'public.audit_log', before: 0, after: 0, restored: 0 },
      { table: 'public.payments', before: 1200, after: 1200, restored: 1200 },
    ]);
    expect(cmp).toMatchObject({ tables: 4, rows: 1737 });
    // The temporary database was dropped: asked of the server itself.
    expect(await tempDbs()).toEqual([]);
    // Files: the encrypted copy and its checksum stay; the plaintext dump and the decrypted copy are gone.
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^payment_db_\d{8}_\d{6}\.dump\.gpg$/);
    expect(files[1]).toMatch(/^payment_db_\d{8}_\d{6}\.dump\.sha256$/);
    expect(readFileSync(join(dir, files[0]!)).subarray(0, 6).toString('latin1')).not.toContain('PGDMP'); // encrypted, not a dump
    // Slack heard about it.
    const said = slack!.requests.map((q) => (JSON.parse(q.body) as { text: string }).text);
    expect(said.at(-1)).toMatch(/^Backup verified: payment_db on 127\.0\.0\.1:\d+ → .*\.dump\.gpg; sha256 [0-9a-f]{64}; test restore: 4 tables, 1737 rows/);
    expect(evs.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
  }, 150_000);

  it('bit rot in the encrypted copy: checksum mismatch → no restore, cleanup, Slack alert, run failed (exit 1)', async () => {
    const dir = join(tmp.dir, 'backups-rot');
    const store = join(tmp.dir, 'store-rot');
    const before = slack!.requests.length;
    const t0 = Date.now();
    const r = await runRunbook(ID, store, [...params(dir), '-p', 'encryption=openssl', '-p', `openssl=${BITROT}`], {
      cwd: tmp.dir, env: { SLACK_WEBHOOK_URL: `${slack!.url}/services/T000/B000/rot` }, timeoutMs: 120_000,
    });
    process.stderr.write(`backup-verification live run (bit rot): ${Date.now() - t0} ms\n`);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const evs = r.events;
    const fin = r.finished;
    expect(fin.get('encrypt')?.status).toBe('ok');
    expect(fin.get('decrypt')?.status).toBe('ok');
    expect(fin.get('checksum-matches')).toMatchObject({ status: 'failed', continued: true });
    const sums = fin.get('checksum-matches')?.value as { recorded: string; actual: string };
    expect(sums.recorded).toMatch(/^[0-9a-f]{64}$/);
    expect(sums.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(sums.actual).not.toBe(sums.recorded);
    for (const id of ['archive-readable', 'create-temp-db', 'test-restore', 'restored-counts', 'row-counts-match', 'drop-temp-db', 'temp-db-gone', 'remove-plaintext-dump', 'verified']) {
      expect(fin.get(id)?.status, id).toBe('skipped');
    }
    expect(fin.get('remove-verify-copy')?.status).toBe('ok');
    expect(fin.get('alert-slack')?.status).toBe('ok');
    expect(fin.get('alert-pagerduty')?.status).toBe('skipped'); // no routing key given: skipped with the reason, the run goes on
    expect(fin.get('backup-verified')?.status).toBe('failed');
    expect(evs.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed', exitCode: 1 });
    // Slack got the failure, naming the step.
    const said = slack!.requests.slice(before).map((q) => (JSON.parse(q.body) as { text: string }).text);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('Backup verification FAILED for payment_db');
    expect(said[0]).toContain('checksum-matches: CHECKSUM MISMATCH');
    // Nothing was restored; the plaintext dump is kept, the decrypted copy removed.
    expect(await tempDbs()).toEqual([]);
    const files = readdirSync(dir).sort();
    expect(files.map((f) => f.replace(/\d{8}_\d{6}/, 'T'))).toEqual(['payment_db_T.dump', 'payment_db_T.dump.enc', 'payment_db_T.dump.sha256']);
    expect(existsSync(join(dir, files[0]!))).toBe(true);
  }, 150_000);
});
