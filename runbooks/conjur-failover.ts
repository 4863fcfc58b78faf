// Conjur vault failure: health check, failover to the standby, restore from backup when the standby is
// failing too, follower recovery, verification. From the payment platform DR plan
// (shared/seeds/002_…: "Component Failure Recovery — Conjur Vault Failure" and "Conjur Vault Restore")
// and the PAM/Conjur HA and DR guide (shared/seeds/000_…: Conjur on Kubernetes in `conjur-system`,
// its /health probes and Route 53 health-check failover, and the Quick Reference RTO of 10 minutes).
import { http, k8s, notify, param, runbook, sh, templates } from 'runbook';
import type { HttpResult } from 'runbook';

const SERVICES = ['Conjur vault', 'Conjur followers', 'secret retrieval for Payment-EAPI/SAPI'];

const NOT_SERVING = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH']);

/**
 * Conjur is failing: `/health` refused, timed out or was unreachable, answered non-2xx, or answered
 * without `ok: true`. An untrusted certificate, an unreadable CA file or our own DNS failing proves
 * nothing about the primary: the check fails and shows the error instead.
 */
export function failing(r: HttpResult): boolean {
  if (r.ok) return false;
  if (r.status !== null) return true;
  return r.timedOut || NOT_SERVING.has(r.error?.code ?? '');
}

/** The path this run takes is decided by the standby's health, recorded by the `standby-health` check. */
type StandbySeen = { readonly steps: { readonly 'standby-health': { readonly value: HttpResult } } };
const standbyHealthy = (c: StandbySeen): boolean => c.steps['standby-health'].value.ok;
const standbyFailing = (c: StandbySeen): boolean => !c.steps['standby-health'].value.ok;

type P = { readonly params: { readonly kubeContext: string; readonly namespace: string; readonly followerContext: string; readonly followerNamespace: string } };
const leaderCluster = (c: P) => ({ context: c.params.kubeContext, namespace: c.params.namespace });
const followerCluster = (c: P) => ({ context: c.params.followerContext, namespace: c.params.followerNamespace });

