// The quarterly DR test of the PAM/Conjur HA-DR guide (shared/seeds/000_…): the "DR Test Checklist" (~line
// 1009: pre-test, Vault failover and Database failover scenarios with their success criteria, post-test) as
// automated by automated-dr-test.sh (~line 1067: stop the primary vault, check the standby became primary,
// measure the RTO, restore the primary; switch the Patroni leader over and check it changed; report).
// Each failover is timed by the steps' own durations (the journal's timeline), judged against its target,
// and stated in the results message; `runbook report <run-id>` gives the whole run against its RTO.
// The database part runs for real against a local primary + standby (dbMethod=streaming) as well.
import { fn, http, notify, param, patroni, pg, runbook, sh, ssh } from 'runbook';
import type { PgResult } from 'runbook';

/** Targets and criteria from the DR test checklist. */
const VAULT_RTO_MS = 15 * 60_000;
const DB_RTO_MS = 5 * 60_000;
/** maximum_lag_on_failover in the guide's Patroni configuration. */
const MAX_LAG_BYTES = 1_048_576;

/** The failover itself, from the injected failure to the applications working again: what each RTO measures. */
const VAULT_FAILOVER = ['vault-stop-primary', 'vault-standby-promoted', 'vault-pvwa-answers'] as const;
const DB_FAILOVER = ['db-simulate-failure', 'db-primary-down', 'db-promote', 'db-switchover', 'db-new-primary', 'db-new-leader', 'db-marker-present', 'db-conjur-healthy'] as const;

type StepsView = Readonly<Record<string, { readonly status: string; readonly durationMs: number } | undefined>>;
const view = (c: { steps: object }): StepsView => c.steps as StepsView;
/** Sum of the durations of those steps that ran (null when none did). */
function elapsedMs(c: { steps: object }, ids: readonly string[]): number | null {
  const s = view(c);
  const ran = ids.filter((id) => id in s && s[id]?.status !== 'skipped');
  return ran.length === 0 ? null : ran.reduce((ms, id) => ms + (s[id]?.durationMs ?? 0), 0);
}
/** The steps among these that ran and did not succeed. */
function failedOf(c: { steps: object }, ids: readonly string[]): string[] {
  const s = view(c);
  return ids.filter((id) => id in s && s[id]?.status !== 'skipped' && s[id]?.status !== 'ok');
}
/** Every one of these steps that ran succeeded (at least one ran). */
function allOk(c: { steps: object }, ids: readonly string[]): boolean {
  const s = view(c);
  return ids.some((id) => id in s && s[id]?.status !== 'skipped') && failedOf(c, ids).length === 0;
}

