// CyberArk Vault primary → standby failover: the "PAM Failover Runbook" (Manual Failover Runbook) of the
// PAM/Conjur HA and DR guide (shared/seeds/000_…, "Failover Procedures"), with the commands of its
// automatic-failover.sh and automated-dr-test.sh where they say more. RTO 15 minutes (the guide's Quick
// Reference "Vault Primary Failure", and the DR test plan's "Vault Failover: RTO < 15 minutes").
import { http, notify, param, runbook, sh, ssh, templates } from 'runbook';
import type { HttpResult } from 'runbook';

const SERVICES = ['CyberArk Vault', 'PVWA', 'CPM', 'PSM'];

// ssh(c => …) cannot type `c` (the call is a template's tag): the params are read as strings.
const primary = ssh((c) => String(c.params.primaryHost));
const standby = ssh((c) => String(c.params.standbyHost));

/**
 * The replication lag CheckVaultStatus.sh reports, in seconds: a line such as `Replication lag: 3 s`.
 * The guide only says "Confirm replication is caught up" after that script; if your version prints the
 * lag differently, adapt this. Nothing recognisable → Infinity, so the check fails and shows the output.
 */
export function replicationLagSeconds(out: string): number {
  const m = /replication\s+lag\D{0,12}?(\d+(?:\.\d+)?)/i.exec(out);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

const NOT_SERVING = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH']);

/**
 * The endpoint is not serving: it refused, timed out or was unreachable, or it answered with a non-2xx
 * status (what `curl -sf` in automatic-failover.sh counts as a failure). Anything else (an untrusted
 * certificate, an unreadable CA file, our own DNS failing) proves nothing about the primary: the check
 * fails and shows the error, rather than read it as "down".
 */
export function notServing(r: HttpResult): boolean {
  if (r.ok) return false;
  if (r.status !== null) return true;
  return r.timedOut || NOT_SERVING.has(r.error?.code ?? '');
}

/** `dig +short` output: one address (or CNAME) a line. */
export function digAnswers(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith(';'));
}

