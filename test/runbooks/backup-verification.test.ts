// runbooks/backup-verification.ts without touching anything: lint, dry-run (pg_dump -Fc, the checksum, gpg
// or openssl with a passphrase file, the test restore, cleanup, alerts), the row-count comparison itself,
// and its tabletop scenarios with --auto, asserting the path each one takes from the journal.
import { describe, expect, it } from 'vitest';
import { dryRun, expectLintClean, simulate, statuses, useTempDir } from '../helpers/runbooks.js';
import { compareCounts } from '../../runbooks/backup-verification.js';
import type { PgResult } from '../../dsl/results.js';

const ID = 'backup-verification';
const tmp = useTempDir('runbook-backup-', 'file');

describe(`${ID}: review`, () => {
  it('is lint clean', () => expectLintClean(ID));

  it('dry-run shows pg_dump -Fc, the checksum, gpg with the passphrase file, the test restore and the cleanup; exit 0', async () => {
    const r = await dryRun(ID, tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/sh: umask 077 && pg_dump -Fc -h pg-primary\.internal -p 5432 -U postgres -d payment_db -f \/backups\/database\/payment_db_(\d{8}_\d{6})\.dump\n/);
    const stamp = /payment_db_(\d{8}_\d{6})\.dump/.exec(out)?.[1] ?? '?';
    const base = `/backups/database/payment_db_${stamp}`;
    expect(out).toContain(`sha256sum ${base}.dump > ${base}.dump.sha256`);
    expect(out).toContain(`gpg --batch --yes --pinentry-mode loopback --passphrase-file /root/.backup-key --symmetric --cipher-algo AES256 -o ${base}.dump.gpg ${base}.dump`);
    expect(out).toContain(`gpg --batch --yes --pinentry-mode loopback --passphrase-file /root/.backup-key -o ${base}.verify.dump --decrypt ${base}.dump.gpg`);
    expect(out).toContain(`createdb -h pg-primary.internal -p 5432 -U postgres restore_verify_${stamp}`);
    expect(out).toContain(`pg_restore --exit-on-error --no-owner --no-privileges -h pg-primary.internal -p 5432 -U postgres -d restore_verify_${stamp} ${base}.verify.dump`);
    expect(out).toContain(`aws s3 cp ${base}.dump.gpg s3://payment-api-backups/database/ --sse AES256`);
    expect(out).toContain(`dropdb --if-exists --force -h pg-primary.internal -p 5432 -U postgres restore_verify_${stamp}`);
    expect(out).toContain(`sh: rm -f ${base}.dump\n`);
    expect(out).toContain('notify pagerduty trigger');
    expect(out).toContain('nothing was run');
  });

  it('dry-run with openssl, a separate restore server and binaries from params', async () => {
    const r = await dryRun(ID, tmp.dir, ['-p', 'encryption=openssl', '-p', 'restoreHost=pg-scratch.internal', '-p', 'restorePort=5433',
      '-p', 'pgRestore=/usr/lib/postgresql/15/bin/pg_restore', '-p', 'backupDir=/srv/backups/']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/openssl enc -aes-256-cbc -pbkdf2 -salt -pass file:\/root\/\.backup-key -in \/srv\/backups\/payment_db_\d{8}_\d{6}\.dump -out \/srv\/backups\/payment_db_\d{8}_\d{6}\.dump\.enc/);
    expect(r.stdout).toMatch(/\/usr\/lib\/postgresql\/15\/bin\/pg_restore --exit-on-error --no-owner --no-privileges -h pg-scratch\.internal -p 5433 -U postgres -d restore_verify_/);
    expect(r.stdout).toMatch(/pg postgres:\/\/postgres@pg-scratch\.internal:5433\/restore_verify_\d{8}_\d{6}:/);
  });
});