function fmt(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

interface Verdict { readonly ran: boolean; readonly passed: boolean; readonly achievedMs: number | null; readonly targetMs: number; readonly line: string }
type TestCtx = { params: { vault: boolean; database: boolean; dbMethod: 'patroni' | 'streaming' }; steps: object };

function vaultVerdict(c: TestCtx): Verdict {
  const achievedMs = elapsedMs(c, VAULT_FAILOVER);
  if (!c.params.vault) return { ran: false, passed: true, achievedMs, targetMs: VAULT_RTO_MS, line: 'Vault failover: not part of this test' };
  if (!allOk(c, VAULT_FAILOVER)) {
    const failed = failedOf(c, VAULT_FAILOVER);
    return { ran: true, passed: false, achievedMs, targetMs: VAULT_RTO_MS, line: `Vault failover: did not complete (${failed.join(', ') || 'not run'} failed) after ${fmt(achievedMs)}; RTO ${fmt(VAULT_RTO_MS)} not achieved — FAILED` };
  }
  const passed = achievedMs !== null && achievedMs <= VAULT_RTO_MS;
  return { ran: true, passed, achievedMs, targetMs: VAULT_RTO_MS, line: `Vault failover: achieved ${fmt(achievedMs)} of RTO ${fmt(VAULT_RTO_MS)} — ${passed ? 'PASSED' : 'FAILED'}` };
}

function dbVerdict(c: TestCtx): Verdict {
  const achievedMs = elapsedMs(c, DB_FAILOVER);
  if (!c.params.database) return { ran: false, passed: true, achievedMs, targetMs: DB_RTO_MS, line: 'Database failover: not part of this test' };
  const how = c.params.dbMethod === 'patroni' ? 'Patroni switchover' : 'streaming replication, primary stopped';
  const failover = DB_FAILOVER.filter((id) => id !== 'db-marker-present');
  if (!allOk(c, failover)) {
    const failed = failedOf(c, failover);
    return { ran: true, passed: false, achievedMs, targetMs: DB_RTO_MS, line: `Database failover (${how}): did not complete (${failed.join(', ') || 'not run'} failed) after ${fmt(achievedMs)}; RTO ${fmt(DB_RTO_MS)} not achieved — FAILED` };
  }
  const noLoss = view(c)['db-marker-present']?.status === 'ok';
  const inTime = achievedMs !== null && achievedMs <= DB_RTO_MS;
  const passed = noLoss && inTime;
  return {
    ran: true, passed, achievedMs, targetMs: DB_RTO_MS,
    line: `Database failover (${how}): achieved ${fmt(achievedMs)} of RTO ${fmt(DB_RTO_MS)}; RPO: ${noLoss ? 'the row committed just before the failure is on the new primary (nothing committed was lost)' : 'the row committed just before the failure is MISSING on the new primary'} — ${passed ? 'PASSED' : 'FAILED'}`,
  };
}

function results(c: TestCtx & { run: { id: string } }): string {
  const v = vaultVerdict(c);
  const d = dbVerdict(c);
  return [
    `DR test results (run ${c.run.id}):`,
    `- ${v.line}`,
    `- ${d.line}`,
    `Overall: ${v.passed && d.passed ? 'PASSED' : 'FAILED'}. Full report: runbook report ${c.run.id}`,
  ].join('\n');
}

/** The DSN with the password param in it (the pg adapter masks it everywhere it is shown). */
function withPassword(dsn: string, password: string | undefined): string {
  if (password === undefined) return dsn;
  const u = new URL(dsn);
  u.password = password;
  return u.toString();
}
const apis = (list: string): string[] => list.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Errors that mean "no answer from this host" (as opposed to a server that answered, even with an error). */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ECONNCLOSED', 'ENOTFOUND', 'EAI_AGAIN']);
function unreachable(r: PgResult): boolean {
  const code = r.error?.code;
  return !r.ok && code !== undefined && (NO_ANSWER.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code));
}

type DbCtx = { params: { database: boolean; dbMethod: 'patroni' | 'streaming' } };
const streaming = (c: DbCtx): boolean => c.params.database && c.params.dbMethod === 'streaming';
const viaPatroni = (c: DbCtx): boolean => c.params.database && c.params.dbMethod === 'patroni';

