// Regional DR failover of the payment platform, after "Regional Failure Recovery" and the "Communication Plan" of
// the payment platform DR plan (shared/seeds/002_…) and the DR strategies of the PAM/Conjur HA-DR guide
// (shared/seeds/000_…: warm site, Route53 DNS switch): assess and declare, switch DNS to the DR region, promote the
// DR database and Conjur, scale up Payment-EAPI/SAPI there, verify end to end, tell people at each milestone.
// RTO 1 h (warm site).
import { http, k8s, notify, param, pg, runbook, sh, templates } from 'runbook';

type P = {
  readonly drDbHost: string; readonly drDbPort: number; readonly drDbUser: string; readonly drDbName: string; readonly drDbPassword: string | undefined;
  readonly drKubeContext: string; readonly namespace: string;
};
type Ctx = { readonly params: P };

const drDb = (c: Ctx) => ({
  host: c.params.drDbHost, port: c.params.drDbPort, user: c.params.drDbUser, database: c.params.drDbName,
  ...(c.params.drDbPassword === undefined ? {} : { password: c.params.drDbPassword }),
});
const drCluster = (c: Ctx) => ({ context: c.params.drKubeContext, namespace: c.params.namespace });
const SERVICES = ['Payment-EAPI', 'Payment-SAPI', 'Conjur vault', 'Payment database', 'Redis cache'];
/** What this procedure brings back in the DR region. The cache there starts from its periodic snapshots (the plan's Redis DR), not from here. */
const RECOVERED = ['Payment-EAPI', 'Payment-SAPI', 'Conjur vault', 'Payment database'];
const MiB = 1_048_576;