export default runbook('vault-failover', {
  title: 'CyberArk Vault failover (primary → standby)',
  description: `The guide's PAM Failover Runbook, step for step: pre-failover checklist, stop the primary if
accessible, verify standby readiness, promote the standby (PromoteStandby.sh, which prompts: it gets the
operator's terminal), update the load balancer or DNS, verify PVWA, CPM and PSM, notify applications,
post-failover checklist. RTO 15 minutes.

Added to the document, and why:
- The primary is confirmed down by its health endpoint (the one automatic-failover.sh polls: refused,
  timed out, unreachable or non-2xx; a TLS or local DNS error proves nothing and fails the check) *and*
  from a second location before anything changes: promoting while the primary still serves is split brain.
- "Confirm replication is caught up" is measured: the lag CheckVaultStatus.sh reports must be within
  ReplicationInterval + ReplicationTimeout of dbparm.ini (5 s + 30 s), polled for up to 10 minutes.
- After stopping the old primary, a check proves its health endpoint no longer answers, and the
  post-failover checklist checks again that it has not come back.
- The standby's new role is verified (CheckVaultStatus.sh says Primary, as automated-dr-test.sh greps).
- The document's ALB command (\`aws elbv2 modify-target-group --targets\`) does not exist in the AWS CLI:
  targets are moved with \`register-targets\` / \`deregister-targets\`, then target health is awaited.
- The DNS switch is verified: Route 53 must report the change INSYNC, and the vault's name must resolve
  to the standby's address here (the document had no verification after the switch).
- PVWA and the vault health endpoint are checked with the PAM CA (\`tls.ca\`) instead of \`curl -k\`, so a
  wrong server cannot pass a check.
- Stakeholders get the DR plan's templates (declaration, status update, recovery complete) on Slack and
  a PagerDuty incident that the end of the run resolves, as automatic-failover.sh's send_alert does.`,
  rto: '15m',
  lockKey: (c) => c.params.vaultCluster,
  params: {
    vaultCluster: param.string({ default: 'pam-vault-prod', description: 'which vault pair (scopes the one-live-run lock)' }),
    primaryHost: param.string({ default: 'ops@primary-vault.example.com', description: 'SSH target of the primary vault' }),
    standbyHost: param.string({ default: 'ops@standby-vault.example.com', description: 'SSH target of the standby vault' }),
    primaryHealthUrl: param.string({ default: 'https://primary-vault.example.com/health', description: 'the health endpoint automatic-failover.sh polls' }),
    maxReplicationLagSeconds: param.number({ default: 35, description: 'ReplicationInterval (5 s) + ReplicationTimeout (30 s) from dbparm.ini' }),
    switchVia: param.enum(['dns', 'alb'], { default: 'dns', description: 'Step 4: move the AWS ALB target group ("alb") or update DNS in Route 53 ("dns")' }),
    tgArn: param.string({ default: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pam-vault/0123456789abcdef', description: 'the vault target group (<tg-arn>)' }),
    primaryInstanceId: param.string({ default: 'i-0aaaaaaaaaaaaaaa1', description: 'EC2 instance of the primary vault' }),
    standbyInstanceId: param.string({ default: 'i-0bbbbbbbbbbbbbbb2', description: 'EC2 instance of the standby vault (<standby-instance-id>)' }),
    hostedZoneId: param.string({ default: 'Z0123456789EXAMPLE', description: 'Route 53 hosted zone (ZONEID)' }),
    changeBatch: param.string({ default: 'failover-dns.json', description: 'Route 53 change batch that points the vault name at the standby' }),
    vaultDnsName: param.string({ default: 'vault.example.com', description: 'the name clients use for the vault' }),
    standbyAddress: param.string({ default: '10.0.2.10', description: 'the address the vault name must resolve to after the switch' }),
    pvwaUrl: param.string({ default: 'https://pvwa.example.com', description: 'PVWA behind its load balancer' }),
    pamCa: param.string({ default: '/etc/pki/tls/certs/pam-ca.pem', description: 'CA (PEM file) that signed the vault and PVWA certificates' }),
    cpmHost: param.string({ default: 'ops@cpm.example.com', description: 'SSH target of a CPM server' }),
    psmHost: param.string({ default: 'ops@psm.example.com', description: 'SSH target of a PSM server' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: '#disaster-recovery channel webhook' }),
    appsWebhook: param.secret({ env: 'PAM_APPS_SLACK_WEBHOOK_URL', optional: true, description: 'channel of the application owners using PAM' }),
    pagerdutyKey: param.secret({ env: 'PAGERDUTY_ROUTING_KEY', optional: true, description: 'PagerDuty Events v2 routing key' }),
  },
})
  .phase('Pre-failover checklist')
  .notify('declare', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    services: SERVICES, impact: 'Primary CyberArk Vault unavailable: password retrieval, PVWA logons and PSM sessions fail', nextUpdateIn: '15m', slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .notify('page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', source: 'pam-failover' }), 'PAM Failover: primary vault down, failing over to the standby', { estimate: '5s' })
  .check('primary-unhealthy', 'The primary vault health endpoint does not answer', http.get((c) => c.params.primaryHealthUrl, { tls: { ca: (c) => c.params.pamCa }, timeout: '5s' }), {
    expect: (r) => notServing(r), estimate: '10s',
    description: 'The endpoint automatic-failover.sh polls (`curl -sf https://primary/health`). A primary that still answers is not failed over.',
  })
  .confirm('primary-down-second-location', 'Is the primary vault down when checked from a second location (other data centre, its console), not just unreachable from here?', {
    estimate: '2m', description: 'Pre-failover checklist: "Confirm primary is truly unavailable (not network issue)". A network partition between us and a live primary would give two primaries after the promotion.',
  })
  .check('standby-healthy', 'The standby vault service is running', standby`systemctl is-active cyberark-vault`, {
    expect: /^active\s*$/m, estimate: '5s', description: 'Pre-failover checklist: "Verify standby is healthy".',
  })
  .confirm('stakeholders-notified', 'Stakeholders notified (bridge open, DR coordinator and application owners told) and the incident start time recorded?', {
    estimate: '1m', description: 'The declaration above went to #disaster-recovery and PagerDuty; this run\'s journal records the start time (`runbook report <run-id>`).',
  })
  .phase('Stop primary (if accessible)')
  .exec('fence-primary', 'Stop PrivateArk and cyberark-vault on the old primary', primary`sudo systemctl stop PrivateArk cyberark-vault`, {
    timeout: '1m', estimate: '30s',
    description: 'Step 1 of the document. If the host does not answer over SSH (it is down, which is why we fail over), power it off or cut its network from its console or the hypervisor, then mark this step done by hand with a note; retry if it was a blip. Do not skip it without knowing it cannot come back.',
  })
  .check('primary-stopped', 'The old primary no longer answers its health endpoint', http.get((c) => c.params.primaryHealthUrl, { tls: { ca: (c) => c.params.pamCa }, timeout: '5s' }), {
    expect: (r) => notServing(r), estimate: '10s',
  })
  .phase('Verify standby readiness')
  .check('standby-vault-status', 'CheckVaultStatus.sh on the standby reports a standby', standby`sudo /opt/CyberArk/Vault/tools/CheckVaultStatus.sh`, {
    expect: /standby/i, estimate: '10s', description: 'Step 2 of the document.',
  })
  .check('replication-caught-up', 'Standby replication caught up (lag within ReplicationInterval + ReplicationTimeout)', standby`sudo /opt/CyberArk/Vault/tools/CheckVaultStatus.sh`, {
    parse: (out) => replicationLagSeconds(out),
    expect: (lag, c) => lag <= c.params.maxReplicationLagSeconds,
    waitUntil: { timeout: '10m', interval: '30s' }, estimate: '10s',
    description: '"Confirm replication is caught up": the lag CheckVaultStatus.sh reports must be within `maxReplicationLagSeconds` (35 s). Polled every 30 s for up to 10 minutes; promoting earlier loses what the standby has not applied.',
  })
  .phase('Promote standby')
  .confirm('go-for-promotion', 'Promote the standby vault to primary now? (primary down and stopped or isolated, standby healthy, replication caught up)', {
    estimate: '30s', description: 'After this, the standby accepts writes. The old primary must not come back as a primary: it is rebuilt as the new standby later (post-failover).',
  })
  .exec('promote-standby', 'Promote the standby (PromoteStandby.sh, follow its prompts)', sh`ssh -t ${(c) => c.params.standbyHost} sudo /opt/CyberArk/Vault/tools/PromoteStandby.sh`, {
    interactive: true, estimate: '3m', description: 'Step 3 of the document: the vendor script prompts, so it gets your terminal; the checklist comes back when it exits.',
  })
  .check('standby-is-primary', 'CheckVaultStatus.sh on the promoted vault reports Primary', standby`sudo /opt/CyberArk/Vault/tools/CheckVaultStatus.sh`, {
    expect: /Primary/, waitUntil: { timeout: '2m', interval: '10s' }, estimate: '20s',
    description: 'As automated-dr-test.sh verifies a failover (`CheckVaultStatus.sh | grep Primary`).',
  })
  .phase('Update load balancer / DNS')
  .exec('alb-register-standby', 'ALB: register the standby in the vault target group', sh`aws elbv2 register-targets --target-group-arn ${(c) => c.params.tgArn} --targets Id=${(c) => c.params.standbyInstanceId}`, {
    when: (c) => c.params.switchVia === 'alb', timeout: '1m', estimate: '15s',
  })
  .exec('alb-deregister-primary', 'ALB: deregister the old primary', sh`aws elbv2 deregister-targets --target-group-arn ${(c) => c.params.tgArn} --targets Id=${(c) => c.params.primaryInstanceId}`, {
    when: (c) => c.params.switchVia === 'alb', timeout: '1m', estimate: '15s',
  })
  .check('alb-standby-healthy', 'ALB: the standby target is healthy', sh`aws elbv2 describe-target-health --target-group-arn ${(c) => c.params.tgArn} --targets Id=${(c) => c.params.standbyInstanceId} --query ${'TargetHealthDescriptions[0].TargetHealth.State'} --output text`, {
    when: (c) => c.params.switchVia === 'alb', expect: /^healthy\s*$/m, waitUntil: { timeout: '5m', interval: '15s' }, estimate: '1m',
  })
  .exec('switch-dns', 'Route 53: point the vault name at the standby', sh`aws route53 change-resource-record-sets --hosted-zone-id ${(c) => c.params.hostedZoneId} --change-batch file://${(c) => c.params.changeBatch} --query ChangeInfo.Id --output text`, {
    when: (c) => c.params.switchVia === 'dns', parse: (out) => out.trim(), expect: (id) => id.length > 0, timeout: '1m', estimate: '15s',
  })
  .check('dns-change-insync', 'Route 53 reports the change INSYNC', sh`aws route53 get-change --id ${(c) => c.steps['switch-dns'].value} --query ChangeInfo.Status --output text`, {
    when: (c) => c.params.switchVia === 'dns', expect: /INSYNC/, waitUntil: { timeout: '5m', interval: '15s' }, estimate: '1m',
  })
  .check('dns-resolves-to-standby', 'The vault name resolves to the standby here', sh`dig +short ${(c) => c.params.vaultDnsName}`, {
    when: (c) => c.params.switchVia === 'dns', parse: (out) => digAnswers(out), expect: (answers, c) => answers.includes(c.params.standbyAddress),
    waitUntil: { timeout: '5m', interval: '30s' }, estimate: '30s',
    description: 'Resolvers keep the old answer until its TTL expires: this polls for up to 5 minutes. Clients elsewhere may still see the old address for one TTL.',
  })
  .phase('Verify services')
  .check('pvwa-logon', 'PVWA logon page answers', http.get((c) => `${c.params.pvwaUrl}/PasswordVault/v10/logon`, { tls: { ca: (c) => c.params.pamCa }, timeout: '10s' }), {
    waitUntil: { timeout: '5m', interval: '15s' }, estimate: '30s', description: 'Step 5: "Test PVWA" (the document uses `curl -k`; here the certificate is verified against the PAM CA).',
  })
  .check('cpm-running', 'CPM service is running', ssh((c) => String(c.params.cpmHost))`systemctl status cyberark-cpm`, {
    waitUntil: { timeout: '3m', interval: '15s' }, estimate: '10s', description: 'Step 5: "Test CPM" (`systemctl status` exits 0 only when the service runs).',
  })
  .check('psm-running', 'PSM service is running', ssh((c) => String(c.params.psmHost))`systemctl status cyberark-psm`, {
    waitUntil: { timeout: '3m', interval: '15s' }, estimate: '10s', description: 'Step 5: "Test PSM".',
  })
  .phase('Notify applications')
  .notify('status-update', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    services: SERVICES, status: 'Standby vault promoted to primary; traffic switched; PVWA, CPM and PSM verified', nextUpdateIn: '15m',
  }), { estimate: '5s' })
  .notify('notify-applications', notify.slack((c) => c.params.appsWebhook), templates.statusUpdate({
    services: SERVICES,
    status: (c) => `The CyberArk Vault failed over to the standby (${c.params.standbyHost}). Update application configurations that name the old primary, then restart applications using PAM.`,
    nextUpdateIn: '30m',
  }), { estimate: '5s' })
  .confirm('applications-reconnected', 'Have application owners updated configurations that named the old primary and restarted the applications using PAM?', {
    estimate: '2m', description: 'Step 6 of the document: "Update application configurations if needed; restart applications using PAM".',
  })
  .phase('Post-failover')
  .check('old-primary-still-down', 'The old primary has not come back', http.get((c) => c.params.primaryHealthUrl, { tls: { ca: (c) => c.params.pamCa }, timeout: '5s' }), {
    expect: (r) => notServing(r), estimate: '10s', description: 'A primary that restarts on its own after a failover is a second primary: stop it again (Step 1) before anything else.',
  })
  .check('pvwa-still-serving', 'PVWA still serves through the new primary', http.get((c) => `${c.params.pvwaUrl}/PasswordVault/v10/logon`, { tls: { ca: (c) => c.params.pamCa }, timeout: '10s' }), { estimate: '10s' })
  .confirm('incident-documented', 'Incident documented (this run\'s report holds the timeline and the RTO achieved)?', {
    onNo: 'continue', estimate: '30s', description: 'Post-failover: "Document incident". `runbook report <run-id>` writes the timeline, decisions and RTO.',
  })
  .confirm('primary-restoration-planned', 'Primary restoration planned (the old primary stays stopped until it is rebuilt as the new standby)?', {
    onNo: 'continue', estimate: '30s', description: 'Post-failover: "Plan primary restoration".',
  })
  .confirm('failover-performance-reviewed', 'Failover performance review scheduled (RTO achieved against 15 minutes)?', {
    onNo: 'continue', estimate: '15s', description: 'Post-failover: "Review failover performance".',
  })
  .notify('resolve-page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', action: 'resolve' }), 'PAM failover complete', { estimate: '5s' })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: SERVICES,
    followUps: ['Rebuild the old primary as the new standby and re-establish replication', 'Post-failover review of the timeline and RTO'],
  }), { estimate: '5s' });