export default runbook('dr-test', {
  title: 'DR test: Vault and database failover with measured RTO',
  description: [
    'The guide\'s quarterly DR test (checklist and automated-dr-test.sh): a real Vault failover (stop the primary vault; the',
    'standby must become primary and PVWA answer within 15 minutes) and a real database failover (Patroni switchover, or for plain',
    'streaming replication: stop the primary, promote the standby; within 5 minutes, RPO < 1 minute, Conjur reconnects), each',
    'timed from the injected failure to the applications working, judged, and stated in the results message; the run fails when',
    'a success criterion is not met. The run\'s RTO (20m) is the two targets back to back; `runbook report <run-id>` shows it',
    'against the run and each step\'s timing. Added to the script: the pre-test checklist as confirmations and a Go/No-Go; the',
    'standby\'s health and lag (≤ 1 MiB) checked before anything is stopped (a test must not cause a real outage); `sleep 30` /',
    '`sleep 15` replaced by polling up to the RTO, so a slow failover is measured rather than declared failed; the RPO measured',
    'with a row committed on the primary just before the failure and looked for on the new primary; Conjur\'s health checked after',
    'the database failover; the Vault primary restored only after a confirmation (the rollback plan).',
  ].join(' '),
  rto: '20m',
  lockKey: (c) => c.params.site,
  params: {
    site: param.string({ default: 'primary-dc', description: 'the site under test (scopes the one-live-run lock)' }),
    vault: param.boolean({ default: true, description: 'run the Vault failover test' }),
    database: param.boolean({ default: true, description: 'run the database failover test' }),
    vaultPrimary: param.string({ default: 'ops@primary-vault.example.com', description: 'ssh target of the primary vault' }),
    vaultStandby: param.string({ default: 'ops@standby-vault.example.com', description: 'ssh target of the standby vault' }),
    vaultStatusCommand: param.string({ default: '/opt/CyberArk/Vault/tools/CheckVaultStatus.sh', description: 'prints the vault\'s role (a shell command, run as written on the standby)' }),
    pvwaUrl: param.string({ default: 'https://pvwa.example.com/PasswordVault/v10/logon', description: 'PVWA logon page: answers when applications can reach the vault' }),
    dbMethod: param.enum(['patroni', 'streaming'], { default: 'patroni', description: 'patroni: switch the leader over (as the script); streaming: stop the primary and promote the standby' }),
    dbPrimary: param.string({ default: 'postgres://postgres@pg-primary.internal:5432/postgres', description: 'the primary (Patroni: the leader) as a DSN without password' }),
    dbStandby: param.string({ default: 'postgres://postgres@pg-standby.internal:5432/postgres', description: 'the standby to promote (Patroni: the candidate) as a DSN without password' }),
    pgPassword: param.secret({ env: 'PGPASSWORD', optional: true }),
    dbStopPrimaryCommand: param.string({ default: 'ssh ops@pg-primary.internal sudo systemctl stop postgresql@15-main', description: 'streaming: stops the primary — the simulated failure (a shell command, run as written)' }),
    patroniApi: param.string({ default: 'http://patroni-0.patroni.conjur-system.svc:8008,http://patroni-1.patroni.conjur-system.svc:8008', description: 'Patroni REST API base URLs, comma-separated' }),
    patroniLeader: param.string({ default: 'patroni-0' }),
    patroniCandidate: param.string({ default: 'patroni-1' }),
    conjur: param.boolean({ default: true, description: 'check that Conjur reconnects after the database failover (false without Conjur, e.g. the local lab)' }),
    conjurUrl: param.string({ default: 'https://conjur.internal' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of the DR channel' }),
  },
})
  .phase('Pre-test')
  .confirm('stakeholders-notified', 'Were stakeholders notified 48 hours in advance?', { estimate: '10s', description: 'Checklist pre_test item 1.' })
  .confirm('backup-verified', 'Was backup integrity verified (the backup-verification runbook passed this week)?', { estimate: '10s', description: 'Checklist pre_test item 2: `runbook run runbooks/backup-verification.ts`.' })
  .confirm('dr-site-ready', 'Are the DR site resources available?', { estimate: '10s', description: 'Checklist pre_test item 3.' })
  .confirm('rollback-ready', 'Is the rollback plan prepared and at hand?', { estimate: '10s', description: 'Checklist pre_test item 4.' })
  .check('vault-standby-ready', 'The standby vault is healthy', ssh((c) => c.params.vaultStandby)`${sh.raw((c) => c.params.vaultStatusCommand)}`, {
    when: (c) => c.params.vault, timeout: '1m', estimate: '10s',
  })
  .check('db-standby-ready', 'The standby streams and is within 1 MiB (maximum_lag_on_failover)', pg.replicationLag((c) => withPassword(c.params.dbStandby, c.params.pgPassword)), {
    expect: (r) => r.value?.role === 'standby' && r.value.receiving && (r.value.bytes ?? Number.POSITIVE_INFINITY) <= MAX_LAG_BYTES,
    when: streaming, timeout: '15s', estimate: '5s',
    description: 'A standby that is behind or not streaming would turn the test into a real outage: fix replication first.',
  })
  .check('db-cluster-ready', 'Patroni: the leader is as named, the candidate a running replica within 1 MiB', patroni.cluster((c) => apis(c.params.patroniApi)), {
    expect: (r, c) => {
      const cand = r.members.find((m) => m.name === c.params.patroniCandidate);
      return r.ok && r.leader === c.params.patroniLeader && cand !== undefined && ['running', 'streaming'].includes(cand.state) && typeof cand.lag === 'number' && cand.lag <= MAX_LAG_BYTES;
    },
    when: viaPatroni, timeout: '15s', estimate: '5s',
  })
  .confirm('go-no-go', 'Go for the DR test? The primary vault and the primary database will really be failed over.', {
    estimate: '1m', description: 'The Go/No-Go decision of the DR plan\'s pre-test checklist. No stops here with nothing changed.',
  })
  .notify('test-start', notify.slack((c) => c.params.slackWebhook), (c) => `DR test starting (run ${c.run.id}): ${[c.params.vault ? 'Vault failover (RTO 15m)' : '', c.params.database ? `database failover via ${c.params.dbMethod} (RTO 5m, RPO < 1m)` : ''].filter(Boolean).join(' and ')}. Expect failover alerts.`, { estimate: '5s' })
  .phase('Vault failover test')
  .exec('vault-stop-primary', 'Simulate the primary vault failure: stop PrivateArk', ssh((c) => c.params.vaultPrimary)`systemctl stop PrivateArk`, {
    when: (c) => c.params.vault, timeout: '2m', estimate: '20s',
  })
  .check('vault-standby-promoted', 'The standby vault reports Primary (automatic failover)', ssh((c) => c.params.vaultStandby)`${sh.raw((c) => c.params.vaultStatusCommand)}`, {
    expect: /Primary/, when: (c) => c.params.vault, waitUntil: { timeout: '20m', interval: '15s' }, timeout: '1m', estimate: '3m', continueOnError: true,
    description: 'The script sleeps 30 s and checks once; here it is polled beyond the 15-minute target, so a slow failover is measured, not just failed.',
  })
  .check('vault-pvwa-answers', 'Applications reconnect: PVWA answers', http.get((c) => c.params.pvwaUrl, { timeout: '10s' }), {
    when: (c) => c.params.vault && c.steps['vault-standby-promoted'].ok, waitUntil: { timeout: '10m', interval: '15s' }, estimate: '1m', continueOnError: true,
  })
  .check('vault-rto-met', 'Vault failover within 15 minutes', fn((c) => vaultVerdict(c), { readOnly: true, label: 'vault failover time from the step timeline' }), {
    expect: (_r, c) => vaultVerdict(c).passed, when: (c) => c.params.vault, estimate: '1s', continueOnError: true,
  })
  .confirm('vault-restore-go', 'Restore the primary vault now (start PrivateArk on the old primary, as the rollback plan says)?', {
    when: (c) => c.params.vault, onNo: 'continue', estimate: '30s',
    description: 'The script restarts it at once. Answer no when the rollback plan fails back later; the results are unaffected.',
  })
  .exec('vault-restore-primary', 'Restore the primary vault: start PrivateArk', ssh((c) => c.params.vaultPrimary)`systemctl start PrivateArk`, {
    when: (c) => c.params.vault && c.steps['vault-restore-go'].value === true, timeout: '2m', estimate: '30s', continueOnError: true,
  })
  .check('vault-primary-running', 'PrivateArk runs on the old primary again', ssh((c) => c.params.vaultPrimary)`systemctl is-active PrivateArk`, {
    expect: /^active/m, when: (c) => c.params.vault && c.steps['vault-restore-go'].value === true, waitUntil: { timeout: '5m', interval: '10s' }, timeout: '30s', estimate: '10s', continueOnError: true,
  })
  .phase('Database failover test')
  .exec('db-marker-table', 'RPO marker table on the primary', pg.exec((c) => withPassword(c.params.dbPrimary, c.params.pgPassword),
    'create table if not exists runbook_dr_probe (id bigserial primary key, run_id text, note text, at timestamptz not null default now())'), {
    when: (c) => c.params.database, timeout: '15s', estimate: '2s',
  })
  .exec('db-marker', 'Commit a marker row on the primary just before the failure', pg.exec((c) => withPassword(c.params.dbPrimary, c.params.pgPassword),
    "insert into runbook_dr_probe (run_id, note) values ($1, 'dr-test RPO marker') returning id", [(c) => c.run.id]), {
    expect: (r) => r.rowCount === 1, when: (c) => c.params.database, timeout: '15s', estimate: '2s',
  })
  .exec('db-simulate-failure', 'Simulate the primary failure: stop PostgreSQL on it', sh`${sh.raw((c) => c.params.dbStopPrimaryCommand)}`, {
    when: streaming, timeout: '2m', estimate: '15s',
  })
  .check('db-primary-down', 'The primary no longer answers', pg.query((c) => withPassword(c.params.dbPrimary, c.params.pgPassword), 'select 1 as up'), {
    expect: (r) => unreachable(r), when: streaming, timeout: '5s', waitUntil: { timeout: '1m', interval: '2s' }, estimate: '5s',
  })
  .promote('db-promote', 'Promote the standby (lag ≤ 1 MiB)', pg.promote({
    standby: (c) => withPassword(c.params.dbStandby, c.params.pgPassword), primary: (c) => withPassword(c.params.dbPrimary, c.params.pgPassword),
    maxLagBytes: MAX_LAG_BYTES, timeout: '60s',
  }), { when: streaming, timeout: '3m', estimate: '30s', continueOnError: true })
  .promote('db-switchover', 'Patroni switchover to the candidate (patronictl switchover)', patroni.switchover({
    api: (c) => apis(c.params.patroniApi), leader: (c) => c.params.patroniLeader, candidate: (c) => c.params.patroniCandidate, maxLagBytes: MAX_LAG_BYTES, timeout: '4m',
  }), { when: viaPatroni, timeout: '5m', estimate: '30s', continueOnError: true })
  .check('db-new-primary', 'The standby is the primary now (out of recovery)', pg.inRecovery((c) => withPassword(c.params.dbStandby, c.params.pgPassword)), {
    expect: (r) => r.value === false, when: streaming, timeout: '10s', estimate: '5s', continueOnError: true,
  })
  .check('db-new-leader', 'Patroni: the candidate leads (the leader changed)', patroni.cluster((c) => apis(c.params.patroniApi)), {
    expect: (r, c) => r.ok && r.leader === c.params.patroniCandidate && r.leader !== c.params.patroniLeader,
    when: viaPatroni, timeout: '10s', waitUntil: { timeout: '1m', interval: '5s' }, estimate: '5s', continueOnError: true,
  })
  .check('db-marker-present', 'RPO: the marker row is on the new primary', pg.query((c) => withPassword(c.params.dbStandby, c.params.pgPassword),
    'select count(*)::int as n from runbook_dr_probe where id = $1', [(c) => String(c.steps['db-marker'].value.rows[0]?.['id'] ?? '-1')]), {
    expect: (r) => r.rows[0]?.['n'] === 1, when: (c) => c.params.database, timeout: '10s', estimate: '2s', continueOnError: true,
  })
  .check('db-conjur-healthy', 'Conjur reconnects: its health reports the database OK', http.get((c) => `${c.params.conjurUrl}/health`, { expectJson: { '$.database.ok': true }, timeout: '10s' }), {
    when: (c) => c.params.database && c.params.conjur, waitUntil: { timeout: '5m', interval: '10s' }, estimate: '30s', continueOnError: true,
  })
  .check('db-rto-met', 'Database failover within 5 minutes, nothing committed lost', fn((c) => dbVerdict(c), { readOnly: true, label: 'database failover time from the step timeline' }), {
    expect: (_r, c) => dbVerdict(c).passed, when: (c) => c.params.database, estimate: '1s', continueOnError: true,
  })
  .confirm('db-rebuild-planned', 'Is the rebuild of the old primary as a standby of the new one scheduled (pg_rewind or pg_basebackup)?', {
    when: streaming, onNo: 'continue', estimate: '30s',
    description: 'With plain streaming replication the stopped primary must not be started as it is: it would be a second primary. Patroni rejoins it by itself.',
  })
  .phase('Results')
  .notify('results', notify.console(), (c) => results(c), { estimate: '1s' })
  .notify('results-slack', notify.slack((c) => c.params.slackWebhook), (c) => results(c), { estimate: '5s' })
  .confirm('post-test-review', 'Post-test: results documented (runbook report), improvements identified, runbooks updated, remediation scheduled?', {
    onNo: 'continue', estimate: '30s', description: 'Checklist post_test items; answering no is recorded in the report.',
  })
  .check('success-criteria', 'Every success criterion met', fn((c) => ({ vault: vaultVerdict(c), database: dbVerdict(c) }), { readOnly: true, label: 'the verdicts' }), {
    expect: (_r, c) => vaultVerdict(c).passed && dbVerdict(c).passed, estimate: '1s',
    description: 'Fails the run when a failover did not complete, took longer than its RTO, or lost the RPO marker.',
  });
