// PostgreSQL failover by streaming replication, after the "PostgreSQL Failover Runbook" of the DR plan,
// with the checks the document leaves implicit: the primary is confirmed down from here before anything
// changes, the standby must be caught up (Patroni's maximum_lag_on_failover, 1 MiB), the old primary is
// fenced before the promotion, and the application's reconnection is verified, not assumed.
// `npm start` plays it as a tabletop exercise (see standby-lagging.scenario.ts); nothing is touched.
import { http, k8s, notify, param, pg, runbook, ssh, templates } from 'runbook';

const cluster = (c: { params: { kubeContext: string } }) => ({ context: c.params.kubeContext, namespace: 'conjur-system' });

export default runbook('pg-failover', {
  title: 'PostgreSQL failover (streaming replication)',
  description: 'Promote the standby when the primary is lost; RTO 5 minutes.',
  rto: '5m',
  lockKey: (c) => c.params.cluster,
  params: {
    cluster: param.string({ default: 'conjur-db', description: 'which database cluster (scopes the lock)' }),
    primary: param.string({ default: 'postgres://ops@pg-primary.internal:5432/postgres' }),
    standby: param.string({ default: 'postgres://ops@pg-standby.internal:5432/postgres' }),
    primaryHost: param.string({ default: 'ops@pg-primary.internal' }),
    kubeContext: param.string({ default: 'prod-eu' }),
    appUrl: param.string({ default: 'https://conjur.internal' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true }),
  },
})
  .phase('Assess')
  .notify('declare', notify.slack((c) => c.params.slackWebhook), templates.declaration({ services: ['Conjur', 'PAM database'], nextUpdateIn: '15m' }), { estimate: '5s' })
  .check('primary-down', 'The primary does not answer', pg.query((c) => c.params.primary, 'select 1'), {
    expect: (r) => !r.ok, estimate: '15s', description: 'A primary that still answers must not be failed over: that is how two primaries happen.',
  })
  .check('standby-in-recovery', 'The standby is a streaming replica', pg.inRecovery((c) => c.params.standby), { expect: (r) => r.value === true, estimate: '5s' })
  .check('standby-caught-up', 'Standby lag within 1 MiB (maximum_lag_on_failover)', pg.replicationLag((c) => c.params.standby), {
    parse: (_out, r) => r.value?.bytes ?? Number.POSITIVE_INFINITY, expect: (lag) => lag <= 1_048_576, retry: { attempts: 6, interval: '30s' }, estimate: '10s',
  })
  .confirm('primary-really-down', 'Is the primary really down, not cut off from us (checked from a second location)?', {
    estimate: '2m', description: 'Check the primary from the other data centre or its console before promoting.',
  })
  .phase('Fail over')
  .exec('fence-old-primary', 'Stop PostgreSQL on the old primary', ssh((c) => c.params.primaryHost)`sudo systemctl stop postgresql@15-main`, {
    timeout: '2m', estimate: '30s', description: 'If the host is unreachable, power it off from its console and mark this step done by hand.',
  })
  .promote('promote-standby', 'Promote the standby', pg.promote({ standby: (c) => c.params.standby, maxLagBytes: 1_048_576, timeout: '60s' }), { estimate: '1m' })
  .check('new-primary-writable', 'The new primary accepts writes', pg.inRecovery((c) => c.params.standby), { expect: (r) => r.value === false, estimate: '5s' })
  .phase('Reconnect')
  .exec('restart-conjur', 'Restart Conjur so it reconnects', k8s.rolloutRestart((c) => cluster(c), 'conjur'), { estimate: '10s' })
  .check('conjur-rolled-out', 'Conjur rolled out', k8s.waitForRollout((c) => cluster(c), 'conjur', { timeout: '5m' }), { estimate: '1m30s' })
  .check('conjur-healthy', 'Conjur reports a healthy database', http.get((c) => `${c.params.appUrl}/health`, { expectJson: { '$.database.ok': true } }), { estimate: '10s' })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({ services: ['Conjur', 'PAM database'] }), { estimate: '5s' });
