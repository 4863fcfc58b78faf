// PostgreSQL failover by plain streaming replication (no Patroni): the "PostgreSQL Failover Runbook" of the
// PAM/Conjur HA-DR guide (shared/seeds/000_…, ~line 1287) for a primary + hot standby, with the lag bound of
// its Patroni configuration (maximum_lag_on_failover: 1 MiB, ~line 419) and its Conjur connection check.
// Every address and command is a param, so it runs as well against the machine's own servers (the lab).
import { http, notify, param, pg, runbook, sh, templates } from 'runbook';
import type { PgResult } from 'runbook';

/** maximum_lag_on_failover in the guide's Patroni configuration. */
const MAX_LAG_BYTES = 1_048_576;
const SERVICES = ['Conjur', 'PostgreSQL (Conjur database)'];

/** Errors that mean "no answer from this host" (as opposed to a server that answered, even with an error). */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ECONNCLOSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** 57P01–57P03: shut down by an administrator, crashed, starting up / shutting down. */
function unreachable(r: PgResult): boolean {
  const code = r.error?.code;
  return !r.ok && code !== undefined && (NO_ANSWER.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code));
}

/** The DSN with the password param in it (the pg adapter masks it everywhere it is shown). */
function withPassword(dsn: string, password: string | undefined): string {
  if (password === undefined) return dsn;
  const u = new URL(dsn);
  u.password = password;
  return u.toString();
}

