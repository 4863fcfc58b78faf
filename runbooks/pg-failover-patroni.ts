// PostgreSQL failover with Patroni: the "PostgreSQL Failover Runbook" of the PAM/Conjur HA-DR guide
// (shared/seeds/000_…, ~line 1287) — check the current state with `patronictl list`, switch over to a named
// candidate, verify with `patronictl list`, verify Conjur's database connection — driven through Patroni's
// REST API, with the lag bound of the guide's Patroni configuration (maximum_lag_on_failover: 1 MiB, ~line 419).
// Every address and command is a param, so it runs as well against a local Patroni cluster (the lab).
import { http, notify, param, patroni, pg, runbook, sh, templates } from 'runbook';
import type { PatroniClusterResult, PatroniMember } from 'runbook';

/** maximum_lag_on_failover in the guide's Patroni configuration. */
const MAX_LAG_BYTES = 1_048_576;
const SERVICES = ['Conjur', 'PostgreSQL (Patroni cluster)'];

const apis = (list: string): string[] => list.split(',').map((s) => s.trim()).filter((s) => s !== '');
const member = (r: PatroniClusterResult, name: string): PatroniMember | undefined => r.members.find((m) => m.name === name);
const running = (m: PatroniMember | undefined): boolean => m !== undefined && ['running', 'streaming'].includes(m.state);

/** The member named in the `Leader` row of `patronictl list` (the guide: `patronictl list | grep Leader | awk '{print $2}'`). */
function leaderOf(table: string): string | null {
  const row = table.split('\n').find((l) => /\|\s*Leader\s*\|/.test(l));
  return row?.split('|')[1]?.trim() || null;
}

/** The DSN with the password param in it (the pg adapter masks it everywhere it is shown). */
function withPassword(dsn: string, password: string | undefined): string {
  if (password === undefined) return dsn;
  const u = new URL(dsn);
  u.password = password;
  return u.toString();
}

/** The newest log line that mentions the database must not be a connection error. */
const DB_LOG_ERROR = /could not connect|connection refused|connectionbad|server closed the connection|terminating connection|read-only transaction|no route to host|timeout expired/i;