export default runbook('regional-dr-failover', {
  title: 'Regional DR failover: payment platform to the DR region',
  description: `The primary region is lost. Assess and declare the disaster (DR plan communication templates, PagerDuty), switch
the API's DNS to the DR region (Route53), promote the DR database and the DR Conjur instance, scale up
Payment-EAPI and Payment-SAPI in the DR region, verify end to end, and send status updates at each milestone and
the recovery-complete message. The document's steps and their order are kept (DNS → database → Conjur → apps).

Added to the document, and why:
- Before anything changes: the primary region is probed from here and a person confirms it is really down from
  elsewhere (a partition must not trigger a regional failover), and the DR region is checked ready (database
  standby in recovery, Conjur DR healthy, the DR deployments exist). A DR region that cannot take over is found
  before the point of no return, not after the DNS switch. (Replaying the WAL the standby already received is
  awaited after the switch, in the document's order, so DNS propagation overlaps it; a standby that is not a
  standby stops the run before the switch.)
- The change batch is read and must point the API name at the DR target before it is sent; after the change,
  Route53 must report it INSYNC (\`aws route53 wait resource-record-sets-changed\`).
- DNS propagation is verified, not assumed: the name is resolved through a chosen resolver until it answers the DR
  target (the document only runs \`dig\` once and leaves reading it to the operator). The wait is placed after the
  promotions and the scale-up, so the TTL runs out while that work is done instead of before it.
- The DR database is promoted only once it has replayed the WAL it received (bounded lag), through \`pg_promote\`
  with a precheck and verification, then \`pg_is_in_recovery()\` must be false (the document's check).
- Health checks verify TLS (the document's \`curl -k\` does not) and read the JSON (\`status: UP\`), not just a 2xx.
- PagerDuty is triggered at the declaration and resolved at the end with the same incident (dedup key = run id).`,
  rto: '1h',
  lockKey: (c) => c.params.apiName,
  params: {
    primaryRegion: param.string({ default: 'eu-west-1', description: 'the region that is lost' }),
    drRegion: param.string({ default: 'eu-central-1', description: 'the DR region taking over' }),
    primaryHealthUrl: param.string({ default: 'https://api.eu-west-1.payments.example/api/health', description: 'health endpoint of the primary region, probed directly' }),
    apiName: param.string({ default: 'api.payments.example', description: 'the public API name clients use ($API_ENDPOINT); the record the DNS failover changes' }),
    drApiEndpoint: param.string({ default: 'https://api.eu-central-1.payments.example', description: 'the DR region\'s API base URL ($DR_API_ENDPOINT)' }),
    drDnsTarget: param.string({ default: 'payments-dr-lb.eu-central-1.elb.example', description: 'what the API name resolves to once failed over (the DR load balancer\'s name or address)' }),
    resolver: param.string({ default: '1.1.1.1', description: 'the DNS resolver asked in the propagation check (a public one shows what clients see)' }),
    hostedZoneId: param.string({ default: 'Z0EXAMPLE123456', description: 'Route53 hosted zone of the API name ($HOSTED_ZONE_ID)' }),
    changeBatch: param.string({ default: 'dns-failover.json', description: 'the Route53 change batch that points the API name at the DR region' }),
    drDbHost: param.string({ default: 'payments-db.eu-central-1.internal', description: 'the DR database standby' }),
    drDbPort: param.number({ default: 5432 }),
    drDbUser: param.string({ default: 'dr_admin', description: 'a superuser (pg_promote needs one) on the DR database' }),
    drDbName: param.string({ default: 'payment_db' }),
    drDbPassword: param.secret({ env: 'DR_PGPASSWORD', optional: true, description: 'password of drDbUser (else PGPASSWORD / .pgpass)' }),
    maxReplayLagBytes: param.number({ default: 16 * MiB, description: 'received WAL the DR standby may still have to replay when promoted' }),
    conjurSite: param.string({ default: 'dr', description: 'the Conjur site to promote (conjur-cli failover --site)' }),
    drConjurHealthUrl: param.string({ default: 'https://conjur.eu-central-1.payments.example/health', description: 'health endpoint of the DR Conjur instance' }),
    drKubeContext: param.string({ default: 'dr-eu-central-1', description: 'kubeconfig context of the DR cluster (kubeconfig: KUBECONFIG, else ~/.kube/config)' }),
    namespace: param.string({ default: 'payment-system' }),
    replicas: param.number({ default: 3, description: 'replicas of Payment-EAPI and Payment-SAPI in the DR region' }),
    healthCheckScript: param.string({ default: './scripts/health-check.sh', description: 'the end-to-end check of the DR plan (run with --environment dr)' }),
    bridge: param.string({ default: 'https://meet.example/dr-command-center', description: 'DR Command Center conference bridge' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of #disaster-recovery' }),
    pagerdutyKey: param.secret({ env: 'PAGERDUTY_ROUTING_KEY', optional: true, description: 'PagerDuty Events v2 routing key of the payment service' }),
  },
})
  .phase('Assess')
  .check('primary-region-down', 'The primary region does not answer', http.get((c) => c.params.primaryHealthUrl, { timeout: '10s' }), {
    expect: (r) => !r.ok, estimate: '15s',
    description: 'Passes when the primary\'s health endpoint is unreachable or unhealthy. If it answers UP from here, this is not a regional failure: stop.',
  })
  .check('dr-db-standby', 'The DR database is a standby in recovery', pg.inRecovery(drDb), { expect: (r) => r.value === true, estimate: '5s' })
  .check('dr-conjur-healthy', 'The DR Conjur instance is healthy', http.get((c) => c.params.drConjurHealthUrl, { expectJson: { '$.ok': true }, timeout: '10s' }), { estimate: '5s' })
  .check('dr-deployments', 'Payment-EAPI and -SAPI exist in the DR cluster', k8s.deployments(drCluster, 'app in (payment-eapi,payment-sapi)'), {
    expect: (r) => r.deployments.length === 2, estimate: '5s',
    description: 'Warm site: the deployments are there (usually scaled to 0), ready to scale up.',
  })
  .confirm('primary-region-unavailable', 'Is the primary region really unavailable — confirmed from outside our network (cloud provider status page, a probe from another location) — and not a partition between us and it?', {
    estimate: '5m', description: 'A partition looks like a regional outage from one side. Failing over during one leaves two regions taking payments.',
  })
  .confirm('declare-disaster', 'Is the primary region\'s estimated time to recovery longer than the 1-hour RTO: declare a disaster and activate the DR region?', {
    estimate: '5m', description: 'The DR Coordinator decides, per the plan\'s flow: assess impact and scope → declare disaster? (no: stop here and handle it as a standard incident).',
  })
  .phase('Declare')
  .notify('declare-slack', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    summary: (c) => `Regional failure of ${c.params.primaryRegion}: failing over to ${c.params.drRegion}`,
    services: SERVICES, impact: (c) => `Payment API unavailable in ${c.params.primaryRegion}; traffic moves to ${c.params.drRegion}`,
    nextUpdateIn: '30m', bridge: (c) => c.params.bridge, slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .notify('declare-pagerduty', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', source: 'regional-dr-failover' }), templates.declaration({
    summary: (c) => `Regional failure of ${c.params.primaryRegion}: failing over to ${c.params.drRegion}`, services: SERVICES,
  }), { estimate: '5s' })
  .phase('DNS failover')
  .check('dns-change-batch', 'The change batch points the API name at the DR region', sh`cat ${(c) => c.params.changeBatch}`, {
    expect: (r, c) => r.exitCode === 0 && r.stdout.includes(c.params.apiName) && r.stdout.includes(c.params.drDnsTarget), estimate: '5s',
    description: 'A stale or wrong change batch would send the traffic anywhere: read it before it is sent.',
  })
  .exec('dns-switch', 'Point the API name at the DR region (aws route53 change-resource-record-sets)',
    sh`aws route53 change-resource-record-sets --hosted-zone-id ${(c) => c.params.hostedZoneId} --change-batch ${(c) => `file://${c.params.changeBatch}`} --output json`, {
      parse: (out) => (JSON.parse(out) as { ChangeInfo?: { Id?: string } }).ChangeInfo?.Id ?? '', expect: (id) => id !== '', timeout: '1m', estimate: '10s',
    })
  .check('dns-insync', 'Route53 has applied the change (INSYNC)', sh`aws route53 wait resource-record-sets-changed --id ${(c) => c.steps['dns-switch'].value}`, {
    timeout: '10m', estimate: '1m', description: 'The authoritative servers answer the new record; resolvers follow as their cached TTL runs out (checked in Verify).',
  })
  .phase('Database promotion')
  .check('dr-db-caught-up', 'The DR standby has replayed the WAL it received', pg.replicationLag(drDb), {
    parse: (_t, r) => r.value?.bytes ?? Number.POSITIVE_INFINITY, expect: (bytes, c) => bytes <= c.params.maxReplayLagBytes,
    waitUntil: { timeout: '15m', interval: '30s' }, estimate: '30s',
    description: 'With the primary region gone, what the standby never received is lost (RPO); what it received must be replayed before promotion. If it does not get there, the DBA decides: keep waiting (retry), or accept and mark done.',
  })
  .promote('promote-dr-db', 'Promote the DR database (pg_promote, as pg_ctl promote)', pg.promote({ standby: (c) => drDb(c), maxLagBytes: (c) => c.params.maxReplayLagBytes, timeout: '2m' }), {
    estimate: '1m', description: 'The primary region is unreachable, so there is nothing to fence; the declaration above is the gate.',
  })
  .check('dr-db-primary', 'The DR database is primary (SELECT pg_is_in_recovery() is false)', pg.inRecovery(drDb), { expect: (r) => r.value === false, estimate: '5s' })
  .phase('Conjur promotion')
  .exec('promote-conjur', 'Promote the DR Conjur instance (conjur-cli failover --force --site dr)', sh`conjur-cli failover --force --site ${(c) => c.params.conjurSite}`, {
    timeout: '10m', estimate: '3m',
  })
  .check('conjur-health-check', 'Conjur health check (conjur health check)', sh`conjur health check`, { timeout: '1m', retry: { attempts: 5, interval: '20s' }, estimate: '30s' })
  .check('dr-conjur-serving', 'The DR Conjur instance answers healthy', http.get((c) => c.params.drConjurHealthUrl, { expectJson: { '$.ok': true }, timeout: '10s' }), {
    retry: { attempts: 5, interval: '20s' }, estimate: '10s',
  })
  .notify('update-data-layer', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    summary: (c) => `Regional failure of ${c.params.primaryRegion}: failing over to ${c.params.drRegion}`, services: SERVICES,
    status: 'Data layer promoted in the DR region; scaling up the payment APIs',
    milestones: (c) => [`DNS switched to ${c.params.drRegion} (INSYNC)`, 'DR database promoted', 'DR Conjur promoted'], nextUpdateIn: '30m',
  }), { estimate: '5s' })
  .phase('Application activation')
  .exec('scale-eapi', 'Scale up Payment-EAPI in the DR region', k8s.scale((c) => drCluster(c), 'payment-eapi', (c) => c.params.replicas), { estimate: '10s' })
  .exec('scale-sapi', 'Scale up Payment-SAPI in the DR region', k8s.scale((c) => drCluster(c), 'payment-sapi', (c) => c.params.replicas), { estimate: '10s' })
  .check('eapi-rolled-out', 'Payment-EAPI rolled out in the DR region', k8s.waitForRollout(drCluster, 'payment-eapi', { timeout: '10m' }), { estimate: '3m' })
  .check('sapi-rolled-out', 'Payment-SAPI rolled out in the DR region', k8s.waitForRollout(drCluster, 'payment-sapi', { timeout: '10m' }), { estimate: '30s' })
  .check('dr-eapi-health', 'Payment-EAPI in the DR region answers UP', http.get((c) => `${c.params.drApiEndpoint}/api/health`, {
    expectJson: { '$.status': 'UP' }, timeout: '10s',
  }), { retry: { attempts: 5, interval: '15s' }, estimate: '10s' })
  .check('dr-sapi-health', 'Payment-SAPI in the DR region answers UP', http.get((c) => `${c.params.drApiEndpoint}/api/internal-health`, {
    expectJson: { '$.status': 'UP' }, timeout: '10s',
  }), { retry: { attempts: 5, interval: '15s' }, estimate: '10s' })
  .notify('update-apps', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    summary: (c) => `Regional failure of ${c.params.primaryRegion}: failing over to ${c.params.drRegion}`, services: SERVICES,
    status: 'Payment APIs up in the DR region; verifying end to end',
    milestones: (c) => [`Payment-EAPI and Payment-SAPI at ${c.params.replicas} replicas in ${c.params.drRegion}, health UP`], nextUpdateIn: '15m',
  }), { estimate: '5s' })
  .phase('Verify')
  .check('dns-propagated', 'The API name resolves to the DR region (dig)', sh`dig +short @${(c) => c.params.resolver} ${(c) => c.params.apiName}`, {
    parse: (out) => out.split('\n').map((l) => l.trim().replace(/\.$/, '')).filter((l) => l !== ''),
    expect: (answers, c) => answers.includes(c.params.drDnsTarget.replace(/\.$/, '')),
    waitUntil: { timeout: '30m', interval: '30s' }, timeout: '15s', estimate: '2m',
    description: 'Polls until the resolver answers the DR target (a CNAME/alias name or an address). Clients behind other resolvers follow within the record\'s TTL.',
  })
  .check('public-health', 'The API answers UP through its public name', http.get((c) => `https://${c.params.apiName}/api/health`, {
    expectJson: { '$.status': 'UP' }, timeout: '10s',
  }), { retry: { attempts: 5, interval: '30s' }, estimate: '10s' })
  .check('e2e-health-check', 'End-to-end check of the DR environment (health-check.sh --environment dr)', sh`${(c) => c.params.healthCheckScript} --environment dr`, {
    timeout: '15m', estimate: '2m',
  })
  .phase('Recovery complete')
  .notify('complete-slack', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    summary: (c) => `Regional failure of ${c.params.primaryRegion}: failed over to ${c.params.drRegion}`, services: RECOVERED,
    outcome: (c) => [`The payment platform runs in ${c.params.drRegion}; ${c.params.apiName} resolves there`],
    followUps: (c) => [
      `Redis cache in ${c.params.drRegion}: it started from its last snapshot (or empty); watch the token-cache hit rate`,
      `Plan the return to ${c.params.primaryRegion} (its database must come back as a standby of ${c.params.drRegion})`,
      'Post-recovery review of this run\'s report',
    ],
  }), { estimate: '5s' })
  .notify('resolve-pagerduty', notify.pagerduty((c) => c.params.pagerdutyKey, { action: 'resolve' }), 'Payment platform recovered in the DR region', { estimate: '5s' });
