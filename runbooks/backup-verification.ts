// PostgreSQL backup and its verification: `pg_dump -Fc` (payment API DR plan, shared/seeds/002_…, ~line 224),
// a checksum (002: "Checksums verified for all backup files"), an encrypted copy (the PAM/Conjur guide's
// comprehensive-backup.sh, shared/seeds/000_…, ~line 687: `gpg --symmetric --cipher-algo AES256 --passphrase-file`),
// upload (`aws s3 cp … --sse AES256`), a test restore into a temporary database (000's backup-verification job:
// `createdb test_restore` … `dropdb test_restore`), a row-count comparison, cleanup, and an alert when anything
// failed (002: "Failed verifications trigger alerts"). Binaries, hosts and paths are params, so it runs as well
// against the machine's own PostgreSQL (the lab).
import { fn, notify, param, pg, runbook, sh } from 'runbook';
import type { PgResult, RunInfo } from 'runbook';

const SERVICES = 'PostgreSQL backups';

/** Rows per table, counted exactly (count(*) per table through query_to_xml: one read-only statement). */
const COUNT_ROWS_SQL = [
  'select n.nspname as schema, c.relname as "table",',
  "  (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint as rows",
  'from pg_class c join pg_namespace n on n.oid = c.relnamespace',
  "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'",
  'order by 1, 2',
].join('\n');

/** The steps whose failure means "this backup is not verified" (notifications and cleanup are not among them). */
const CRITICAL = [
  'source-reachable', 'make-backup-dir', 'source-counts-before', 'pg-dump', 'source-counts-after', 'checksum', 'encrypt', 'encrypted-copy-written',
  'decrypt', 'checksum-matches', 'archive-readable', 'create-temp-db', 'test-restore', 'restored-counts', 'row-counts-match',
  'upload', 'upload-listed',
] as const;

type StepsView = Readonly<Record<string, { readonly status: string } | undefined>>;
/** The critical steps that failed so far (a step skipped because of an earlier failure is not counted twice). */
function failures(c: { steps: object }): string[] {
  const steps = c.steps as StepsView;
  return CRITICAL.filter((id) => id in steps && steps[id]?.status === 'failed');
}
const healthy = (c: { steps: object }): boolean => failures(c).length === 0;

interface Paths { dump: string; sum: string; enc: string; copy: string; name: string }
type PathCtx = { params: { backupDir: string; database: string; encryption: 'gpg' | 'openssl' }; run: RunInfo };
/** BACKUP_DATE of the guide's script (%Y%m%d_%H%M%S), from the run's start. */
const stamp = (c: { run: RunInfo }): string => c.run.startedAt.replace(/\.\d+Z$|Z$/, '').replace(/[-:]/g, '').replace('T', '_');
function paths(c: PathCtx): Paths {
  const name = `${c.params.database}_${stamp(c)}`;
  const base = `${c.params.backupDir.replace(/\/+$/, '')}/${name}`;
  return { name, dump: `${base}.dump`, sum: `${base}.dump.sha256`, enc: `${base}.dump.${c.params.encryption === 'gpg' ? 'gpg' : 'enc'}`, copy: `${base}.verify.dump` };
}
const tempDb = (c: { run: RunInfo }): string => `restore_verify_${stamp(c)}`;

type ToolCtx = { params: { host: string; port: number; user: string; restoreHost?: string | undefined; restorePort?: number | undefined } };
const sourceArgs = (c: ToolCtx): string[] => ['-h', c.params.host, '-p', String(c.params.port), '-U', c.params.user];
const restoreArgs = (c: ToolCtx): string[] => ['-h', c.params.restoreHost ?? c.params.host, '-p', String(c.params.restorePort ?? c.params.port), '-U', c.params.user];