export default runbook('conjur-failover', {
  title: 'Conjur vault failover (standby, or restore from backup)',
  description: `The DR plan's Conjur Vault Failure procedure: check Conjur health; if the primary is failing,
fail over to the standby (\`conjur-cli failover --force\`); if the standby is failing too, restore from the
latest backup (the plan's Conjur Vault Restore: download from S3, \`conjur-restore.sh\`); verify with the
health check and \`conjur list\`. Then the followers are recovered (the guide's Quick Reference "Conjur
Follower Failure", RTO 10 minutes; the guide has no procedure for it, see below). The plan's component RTO
for Conjur is 2 hours: the 10-minute target here is the guide's, for the failover path; the restore path
is expected to exceed it.

Added to the documents, and why:
- "Conjur health check" is the \`/health\` endpoint the guide's probes and Route 53 health check use, read
  as JSON (\`ok: true\`), with the Conjur CA instead of \`curl -k\`. The primary counts as failing when it
  refuses, times out, is unreachable or answers unhealthy; a certificate or local DNS error proves
  nothing and stops the run.
- A primary that is healthy is not failed over (the first check stops the run), and a person confirms
  the primary is really failing from a second location before anything changes: a network partition
  would otherwise leave two leaders.
- The restore path (both failing) is a decision, not automatic: it loses what changed since the last
  backup (hourly incrementals, RPO 5 minutes is then not met), so a confirm guards it, and the downloaded
  backup is checked before \`conjur-restore.sh\` runs.
- After the failover or restore, the service name (Route 53 failover) must answer healthy, and the
  Conjur pods in \`conjur-system\` must be ready, before the followers are touched.
- Follower recovery: the guide names it but has no steps. Followers replicate from the leader, so they
  are restarted (a rollout restart of the \`conjur-follower\` deployment) to resynchronise from the new
  leader, and verified: rollout complete, every pod ready, follower \`/health\` ok.
- Communications per the DR plan's templates: declaration, a status update after the leader is back,
  recovery complete; a PagerDuty incident opened at the start and resolved at the end.
- The seeds give no \`evoke\` commands: the Conjur CLI calls here are the DR plan's, as written.`,
  rto: '10m',
  lockKey: (c) => c.params.conjurCluster,
  params: {
    conjurCluster: param.string({ default: 'conjur-prod', description: 'which Conjur cluster (scopes the one-live-run lock)' }),
    primaryUrl: param.string({ default: 'https://primary-conjur.example.com', description: 'the Conjur primary (leader)' }),
    standbyUrl: param.string({ default: 'https://standby-conjur.example.com', description: 'the synchronous standby' }),
    conjurUrl: param.string({ default: 'https://conjur.example.com', description: 'the name clients use (Route 53 health-check failover)' }),
    conjurCa: param.string({ default: '/etc/conjur/ssl/conjur-ca.pem', description: 'CA (PEM file) of the Conjur certificates' }),
    kubeContext: param.string({ default: 'prod-primary', description: 'kube context of the Conjur cluster' }),
    namespace: param.string({ default: 'conjur-system', description: 'namespace of the Conjur StatefulSet' }),
    followerContext: param.string({ default: 'prod-apps', description: 'kube context of the application cluster running the followers' }),
    followerNamespace: param.string({ default: 'conjur-system', description: 'namespace of the follower deployment' }),
    followerDeployment: param.string({ default: 'conjur-follower', description: 'the follower deployment (label app=<name>)' }),
    followerUrl: param.string({ default: 'https://conjur-follower.apps.example.com', description: 'a follower, through its service' }),
    backupUri: param.string({ default: 's3://payment-api-backups/conjur/latest/', description: 'latest Conjur backup (DR plan: daily full, hourly incremental)' }),
    restoreDir: param.string({ default: '/restore/conjur', description: 'where the backup is downloaded and restored from' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: '#disaster-recovery channel webhook' }),
    pagerdutyKey: param.secret({ env: 'PAGERDUTY_ROUTING_KEY', optional: true, description: 'PagerDuty Events v2 routing key' }),
  },
})
  .phase('Assess')
  .notify('declare', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    services: SERVICES, impact: 'Conjur primary failing: applications cannot fetch or rotate secrets', nextUpdateIn: '15m', slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .notify('page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', source: 'conjur-failover' }), 'Conjur primary failing: failover in progress', { estimate: '5s' })
  .check('primary-failing', 'The Conjur primary fails its health check', http.get((c) => `${c.params.primaryUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    expect: (r) => failing(r), estimate: '10s',
    description: 'The DR plan\'s "conjur health check". A primary that answers `ok: true` is not failed over: the run stops here.',
  })
  .check('standby-health', 'Record the standby\'s health (decides: failover or restore from backup)', http.get((c) => `${c.params.standbyUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    expect: () => true, estimate: '10s',
    description: 'Always passes: it records the answer. Healthy → the failover phase runs; failing too → the restore-from-backup phase runs instead.',
  })
  .confirm('primary-really-failing', 'Is the Conjur primary really failing (seen from a second location and in its pods\' logs), not cut off from us by the network?', {
    estimate: '1m30s', description: 'Failing over from a primary that still serves others gives two leaders. Look at `kubectl logs -n conjur-system` and ask the other site before going on.',
  })
  .phase('Fail over to standby')
  .exec('failover-to-standby', 'Fail over to the standby (conjur-cli failover --force)', sh`conjur-cli failover --force`, {
    when: standbyHealthy, timeout: '5m', estimate: '1m', description: 'The DR plan: "If primary instance is failing, trigger failover to standby".',
  })
  .check('standby-promoted', 'The promoted standby answers healthy', http.get((c) => `${c.params.standbyUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    when: standbyHealthy, waitUntil: { timeout: '3m', interval: '10s' }, estimate: '30s',
  })
  .phase('Restore from backup')
  .confirm('restore-from-backup', 'Primary and standby are both failing: restore Conjur from the latest backup? (secrets changed since that backup are lost)', {
    when: standbyFailing, estimate: '2m',
    description: 'The DR plan: "If both primary and standby are failing, restore from backup — follow Conjur Vault Restore procedure". Answering no stops the run: escalate to the vendor instead. The restore takes longer than the 10-minute RTO (the plan allows 2 hours for Conjur).',
  })
  .exec('download-backup', 'Download the latest Conjur backup from S3', sh`mkdir -p ${(c) => c.params.restoreDir} && aws s3 cp ${(c) => c.params.backupUri} ${(c) => c.params.restoreDir}/ --recursive`, {
    when: standbyFailing, timeout: '20m', estimate: '2m',
  })
  .check('backup-downloaded', 'The backup is there and not empty', sh`ls -lA ${(c) => c.params.restoreDir}`, {
    when: standbyFailing, parse: (out) => out.split('\n').filter((l) => l !== '' && !l.startsWith('total')).length, expect: (files) => files > 0, estimate: '5s',
  })
  .exec('restore-conjur', 'Restore Conjur (conjur-restore.sh)', sh`conjur-restore.sh --input-dir ${(c) => c.params.restoreDir} --accept-eula`, {
    when: standbyFailing, timeout: '1h', estimate: '10m',
  })
  .check('restored-healthy', 'Restored Conjur answers healthy', http.get((c) => `${c.params.primaryUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    when: standbyFailing, waitUntil: { timeout: '10m', interval: '15s' }, estimate: '1m',
  })
  .phase('Verify leader')
  .check('service-healthy', 'Conjur answers healthy at the name clients use', http.get((c) => `${c.params.conjurUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    waitUntil: { timeout: '5m', interval: '15s' }, estimate: '1m',
    description: 'Route 53 moves the name after 3 failed health checks 10 s apart (the guide\'s aws-route53-config), then resolvers wait out the TTL.',
  })
  .check('conjur-pods', 'Conjur pods ready in conjur-system', k8s.pods((c) => leaderCluster(c), { app: 'conjur' }), {
    expect: (r) => r.ready >= 1, estimate: '5s', description: 'The guide\'s restore verification: `kubectl get pods -n conjur-system`.',
  })
  .notify('status-update', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    services: SERVICES,
    status: (c) => (c.steps['standby-health'].value.ok ? 'Conjur failed over to the standby; recovering followers' : 'Conjur restored from backup; recovering followers'),
    nextUpdateIn: '15m',
  }), { estimate: '5s' })
  .phase('Follower recovery')
  .check('followers-before', 'Follower pods before the restart', k8s.pods((c) => followerCluster(c), (c) => ({ app: c.params.followerDeployment })), { estimate: '5s' })
  .exec('restart-followers', 'Restart the followers so they resynchronise from the new leader', k8s.rolloutRestart((c) => followerCluster(c), (c) => c.params.followerDeployment), { estimate: '10s' })
  .check('followers-rolled-out', 'Followers rolled out', k8s.waitForRollout((c) => followerCluster(c), (c) => c.params.followerDeployment, { timeout: '5m' }), { estimate: '2m' })
  .check('followers-ready', 'Every follower pod is ready', k8s.pods((c) => followerCluster(c), (c) => ({ app: c.params.followerDeployment })), {
    expect: (r) => r.total > 0 && r.ready === r.total, estimate: '5s',
  })
  .check('follower-health', 'A follower answers healthy', http.get((c) => `${c.params.followerUrl}/health`, { expectJson: { '$.ok': true }, tls: { ca: (c) => c.params.conjurCa }, timeout: '5s' }), {
    waitUntil: { timeout: '3m', interval: '15s' }, estimate: '10s',
  })
  .phase('Verify')
  .check('conjur-list', 'conjur list answers (authentication and policy reads work)', sh`conjur list`, {
    expect: /\S/, estimate: '10s', description: 'The DR plan\'s verification: "conjur health check; conjur list".',
  })
  .notify('resolve-page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', action: 'resolve' }), 'Conjur recovered', { estimate: '5s' })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: SERVICES,
    outcome: (c) => (c.steps['standby-health'].value.ok ? 'Failed over to the standby; followers resynchronised' : 'Restored from the latest backup; followers resynchronised; secrets changed since the backup must be re-entered'),
    followUps: ['Rebuild the failed node as the new standby', 'Post-incident review of the timeline and RTO'],
  }), { estimate: '5s' });