describe(`${ID}: row counts`, () => {
  const result = (rows: [string, string, number | string][], rowCount = rows.length): PgResult => ({
    ok: true, target: 't', sql: 's', rows: rows.map(([schema, table, n]) => ({ schema, table, rows: n })), rowCount, command: 'SELECT', durationMs: 1, timedOut: false,
  });
  it('equal counts pass; counts written during the dump pass when the restore lies between before and after', () => {
    const cmp = compareCounts(result([['public', 'a', '10'], ['public', 'b', 5]]), result([['public', 'a', 12], ['public', 'b', 5]]), result([['public', 'a', 11], ['public', 'b', 5]]));
    expect(cmp).toEqual({ tables: 2, rows: 16, mismatches: [], counts: [{ table: 'public.a', before: 10, after: 12, restored: 11 }, { table: 'public.b', before: 5, after: 5, restored: 5 }] });
  });
  it('a table with fewer rows, a missing table, an extra table and a truncated result are mismatches', () => {
    const cmp = compareCounts(result([['public', 'a', 10], ['public', 'gone', 3]]), result([['public', 'a', 10], ['public', 'gone', 3]]), result([['public', 'a', 9], ['public', 'new', 1]], 1001));
    expect(cmp.mismatches).toEqual([
      'public.a: restored 9 rows, source had 10',
      'public.gone: missing from the restore (source has 3 rows)',
      'public.new: restored (1 rows) but not in the source',
      'more tables than one result holds (1000): compare them in smaller sets',
    ]);
  });
});

describe(`${ID}: tabletop scenarios (--simulate --auto)`, () => {
  it('tabletop: every step passes, no alert is sent, "Backup verified" is captured, within the 1-hour budget', async () => {
    const s = await simulate(ID, 'tabletop.yaml', tmp.dir);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const st = statuses(s.events);
    expect(st['alert-slack']).toBe('skipped');
    expect(st['alert-pagerduty']).toBe('skipped');
    expect(Object.entries(st).filter(([id]) => !id.startsWith('alert-')).every(([, v]) => v === 'ok')).toBe(true);
    expect(s.finished.get('checksum-matches')?.value).toEqual({ recorded: '9f2c1e0b7a8d4c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0', actual: '9f2c1e0b7a8d4c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0' });
    expect(s.finished.get('archive-readable')?.value).toBe(3);
    expect((s.finished.get('verified')?.result as { message: string }).message).toMatch(/^Backup verified: payment_db on pg-primary\.internal:5432 → .*\.dump\.gpg; sha256 9f2c1e0b.*; test restore: 12 tables, 48210337 rows/);
    expect(s.end).toMatchObject({ status: 'done', exitCode: 0 });
    expect(s.stdout).toMatch(/DONE · simulated 33m37s of RTO 1h00m \(56%, within RTO\)/);
  });

  it('backup checksum mismatch: the comparison fails, restore and upload are skipped, cleanup runs, Slack and PagerDuty are alerted, the verdict fails', async () => {
    const s = await simulate(ID, 'checksum-mismatch.yaml', tmp.dir);
    expect(s.code).toBe(3);
    const st = statuses(s.events);
    expect(s.finished.get('checksum-matches')).toMatchObject({ status: 'failed', continued: true });
    expect(s.finished.get('checksum-matches')?.value).toEqual({ recorded: '9f2c1e0b7a8d4c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0', actual: '03b5e9d1c2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6' });
    for (const id of ['archive-readable', 'create-temp-db', 'test-restore', 'restored-counts', 'row-counts-match', 'upload', 'upload-listed', 'drop-temp-db', 'temp-db-gone', 'remove-plaintext-dump', 'verified']) {
      expect(st[id], id).toBe('skipped');
    }
    expect(st['remove-verify-copy']).toBe('ok');
    const slack = s.finished.get('alert-slack');
    expect(slack?.status).toBe('ok');
    expect((slack?.result as { message: string }).message).toContain('- checksum-matches: CHECKSUM MISMATCH: the decrypted copy differs from the dump');
    expect((s.finished.get('alert-pagerduty')?.result as { message: string; channel: string })).toMatchObject({ channel: 'pagerduty', message: expect.stringContaining('FAILED for payment_db on pg-primary.internal: checksum-matches') });
    expect(s.finished.get('backup-verified')?.status).toBe('failed');
    expect(s.events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([['backup-verified', 'abort']]);
    expect(s.end).toMatchObject({ status: 'aborted', exitCode: 3 });
  });
});