type CryptCtx = PathCtx & { params: { gpg: string; openssl: string; passphraseFile: string } };
function encryptWords(c: CryptCtx): string[] {
  const p = paths(c);
  return c.params.encryption === 'gpg'
    ? [c.params.gpg, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase-file', c.params.passphraseFile, '--symmetric', '--cipher-algo', 'AES256', '-o', p.enc, p.dump]
    : [c.params.openssl, 'enc', '-aes-256-cbc', '-pbkdf2', '-salt', '-pass', `file:${c.params.passphraseFile}`, '-in', p.dump, '-out', p.enc];
}
function decryptWords(c: CryptCtx): string[] {
  const p = paths(c);
  return c.params.encryption === 'gpg'
    ? [c.params.gpg, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase-file', c.params.passphraseFile, '-o', p.copy, '--decrypt', p.enc]
    : [c.params.openssl, 'enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', `file:${c.params.passphraseFile}`, '-in', p.enc, '-out', p.copy];
}

type ConnCtx = { params: { host: string; port: number; user: string; database: string; pgPassword?: string | undefined; restoreHost?: string | undefined; restorePort?: number | undefined }; run: RunInfo };
function conn(host: string, port: number, user: string, database: string, password: string | undefined): { host: string; port: number; user: string; database: string; password?: string } {
  return password === undefined ? { host, port, user, database } : { host, port, user, database, password };
}
const sourceConn = (c: ConnCtx) => conn(c.params.host, c.params.port, c.params.user, c.params.database, c.params.pgPassword);
const restoreConn = (c: ConnCtx, database: string) => conn(c.params.restoreHost ?? c.params.host, c.params.restorePort ?? c.params.port, c.params.user, database, c.params.pgPassword);

/** Table → rows, from a COUNT_ROWS_SQL result. */
function countsOf(r: PgResult): Map<string, number> {
  return new Map(r.rows.map((row) => [`${String(row['schema'])}.${String(row['table'])}`, Number(row['rows'])]));
}

export interface RowComparison {
  readonly tables: number;
  readonly rows: number;
  /** Per table: the source's count before and after the dump, and the restored count. */
  readonly counts: readonly { readonly table: string; readonly before: number | null; readonly after: number | null; readonly restored: number | null }[];
  readonly mismatches: readonly string[];
}

/**
 * The restored count of each table must lie between the source's counts taken just before and just after
 * the dump (equal to both when nothing wrote meanwhile): pg_dump reads one snapshot taken in between.
 */
export function compareCounts(before: PgResult, after: PgResult, restored: PgResult): RowComparison {
  const b = countsOf(before);
  const a = countsOf(after);
  const r = countsOf(restored);
  const tables = [...new Set([...b.keys(), ...a.keys(), ...r.keys()])].sort();
  const counts = tables.map((table) => ({ table, before: b.get(table) ?? null, after: a.get(table) ?? null, restored: r.get(table) ?? null }));
  const mismatches: string[] = [];
  for (const t of counts) {
    if (t.restored === null) mismatches.push(`${t.table}: missing from the restore (source has ${t.after ?? t.before} rows)`);
    else if (t.before === null && t.after === null) mismatches.push(`${t.table}: restored (${t.restored} rows) but not in the source`);
    else {
      const known = [t.before, t.after].filter((n): n is number => n !== null);
      const lo = Math.min(...known);
      const hi = Math.max(...known);
      if (t.restored < lo || t.restored > hi) mismatches.push(`${t.table}: restored ${t.restored} rows, source had ${lo === hi ? lo : `${lo}–${hi}`}`);
    }
  }
  if (before.rowCount !== before.rows.length || restored.rowCount !== restored.rows.length) mismatches.push('more tables than one result holds (1000): compare them in smaller sets');
  return { tables: tables.length, rows: counts.reduce((n, t) => n + (t.restored ?? 0), 0), counts, mismatches };
}

const STEP_TITLES: Readonly<Record<(typeof CRITICAL)[number], string>> = {
  'source-reachable': 'the source database did not answer', 'make-backup-dir': 'the backup directory could not be made',
  'source-counts-before': 'row counts before the dump failed', 'pg-dump': 'pg_dump failed', 'source-counts-after': 'row counts after the dump failed',
  checksum: 'the checksum could not be written', encrypt: 'encryption failed', 'encrypted-copy-written': 'the encrypted copy is missing or empty', decrypt: 'the encrypted copy did not decrypt',
  'checksum-matches': 'CHECKSUM MISMATCH: the decrypted copy differs from the dump', 'archive-readable': 'pg_restore cannot read the archive',
  'create-temp-db': 'the temporary database could not be created', 'test-restore': 'the test restore failed',
  'restored-counts': 'row counts of the restore failed', 'row-counts-match': 'ROW COUNTS DIFFER between source and restore',
  upload: 'the upload failed', 'upload-listed': 'the upload is not listed',
};

export default runbook('backup-verification', {
  title: 'PostgreSQL backup and verification',
  description: [
    'Dump the database (`pg_dump -Fc`), record its SHA-256, keep an encrypted copy (gpg AES256, or openssl aes-256-cbc with pbkdf2),',
    'then prove it restores: decrypt the copy, compare its checksum with the one recorded, `pg_restore --list`, restore it into a',
    'temporary database and compare row counts per table with the source; upload it (`aws s3 cp --sse AES256`) and list it; clean',
    'up; alert on any failure. Added to the documents\' scripts: the checksum is verified on the decrypted copy (so the encrypted file',
    'itself is proven, not only written); row counts are compared per table (the guide\'s job only checks that psql exits 0), taken',
    'just before and after the dump so a busy source cannot fail the check falsely; files are written with umask 077 and the',
    'plaintext dump is removed once the encrypted copy is verified (kept when it is not: it is then the only good copy); the test',
    'restore may go to another server (restoreHost) instead of production; every step after a failure is skipped, cleanup still',
    'runs, and the run ends failed after alerting Slack and PagerDuty. PostgreSQL tools read the password from PGPASSWORD or',
    '~/.pgpass: give pgPassword through the PGPASSWORD environment variable so they inherit it.',
  ].join(' '),
  rto: '1h',
  lockKey: (c) => `${c.params.host}:${c.params.port}/${c.params.database}`,
  params: {
    host: param.string({ default: 'pg-primary.internal', description: 'the database server to back up' }),
    port: param.number({ default: 5432 }),
    user: param.string({ default: 'postgres', description: 'a role that can read every table (and create databases on the restore server)' }),
    database: param.string({ default: 'payment_db' }),
    pgPassword: param.secret({ env: 'PGPASSWORD', optional: true }),
    restoreHost: param.string({ optional: true, description: 'server for the test restore (default: the source server)' }),
    restorePort: param.number({ optional: true, description: 'its port (default: the source port)' }),
    backupDir: param.string({ default: '/backups/database' }),
    encryption: param.enum(['gpg', 'openssl'], { default: 'gpg', description: 'gpg --symmetric AES256 (as the guide) or openssl enc -aes-256-cbc -pbkdf2' }),
    passphraseFile: param.string({ default: '/root/.backup-key', description: 'file holding the encryption passphrase (never on a command line)' }),
    keepPlaintext: param.boolean({ default: false, description: 'keep the unencrypted dump after the encrypted copy is verified' }),
    upload: param.boolean({ default: true, description: 'upload the verified backup to uploadTo' }),
    uploadTo: param.string({ default: 's3://payment-api-backups/database/' }),
    pgDump: param.string({ default: 'pg_dump' }),
    pgRestore: param.string({ default: 'pg_restore' }),
    createdb: param.string({ default: 'createdb' }),
    dropdb: param.string({ default: 'dropdb' }),
    gpg: param.string({ default: 'gpg' }),
    openssl: param.string({ default: 'openssl' }),
    sha256sum: param.string({ default: 'sha256sum' }),
    aws: param.string({ default: 'aws' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook for backup alerts' }),
    pagerdutyKey: param.secret({ env: 'PAGERDUTY_ROUTING_KEY', optional: true, description: 'PagerDuty Events v2 routing key for backup alerts' }),
  },
})
  .phase('Back up')
  .notify('start', notify.console(), (c) => `Starting backup of ${c.params.database} on ${c.params.host}:${c.params.port} → ${paths(c).enc}`, { estimate: '1s' })
  .check('source-reachable', 'The source database answers', pg.query((c) => sourceConn(c), 'select current_database() as db, pg_is_in_recovery() as standby, pg_database_size(current_database()) as bytes'), {
    timeout: '15s', estimate: '5s', continueOnError: true,
  })
  .exec('make-backup-dir', 'Make the backup directory (mode 700)', sh`mkdir -p -m 700 ${(c) => c.params.backupDir}`, {
    when: healthy, timeout: '30s', estimate: '1s', continueOnError: true,
  })
  .check('source-counts-before', 'Rows per table in the source (before the dump)', pg.query((c) => sourceConn(c), COUNT_ROWS_SQL), {
    when: healthy, timeout: '30m', estimate: '1m', continueOnError: true,
  })
  .exec('pg-dump', 'pg_dump -Fc', sh`umask 077 && ${(c) => c.params.pgDump} -Fc ${(c) => sourceArgs(c)} -d ${(c) => c.params.database} -f ${(c) => paths(c).dump}`, {
    when: healthy, timeout: '2h', estimate: '5m', continueOnError: true,
  })
  .check('source-counts-after', 'Rows per table in the source (after the dump)', pg.query((c) => sourceConn(c), COUNT_ROWS_SQL), {
    when: healthy, timeout: '30m', estimate: '1m', continueOnError: true,
  })
  .exec('checksum', 'Record the dump\'s SHA-256', sh`umask 077 && ${(c) => c.params.sha256sum} ${(c) => paths(c).dump} > ${(c) => paths(c).sum} && cat ${(c) => paths(c).sum}`, {
    parse: (out) => out.trim().split(/\s+/)[0] ?? '', expect: (hash) => /^[0-9a-f]{64}$/.test(hash),
    when: healthy, timeout: '30m', estimate: '30s', continueOnError: true,
  })
  .exec('encrypt', 'Encrypt a copy (AES-256)', sh`umask 077 && ${(c) => encryptWords(c)}`, {
    when: healthy, timeout: '1h', estimate: '1m', continueOnError: true,
    description: 'The passphrase is read from passphraseFile; it never appears on a command line.',
  })
  .check('encrypted-copy-written', 'The encrypted copy is there and not empty', sh`wc -c < ${(c) => paths(c).enc}`, {
    parse: (out) => Number(out.trim()), expect: (bytes) => bytes > 0,
    when: healthy, timeout: '1m', estimate: '1s', continueOnError: true,
  })
  .phase('Verify')
  .exec('decrypt', 'Decrypt the encrypted copy for verification', sh`umask 077 && ${(c) => decryptWords(c)}`, {
    when: healthy, timeout: '1h', estimate: '1m', continueOnError: true,
  })
  .check('checksum-matches', 'The decrypted copy has the recorded SHA-256', sh`cut -d ' ' -f 1 ${(c) => paths(c).sum} && ${(c) => c.params.sha256sum} < ${(c) => paths(c).copy}`, {
    parse: (out) => {
      const [recorded = '', actual = ''] = out.trim().split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '');
      return { recorded, actual };
    },
    expect: (v) => /^[0-9a-f]{64}$/.test(v.recorded) && v.recorded === v.actual,
    when: healthy, timeout: '30m', estimate: '30s', continueOnError: true,
  })
  .check('archive-readable', 'pg_restore reads the archive\'s table of contents', sh`${(c) => c.params.pgRestore} --list ${(c) => paths(c).copy}`, {
    parse: (out) => out.split('\n').filter((l) => /^\d+;/.test(l)).length, expect: (entries) => entries > 0,
    when: healthy, timeout: '5m', estimate: '5s', continueOnError: true,
  })
  .exec('create-temp-db', 'Create the temporary database', sh`${(c) => c.params.createdb} ${(c) => restoreArgs(c)} ${(c) => tempDb(c)}`, {
    when: healthy, timeout: '1m', estimate: '5s', continueOnError: true,
  })
  .exec('test-restore', 'Restore the copy into the temporary database', sh`${(c) => c.params.pgRestore} --exit-on-error --no-owner --no-privileges ${(c) => restoreArgs(c)} -d ${(c) => tempDb(c)} ${(c) => paths(c).copy}`, {
    when: healthy, timeout: '2h', estimate: '10m', continueOnError: true,
  })
  .check('restored-counts', 'Rows per table in the restore', pg.query((c) => restoreConn(c, tempDb(c)), COUNT_ROWS_SQL), {
    when: healthy, timeout: '30m', estimate: '1m', continueOnError: true,
  })
  .check('row-counts-match', 'Every table restored with the source\'s row count', fn((c) => compareCounts(
    c.steps['source-counts-before'].value, c.steps['source-counts-after'].value, c.steps['restored-counts'].value,
  ), { readOnly: true, label: 'compare row counts per table' }), {
    expect: (r) => r.tables > 0 && r.mismatches.length === 0,
    when: healthy, estimate: '1s', continueOnError: true,
  })
  .exec('upload', 'Upload the encrypted backup and its checksum', sh`${(c) => c.params.aws} s3 cp ${(c) => paths(c).enc} ${(c) => c.params.uploadTo} --sse AES256 && ${(c) => c.params.aws} s3 cp ${(c) => paths(c).sum} ${(c) => c.params.uploadTo} --sse AES256`, {
    when: (c) => c.params.upload && healthy(c), timeout: '1h', estimate: '2m', continueOnError: true,
  })
  .check('upload-listed', 'The upload is listed', sh`${(c) => c.params.aws} s3 ls ${(c) => c.params.uploadTo}`, {
    expect: (r, c) => r.ok && r.stdout.includes(paths(c).enc.split('/').pop() ?? '?'),
    when: (c) => c.params.upload && healthy(c), timeout: '1m', estimate: '5s', continueOnError: true,
  })
  .phase('Clean up')
  // runbook-lint-disable-next-line destructive-needs-confirm -- drops only the temporary database this run created
  .exec('drop-temp-db', 'Drop the temporary database', sh`${(c) => c.params.dropdb} --if-exists --force ${(c) => restoreArgs(c)} ${(c) => tempDb(c)}`, {
    description: '`--force` (PostgreSQL 13+) ends the sessions still open on it, this run\'s own row-count connection among them.',
    when: (c) => c.steps['create-temp-db'].status !== 'skipped', timeout: '5m', estimate: '5s', continueOnError: true,
  })
  // runbook-lint-disable-next-line destructive-needs-confirm -- removes only this run's decrypted verification copy
  .exec('remove-verify-copy', 'Remove the decrypted verification copy', sh`rm -f ${(c) => paths(c).copy}`, {
    timeout: '1m', estimate: '1s', continueOnError: true,
  })
  // runbook-lint-disable-next-line destructive-needs-confirm -- only once the encrypted copy is proven to hold the same bytes
  .exec('remove-plaintext-dump', 'Remove the unencrypted dump (the verified encrypted copy is the backup)', sh`rm -f ${(c) => paths(c).dump}`, {
    when: (c) => !c.params.keepPlaintext && healthy(c) && c.steps['checksum-matches'].status === 'ok', timeout: '1m', estimate: '1s', continueOnError: true,
    description: 'After any failure the plaintext dump stays (mode 600): it may be the only good copy.',
  })
  .check('temp-db-gone', 'No temporary database is left', pg.query((c) => restoreConn(c, 'postgres'), 'select count(*)::int as n from pg_database where datname = $1', [(c) => tempDb(c)]), {
    expect: (r) => r.rows[0]?.['n'] === 0,
    when: (c) => c.steps['create-temp-db'].status !== 'skipped', timeout: '15s', estimate: '2s', continueOnError: true,
  })
  .phase('Report')
  .notify('alert-slack', notify.slack((c) => c.params.slackWebhook), (c) => [
    `:rotating_light: Backup verification FAILED for ${c.params.database} on ${c.params.host}:${c.params.port} (run ${c.run.id})`,
    ...failures(c).map((id) => `- ${id}: ${STEP_TITLES[id as (typeof CRITICAL)[number]]}`),
    `Backup files: ${paths(c).enc} (+ .sha256)`,
  ].join('\n'), { when: (c) => !healthy(c), estimate: '2s' })
  .notify('alert-pagerduty', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'error', source: 'backup-verification' }),
    (c) => `Backup verification FAILED for ${c.params.database} on ${c.params.host}: ${failures(c).join(', ')}`, { when: (c) => !healthy(c), estimate: '2s' })
  .notify('verified', notify.slack((c) => c.params.slackWebhook), (c) => {
    const cmp = c.steps['row-counts-match'].value as Partial<RowComparison>;
    const sum = c.steps.checksum.value;
    return `Backup verified: ${c.params.database} on ${c.params.host}:${c.params.port} → ${paths(c).enc}; sha256 ${String(sum)}; test restore: ${cmp.tables ?? '?'} tables, ${cmp.rows ?? '?'} rows, counts equal to the source`;
  }, { when: healthy, estimate: '2s' })
  .check('backup-verified', 'The backup is verified (nothing above failed)', fn((c) => ({ failed: failures(c) }), { readOnly: true, label: 'collect failed steps' }), {
    expect: (_r, c) => healthy(c), estimate: '1s',
    description: 'Fails the run when any step of the backup or its verification failed, after cleanup and the alerts.',
  });