export default runbook('pg-failover-patroni', {
  title: 'PostgreSQL failover with Patroni (switchover / failover)',
  description: [
    'Hand the Patroni leader over to a named replica; RTO 5 minutes (the guide\'s "Database Failure" target).',
    'Patroni fails over by itself when the leader dies; this runbook is the guide\'s "Manual Failover (if needed)":',
    '`patronictl list`, `patronictl switchover --master <leader> --candidate <candidate> --force`, `patronictl list`, and',
    '`kubectl logs -n conjur-system -l app=conjur --tail=100 | grep -i database`.',
    'operation=switchover for a planned change (the leader must be who you name), operation=failover when the leader is gone',
    'and Patroni did not fail over by itself (e.g. the cluster is paused).',
    'Added: the candidate must be a running replica within 1 MiB (maximum_lag_on_failover), waited for up to 3 minutes, and',
    'the request carries that bound; `--force` is replaced by an explicit confirmation after those checks; the result is',
    'verified from the API (candidate leads on a new timeline, the old leader runs as its replica) and by a committed write',
    'on the new leader, not only by reading `patronictl list`; Conjur\'s health endpoint must report its database OK; a',
    'declaration and a recovery-complete message, per the DR plan\'s communication plan.',
  ].join(' '),
  rto: '5m',
  lockKey: (c) => c.params.cluster,
  params: {
    cluster: param.string({ default: 'conjur-db', description: 'which Patroni cluster (scopes the one-live-run lock)' }),
    api: param.string({ default: 'http://patroni-0.patroni.conjur-system.svc:8008,http://patroni-1.patroni.conjur-system.svc:8008', description: 'the members\' REST API base URLs, comma-separated, tried in order' }),
    operation: param.enum(['switchover', 'failover'], { default: 'switchover', description: 'switchover (planned; the leader hands over) or failover (the leader is gone)' }),
    leader: param.string({ default: 'patroni-0', description: 'the member that leads now (switchover)' }),
    candidate: param.string({ default: 'patroni-1', description: 'the replica that must lead afterwards' }),
    candidateDsn: param.string({ default: 'postgres://postgres@patroni-1.patroni.conjur-system.svc:5432/postgres', description: 'the candidate\'s PostgreSQL, for the write check (no password here)' }),
    pgPassword: param.secret({ env: 'PGPASSWORD', optional: true, description: 'password of candidateDsn\'s user' }),
    patronictl: param.string({ default: 'kubectl exec -n conjur-system patroni-0 -- patronictl', description: 'how to run patronictl (a shell command prefix, run as written; `list` is appended), e.g. `patronictl -c /etc/patroni.yml`' }),
    conjur: param.boolean({ default: true, description: 'this database serves Conjur: check that Conjur reconnects (false for a cluster without Conjur, e.g. the local lab)' }),
    conjurLogsCommand: param.string({ default: 'kubectl logs -n conjur-system -l app=conjur --tail=100', description: 'prints Conjur\'s recent log (a shell command, run as written)' }),
    conjurUrl: param.string({ default: 'https://conjur.internal', description: 'Conjur\'s base URL; GET /health must report database.ok' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of #disaster-recovery' }),
  },
})
  .phase('Check current state')
  .notify('announce', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    services: SERVICES, impact: (c) => `Conjur's database leader moves from ${c.params.leader} to ${c.params.candidate}: writes pause for seconds (${c.params.operation})`,
    nextUpdateIn: '15m', slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .check('patronictl-list-before', 'patronictl list (before)', sh`${sh.raw((c) => c.params.patronictl)} list`, {
    parse: (out) => leaderOf(out), timeout: '30s', estimate: '5s',
    description: 'The guide\'s "Check current state". Shown for the people on the bridge; the decisions below read the REST API.',
  })
  .check('cluster-before', 'The cluster answers and the leader is the one named', patroni.cluster((c) => apis(c.params.api)), {
    expect: (r, c) => r.ok && (c.params.operation === 'failover' || r.leader === c.params.leader),
    timeout: '10s', estimate: '5s',
    description: 'For a switchover the leader must be `leader` (Patroni refuses otherwise); for a failover the leader may be gone. A paused cluster (maintenance mode) does not fail over by itself: that is when operation=failover is needed.',
  })
  .check('candidate-caught-up', 'The candidate is a running replica within 1 MiB of the leader (maximum_lag_on_failover)', patroni.cluster((c) => apis(c.params.api)), {
    expect: (r, c) => {
      const m = member(r, c.params.candidate);
      return r.ok && m !== undefined && m.role !== 'leader' && running(m) && typeof m.lag === 'number' && m.lag <= MAX_LAG_BYTES;
    },
    waitUntil: { timeout: '3m', interval: '10s' }, timeout: '10s', estimate: '10s',
    description: 'Patroni would refuse a candidate over maximum_lag_on_failover anyway; waiting here lets a lagging replica catch up instead of failing the request.',
  })
  .confirm('go', 'Hand the leadership to the candidate now? (switchover: the leader steps down; failover: only when the leader is really gone, checked from a second location)', {
    estimate: '30s',
    description: 'Replaces the guide\'s `--force`: a person decides after the checks above. Answering no stops the runbook with nothing changed.',
  })
  .phase('Switch over')
  .promote('switchover', 'Switch over to the candidate (POST /switchover)', patroni.switchover({
    api: (c) => apis(c.params.api), leader: (c) => c.params.leader, candidate: (c) => c.params.candidate, maxLagBytes: MAX_LAG_BYTES, timeout: '2m',
  }), { when: (c) => c.params.operation === 'switchover', timeout: '3m', estimate: '30s' })
  .promote('failover', 'Fail over to the candidate (POST /failover)', patroni.failover({
    api: (c) => apis(c.params.api), candidate: (c) => c.params.candidate, maxLagBytes: MAX_LAG_BYTES, timeout: '2m',
  }), { when: (c) => c.params.operation === 'failover', timeout: '3m', estimate: '30s' })
  .phase('Verify')
  .check('patronictl-list-after', 'patronictl list (after): the candidate is the Leader', sh`${sh.raw((c) => c.params.patronictl)} list`, {
    parse: (out) => leaderOf(out), expect: (leader, c) => leader === c.params.candidate,
    waitUntil: { timeout: '1m', interval: '5s' }, timeout: '30s', estimate: '5s',
    description: 'The guide\'s "Verify".',
  })
  .check('cluster-after', 'The candidate leads on a new timeline; every other member runs as its replica', patroni.cluster((c) => apis(c.params.api)), {
    expect: (r, c) => {
      const before = c.steps['cluster-before'].value.timeline ?? 0;
      const others = r.members.filter((m) => m.name !== c.params.candidate);
      return r.ok && r.leader === c.params.candidate && (r.timeline ?? 0) > before
        && (c.params.operation === 'failover' || others.every((m) => m.role !== 'leader' && running(m) && m.timeline === r.timeline));
    },
    waitUntil: { timeout: '2m', interval: '5s' }, timeout: '10s', estimate: '10s',
  })
  .exec('write-probe', 'Commit a write on the new leader', pg.exec((c) => withPassword(c.params.candidateDsn, c.params.pgPassword),
    "create table if not exists runbook_dr_probe (id bigserial primary key, run_id text, note text, at timestamptz not null default now()); insert into runbook_dr_probe (note) values ('pg-failover-patroni: first write on the new leader') returning id"), {
    timeout: '15s', estimate: '5s',
    description: 'One row in `runbook_dr_probe` (created if missing): proof that the new leader commits writes.',
  })
  .check('write-readback', 'The write reads back', pg.query((c) => withPassword(c.params.candidateDsn, c.params.pgPassword),
    'select count(*)::int as n from runbook_dr_probe where id = $1', [(c) => String(c.steps['write-probe'].value.rows[0]?.['id'] ?? '-1')]), {
    expect: (r) => r.rows[0]?.['n'] === 1, timeout: '10s', estimate: '5s',
  })
  .phase('Verify Conjur connection')
  .check('conjur-db-logs', 'Conjur\'s log: the newest database line is not a connection error', sh`${sh.raw((c) => c.params.conjurLogsCommand)} | grep -i database`, {
    parse: (out) => out.trim().split('\n').filter((l) => l.trim() !== ''),
    expect: (lines) => lines.length > 0 && !DB_LOG_ERROR.test(lines[lines.length - 1] ?? ''),
    when: (c) => c.params.conjur, waitUntil: { timeout: '3m', interval: '10s' }, timeout: '30s', estimate: '30s',
    description: 'The guide\'s "Verify Conjur Connection", judged: errors during the switch are expected, the newest line must not be one. If it stays an error, restart Conjur (`kubectl rollout restart deployment/conjur -n conjur-system`) and retry.',
  })
  .check('conjur-healthy', 'Conjur reports its database healthy', http.get((c) => `${c.params.conjurUrl}/health`, { expectJson: { '$.database.ok': true }, timeout: '10s' }), {
    when: (c) => c.params.conjur, waitUntil: { timeout: '3m', interval: '10s' }, estimate: '20s',
  })
  .notify('complete', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: SERVICES,
    outcome: (c) => {
      const r = c.params.operation === 'switchover' ? c.steps.switchover : c.steps.failover;
      return r.ok
        ? [`leader ${r.value.oldPrimary ?? '?'} → ${r.value.newPrimary ?? '?'}, timeline ${r.value.timelineBefore ?? '?'} → ${r.value.timelineAfter ?? '?'}`, `Patroni: ${r.value.message ?? '-'}`]
        : [`leader now ${c.steps['cluster-after'].value.leader ?? '?'}`];
    },
    followUps: ['Check that the old leader rejoined as a replica (patronictl list) before the next maintenance'],
  }), { estimate: '5s' });