/** `ssh -o BatchMode=yes host '<command>'`, or the command run here, as written. */
function onHost(via: 'ssh' | 'local', host: string, command: string): { ssh: string[]; local: string } {
  return via === 'ssh' ? { ssh: ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', host, command], local: '' } : { ssh: [], local: command };
}

/** The newest log line that mentions the database must not be a connection error. */
const DB_LOG_ERROR = /could not connect|connection refused|connectionbad|server closed the connection|terminating connection|read-only transaction|no route to host|timeout expired/i;

export default runbook('pg-failover-streaming', {
  title: 'PostgreSQL failover (streaming replication)',
  description: [
    'Promote the hot standby when the primary is lost; RTO 5 minutes (the guide\'s "Database Failure" target).',
    'From the guide: check the current state, promote, verify, check that Conjur reconnects (`kubectl logs … | grep -i database`).',
    'Added, because the guide leaves it implicit and each omission has caused split brain or data loss elsewhere:',
    '(1) the primary must be confirmed down from here *and* by a person from a second location, and re-checked just before acting',
    '(a primary that is only unreachable from one place is still taking writes);',
    '(2) the standby must be in recovery and within 1 MiB of WAL (maximum_lag_on_failover), waited for up to 3 minutes, and',
    'pg.promote refuses above that bound;',
    '(3) the old primary is fenced (stopped) as part of the promotion, so it cannot come back as a second primary;',
    '(4) the promotion is verified: not in recovery, timeline advanced, a committed write read back;',
    '(5) clients must be pointed at the new primary (streaming replication has no built-in routing), and Conjur\'s health endpoint',
    'must report its database OK, not only its logs mention it;',
    '(6) a declaration and a recovery-complete message, per the DR plan\'s communication plan.',
  ].join(' '),
  rto: '5m',
  lockKey: (c) => c.params.cluster,
  params: {
    cluster: param.string({ default: 'conjur-db', description: 'which database cluster (scopes the one-live-run lock)' }),
    primary: param.string({ default: 'postgres://ops@pg-primary.internal:5432/postgres', description: 'the old primary, as the runbook host reaches it (no password here)' }),
    standby: param.string({ default: 'postgres://ops@pg-standby.internal:5432/postgres', description: 'the standby to promote (no password here); a superuser, for pg_promote' }),
    pgPassword: param.secret({ env: 'PGPASSWORD', optional: true, description: 'password of the DSNs\' user' }),
    fenceVia: param.enum(['ssh', 'local'], { default: 'ssh', description: 'run the fence command on fenceHost over ssh, or here' }),
    fenceHost: param.string({ default: 'ops@pg-primary.internal', description: 'ssh target of the old primary (fenceVia=ssh)' }),
    fenceCommand: param.string({ default: 'sudo systemctl stop postgresql@15-main', description: 'stops PostgreSQL on the old primary (a shell command, run as written)' }),
    conjur: param.boolean({ default: true, description: 'this database serves Conjur: check that Conjur reconnects (false for a database without Conjur, e.g. the local lab)' }),
    conjurLogsCommand: param.string({ default: 'kubectl logs -n conjur-system -l app=conjur --tail=100', description: 'prints Conjur\'s recent log (a shell command, run as written)' }),
    conjurUrl: param.string({ default: 'https://conjur.internal', description: 'Conjur\'s base URL; GET /health must report database.ok' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of #disaster-recovery' }),
  },
})
  .phase('Assess')
  .notify('declare', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    services: SERVICES, impact: 'Conjur cannot write secrets or audit records while the database has no primary', nextUpdateIn: '15m', slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .check('primary-down', 'The primary does not answer from here', pg.query((c) => withPassword(c.params.primary, c.params.pgPassword), 'select 1 as up'), {
    expect: (r) => unreachable(r), timeout: '5s', estimate: '10s',
    description: 'Refused, timed out or shutting down. A primary that answers (even with an error such as a bad password) is up: do not fail it over.',
  })
  .check('standby-in-recovery', 'The standby is a hot standby (in recovery)', pg.inRecovery((c) => withPassword(c.params.standby, c.params.pgPassword)), {
    expect: (r) => r.value === true, timeout: '10s', estimate: '5s',
  })
  .check('standby-caught-up', 'The standby has replayed what it received (lag ≤ 1 MiB, maximum_lag_on_failover)', pg.replicationLag((c) => withPassword(c.params.standby, c.params.pgPassword)), {
    parse: (_out, r) => r.value?.bytes ?? Number.POSITIVE_INFINITY,
    expect: (lag) => lag <= MAX_LAG_BYTES,
    waitUntil: { timeout: '3m', interval: '10s' }, timeout: '10s', estimate: '10s',
    description: 'With the primary down this is WAL received but not yet replayed; WAL the primary never sent cannot be counted. Replay catches up on its own: wait, do not raise the bound without the data owner.',
  })
  .confirm('primary-really-down', 'Is the primary really down — confirmed from a second location or its console, not just unreachable from here?', {
    estimate: '1m',
    description: 'The guide\'s first checklist item ("Confirm primary is truly unavailable (not network issue)"). Check from the other data centre or the hypervisor/iLO console. Answering no stops the runbook with nothing changed.',
  })
  .phase('Fail over')
  .check('primary-still-down', 'The primary is still down, right before acting', pg.query((c) => withPassword(c.params.primary, c.params.pgPassword), 'select 1 as up'), {
    expect: (r) => unreachable(r), timeout: '5s', estimate: '10s',
    description: 'The confirmation took time; a primary that came back meanwhile must not be failed over.',
  })
  .promote('promote-standby', 'Fence the old primary, then promote the standby', pg.promote({
    standby: (c) => withPassword(c.params.standby, c.params.pgPassword),
    primary: (c) => withPassword(c.params.primary, c.params.pgPassword),
    maxLagBytes: MAX_LAG_BYTES,
    fence: sh`${(c) => onHost(c.params.fenceVia, c.params.fenceHost, c.params.fenceCommand).ssh}${sh.raw((c) => onHost(c.params.fenceVia, c.params.fenceHost, c.params.fenceCommand).local)}`,
    timeout: '60s',
  }), {
    timeout: '3m', estimate: '45s',
    description: 'precheck (in recovery, lag ≤ 1 MiB) → fence (stop PostgreSQL on the old primary) → pg_promote → verify (not in recovery, a rolled-back write). If the fence cannot reach the old host, power it off from its console and mark this step done by hand only after promoting by hand.',
  })
  .check('new-primary-role', 'The new primary is out of recovery', pg.inRecovery((c) => withPassword(c.params.standby, c.params.pgPassword)), {
    expect: (r) => r.value === false, timeout: '10s', estimate: '5s',
  })
  .check('timeline-advanced', 'The new primary writes WAL on a new timeline', pg.query((c) => withPassword(c.params.standby, c.params.pgPassword),
    "select ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int as timeline"), {
    parse: (_out, r) => Number(r.rows[0]?.['timeline'] ?? Number.NaN),
    expect: (timeline, c) => timeline > (c.steps['promote-standby'].value.timelineBefore ?? Number.POSITIVE_INFINITY),
    timeout: '10s', estimate: '5s',
  })
  .exec('write-probe', 'Commit a write on the new primary', pg.exec((c) => withPassword(c.params.standby, c.params.pgPassword),
    "create table if not exists runbook_dr_probe (id bigserial primary key, run_id text, note text, at timestamptz not null default now()); insert into runbook_dr_probe (note) values ('pg-failover-streaming: first write after promotion') returning id"), {
    timeout: '15s', estimate: '5s',
    description: 'One row in `runbook_dr_probe` (created if missing): proof that the new primary commits writes, readable by anyone afterwards.',
  })
  .check('write-readback', 'The write reads back', pg.query((c) => withPassword(c.params.standby, c.params.pgPassword),
    'select count(*)::int as n from runbook_dr_probe where id = $1', [(c) => String(c.steps['write-probe'].value.rows[0]?.['id'] ?? '-1')]), {
    expect: (r) => r.rows[0]?.['n'] === 1, timeout: '10s', estimate: '5s',
  })
  .notify('status-update', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    services: SERVICES, status: 'Standby promoted and writable; reconnecting Conjur',
    milestones: (c) => [`new primary ${c.steps['promote-standby'].value.newPrimary ?? '?'} (was ${c.steps['promote-standby'].value.oldPrimary ?? '?'})`],
    nextUpdateIn: '15m',
  }), { estimate: '5s' })
  .phase('Reconnect')
  .confirm('clients-repointed', 'Are clients pointed at the new primary (DNS name / VIP / Kubernetes Service of the database moved to the standby)?', {
    estimate: '1m',
    description: 'Streaming replication does not move clients. Move whatever Conjur\'s DATABASE_URL resolves to, then answer yes.',
  })
  .check('conjur-db-logs', 'Conjur\'s log: the newest database line is not a connection error', sh`${sh.raw((c) => c.params.conjurLogsCommand)} | grep -i database`, {
    parse: (out) => out.trim().split('\n').filter((l) => l.trim() !== ''),
    expect: (lines) => lines.length > 0 && !DB_LOG_ERROR.test(lines[lines.length - 1] ?? ''),
    when: (c) => c.params.conjur, waitUntil: { timeout: '3m', interval: '10s' }, timeout: '30s', estimate: '30s',
    description: 'The guide\'s "Verify Conjur Connection" (`kubectl logs -n conjur-system -l app=conjur --tail=100 | grep -i database`), judged: errors during the switch are expected, the newest line must not be one. If it stays an error, restart Conjur (`kubectl rollout restart deployment/conjur -n conjur-system`) and retry.',
  })
  .check('conjur-healthy', 'Conjur reports its database healthy', http.get((c) => `${c.params.conjurUrl}/health`, { expectJson: { '$.database.ok': true }, timeout: '10s' }), {
    when: (c) => c.params.conjur, waitUntil: { timeout: '3m', interval: '10s' }, estimate: '20s',
  })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: SERVICES,
    outcome: (c) => [
      `primary ${c.steps['promote-standby'].value.oldPrimary ?? '?'} → ${c.steps['promote-standby'].value.newPrimary ?? '?'}`,
      `timeline ${c.steps['promote-standby'].value.timelineBefore ?? '?'} → ${c.steps['timeline-advanced'].value}`,
      `lag at promotion ${c.steps['promote-standby'].value.lagBytesAtPromote ?? '?'} bytes (measured on the ${c.steps['promote-standby'].value.lagMeasuredOn ?? '?'})`,
    ],
    followUps: ['Rebuild the old primary as a standby of the new one (pg_rewind or pg_basebackup) before it is started again', 'Post-incident review'],
  }), { estimate: '5s' });
