// Security breach recovery for the payment platform: the DR plan's "Security Breach Recovery"
// (shared/seeds/002_…: containment, credential rotation, clean system deployment, security verification,
// enhanced monitoring), with its communication plan (templates, PagerDuty) and the security part of its
// "Recovery Verification". The plan gives this procedure no RTO of its own: the runbook takes the
// 4 hours of its Recovery Objectives table for the components it rebuilds (Payment-EAPI and
// Payment-SAPI, both "Critical"); Conjur, whose credentials it rotates, has 2 hours there.
import { fn, http, k8s, notify, param, runbook, sh, templates } from 'runbook';
import type { K8sManifest } from 'runbook';

const SERVICES = ['Payment-EAPI', 'Payment-SAPI', 'Conjur vault'];

/** An image reference pinned by digest: `registry/path/name@sha256:<64 hex>`. Tags can be re-pointed; digests cannot. */
const PINNED = /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/** The references that are not pinned by digest (empty when all are). */
export function unpinnedImages(images: readonly string[]): string[] {
  return images.filter((i) => !PINNED.test(i));
}

/** `sha256:<hex>` of a pinned reference. */
export function digestOf(image: string): string {
  return image.slice(image.indexOf('@') + 1);
}

/** Image IDs one per line (kubectl jsonpath output): all must carry the verified digest. */
export function imageIds(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/**
 * A server-side apply of one deployment's container image, pinned by digest, plus a pod-template
 * annotation naming this run, so every pod is replaced even when the digest is already the running one
 * (a clean redeploy: nothing an attacker left in a running container survives).
 */
export function pinnedDeployment(namespace: string, name: string, image: string, runId: string): K8sManifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { template: { metadata: { annotations: { 'runbook/breach-redeploy-run': runId } }, spec: { containers: [{ name, image }] } } },
  };
}

/** kubectl jsonpath: the imageID of the named container in every pod, one a line. */
const imageIdsOf = (container: string): string => `{range .items[*]}{.status.containerStatuses[?(@.name=="${container}")].imageID}{"\\n"}{end}`;

type P = { readonly params: { readonly kubeContext: string; readonly namespace: string } };
const cluster = (c: P) => ({ context: c.params.kubeContext, namespace: c.params.namespace });

export default runbook('security-breach-recovery', {
  title: 'Security breach recovery (payment platform)',
  description: `The DR plan's Security Breach Recovery, in its order: containment (isolate affected systems, block
compromised credentials, additional security controls), emergency credential rotation
(\`rotate-credentials.sh emergency-rotation --all-clients --force\`, then \`verify-credentials.sh\`), clean
deployment from verified images, security verification (\`security-scan.sh --comprehensive\`,
\`verify-security-config.sh\`), enhanced monitoring (\`enhanced-security-monitoring.yaml\`,
\`configure-security-alerts.sh --enhanced\`), with the plan's communications.

RTO: the plan gives the breach procedure none; 4 hours is its Recovery Objectives figure for Payment-EAPI
and Payment-SAPI ("Critical"), the services this procedure rebuilds (Conjur's is 2 hours).

Added to the document, and why:
- Evidence is preserved before anything is changed (cluster state and pod logs exported with
  checksums, then a confirm for node snapshots and audit logs): rotation and redeployment destroy it.
- Containment includes revoking sessions, not only blocking credentials: a stolen session outlives a
  rotated password.
- Rotation covers what an attacker inside the platform most likely holds besides the client
  credentials the plan's script rotates: the Conjur admin API key and the payment database password.
  Both run with the operator's terminal so the new secrets are shown only there, never journaled; the
  database password is set with psql's \`\\password\` (hashed client-side, never sent or logged in clear).
- Clean deployment pins the images by digest (the plan's \`deploy.sh --version\` names a tag, which an
  attacker with registry access can re-point), after a person confirms the digests are the verified ones
  (the plan names no signature verification). The server-side apply changes only the image and a
  per-run pod annotation, so every pod is replaced; the running pods are then checked to carry exactly
  those digests, and the health endpoints to answer.
- Credential access is verified after the redeploy (the plan's Recovery Verification:
  \`verify-credential-access.sh\`), and the monitoring deployed is checked to exist.`,
  rto: '4h',
  lockKey: (c) => `${c.params.kubeContext}/${c.params.namespace}`,
  params: {
    kubeContext: param.string({ default: 'prod-primary', description: 'kube context of the payment cluster' }),
    namespace: param.string({ default: 'payment-system', description: 'namespace of the payment services' }),
    scripts: param.string({ default: './scripts', description: 'the DR plan\'s scripts directory (rotate-credentials.sh, security-scan.sh, …)' }),
    reason: param.string({ default: 'Security breach recovery', description: 'reason recorded by the credential rotation' }),
    evidenceDir: param.string({ default: '/secure/evidence/payment-system', description: 'write-once evidence store; the run id is appended' }),
    conjurAdmin: param.string({ default: 'admin', description: 'the Conjur admin identity whose API key is rotated' }),
    dbAdminDsn: param.string({ default: 'postgres://dr-admin@payment-db.internal:5432/payment_db', description: 'DSN of a database admin, without a password (PGPASSWORD or ~/.pgpass)' }),
    dbAppRole: param.string({ default: 'payment_app', description: 'the database role the payment services use' }),
    dbPasswordVariable: param.string({ default: 'payment-system/database/password', description: 'the Conjur variable the services read the database password from' }),
    eapiDeployment: param.string({ default: 'payment-eapi', description: 'deployment (and container) name of Payment-EAPI' }),
    sapiDeployment: param.string({ default: 'payment-sapi', description: 'deployment (and container) name of Payment-SAPI' }),
    eapiImage: param.string({ default: 'registry.example.com/payments/payment-eapi@sha256:0d3f5e8a1b2c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6', description: 'verified Payment-EAPI image, pinned by digest' }),
    sapiImage: param.string({ default: 'registry.example.com/payments/payment-sapi@sha256:7a9c1e3f5b7d9f1a3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f', description: 'verified Payment-SAPI image, pinned by digest' }),
    apiEndpoint: param.string({ default: 'https://api.payments.example.com', description: 'the payment API ($API_ENDPOINT)' }),
    apiCa: param.string({ default: '/etc/pki/tls/certs/payments-ca.pem', description: 'CA (PEM file) of the payment API certificate' }),
    monitoringManifest: param.string({ default: 'enhanced-security-monitoring.yaml', description: 'the plan\'s additional security monitoring manifest' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: '#disaster-recovery channel webhook' }),
    pagerdutyKey: param.secret({ env: 'PAGERDUTY_ROUTING_KEY', optional: true, description: 'PagerDuty Events v2 routing key' }),
  },
})
  .phase('Declare')
  .notify('page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', source: 'security-breach-recovery' }), 'Security breach: payment platform recovery in progress', { estimate: '5s' })
  .notify('declare', notify.slack((c) => c.params.slackWebhook), templates.declaration({
    services: SERVICES, impact: 'Security breach: payment processing restricted while systems are contained, credentials rotated and services rebuilt', nextUpdateIn: '30m', slackChannel: '#disaster-recovery',
  }), { estimate: '5s' })
  .phase('Containment')
  .exec('preserve-cluster-evidence', 'Export the namespace\'s state and pod logs to the evidence store, with checksums', sh`set -e; d=${(c) => `${c.params.evidenceDir}/${c.run.id}`}; mkdir -p "$d"; kubectl --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} get all,configmaps,serviceaccounts,roles,rolebindings,networkpolicies -o yaml > "$d/resources.yaml"; kubectl --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} logs -l ${(c) => `app in (${c.params.eapiDeployment},${c.params.sapiDeployment})`} --all-containers --prefix --timestamps --tail=-1 > "$d/pod-logs.txt"; cd "$d" && sha256sum resources.yaml pod-logs.txt > SHA256SUMS`, {
    timeout: '10m', estimate: '2m', description: 'Before anything changes: the rotation and the redeploy below destroy what the attacker left. Secrets are not exported (they are rotated below).',
  })
  .check('evidence-checksums', 'The exported evidence matches its checksums', sh`cd ${(c) => `${c.params.evidenceDir}/${c.run.id}`} && sha256sum -c SHA256SUMS`, { estimate: '5s' })
  .confirm('evidence-preserved', 'Is the rest of the evidence preserved (disk and memory snapshots of affected nodes, Conjur and PAM audit logs, cloud audit trail exported to the forensics account)?', {
    estimate: '20m', description: 'The Security Lead decides what is enough; rotation and the clean redeploy come next and cannot be undone.',
  })
  .confirm('systems-isolated', 'Are the affected systems isolated (deny-all network policies on compromised workloads, affected nodes cordoned, external ingress restricted)?', {
    estimate: '15m', description: 'The plan: "Isolate affected systems".',
  })
  .confirm('credentials-blocked-sessions-revoked', 'Are compromised credentials blocked and their sessions revoked (affected Conjur hosts and users disabled, PSM sessions terminated, operators\' IdP sessions revoked)?', {
    estimate: '10m', description: 'The plan: "Block compromised credentials". Revoking sessions is added: a stolen session outlives a rotated password.',
  })
  .confirm('additional-controls', 'Are additional security controls in place (WAF rules, IP allow-lists for administration, MFA enforced for every operator)?', {
    estimate: '10m', description: 'The plan: "Implement additional security controls".',
  })
  .notify('contained', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    services: SERVICES, status: 'Contained: evidence preserved, affected systems isolated, compromised credentials blocked; rotating credentials next', nextUpdateIn: '30m',
  }), { estimate: '5s' })
  .phase('Credential rotation')
  .exec('rotate-client-credentials', 'Rotate every client credential (emergency rotation)', sh`${(c) => c.params.scripts}/rotate-credentials.sh emergency-rotation --all-clients --force --reason ${(c) => c.params.reason}`, {
    timeout: '30m', estimate: '8m',
    description: 'The plan\'s command. If it fails for some clients, retry once; if it keeps failing, skip with the clients named in the reason and rotate those by hand before the verification below.',
  })
  .check('verify-client-credentials', 'Every client credential is rotated', sh`${(c) => c.params.scripts}/verify-credentials.sh --all-clients`, { timeout: '10m', estimate: '2m' })
  .exec('rotate-conjur-admin-key', 'Rotate the Conjur admin API key (shown on your terminal only)', sh`conjur user rotate-api-key --id ${(c) => c.params.conjurAdmin}`, {
    interactive: true, estimate: '2m',
    description: 'Added: the attacker may hold the admin key. The new key is printed on your terminal, not journaled: put it in the break-glass safe, then log in again (`conjur login`).',
  })
  .exec('rotate-db-password', 'Set a new password for the payment database role (psql \\password prompts)', sh`psql ${(c) => c.params.dbAdminDsn} -c ${(c) => `\\password ${c.params.dbAppRole}`}`, {
    interactive: true, estimate: '2m',
    description: 'Added: the database password is in every compromised pod\'s environment. psql hashes the new password locally (SCRAM), so it is never sent or logged in clear.',
  })
  .confirm('db-password-stored', 'Is the new database password stored in its Conjur variable, so the redeployed services fetch it?', {
    estimate: '2m', description: 'Set the variable named by `dbPasswordVariable` (e.g. with the Conjur UI or `conjur variable set`) from the same secure channel; the clean redeploy below makes every pod fetch it.',
  })
  .phase('Clean redeploy')
  .confirm('images-verified', 'Are the image digests to deploy the verified ones (built from reviewed commits before the compromise window, matching the release record)?', {
    estimate: '10m', description: 'The plan deploys "from verified images" and names no signature check: a person compares `eapiImage` and `sapiImage` with the release record and the registry\'s audit log.',
  })
  .check('digests-pinned', 'Both images are pinned by digest', fn((c: { params: { eapiImage: string; sapiImage: string } }) => unpinnedImages([c.params.eapiImage, c.params.sapiImage]), { readOnly: true, label: 'image references are name@sha256:<64 hex>' }), {
    expect: (unpinned) => unpinned.length === 0, estimate: '1s',
  })
  .exec('redeploy-eapi', 'Redeploy Payment-EAPI from its verified image', k8s.apply((c) => cluster(c), (c) => pinnedDeployment(c.params.namespace, c.params.eapiDeployment, c.params.eapiImage, c.run.id), { force: true }), { estimate: '10s' })
  .exec('redeploy-sapi', 'Redeploy Payment-SAPI from its verified image', k8s.apply((c) => cluster(c), (c) => pinnedDeployment(c.params.namespace, c.params.sapiDeployment, c.params.sapiImage, c.run.id), { force: true }), { estimate: '10s' })
  .check('eapi-rolled-out', 'Payment-EAPI rolled out', k8s.waitForRollout((c) => cluster(c), (c) => c.params.eapiDeployment, { timeout: '10m' }), { estimate: '3m' })
  .check('sapi-rolled-out', 'Payment-SAPI rolled out', k8s.waitForRollout((c) => cluster(c), (c) => c.params.sapiDeployment, { timeout: '10m' }), { estimate: '1m' })
  .check('eapi-runs-verified-image', 'Every Payment-EAPI pod runs the verified digest', sh`kubectl --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} get pods -l ${(c) => `app=${c.params.eapiDeployment}`} -o ${(c) => `jsonpath=${imageIdsOf(c.params.eapiDeployment)}`}`, {
    parse: (out) => imageIds(out), expect: (ids, c) => ids.length > 0 && ids.every((id) => id.endsWith(digestOf(c.params.eapiImage))), estimate: '5s',
  })
  .check('sapi-runs-verified-image', 'Every Payment-SAPI pod runs the verified digest', sh`kubectl --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} get pods -l ${(c) => `app=${c.params.sapiDeployment}`} -o ${(c) => `jsonpath=${imageIdsOf(c.params.sapiDeployment)}`}`, {
    parse: (out) => imageIds(out), expect: (ids, c) => ids.length > 0 && ids.every((id) => id.endsWith(digestOf(c.params.sapiImage))), estimate: '5s',
  })
  .check('eapi-health', 'Payment-EAPI health endpoint answers', http.get((c) => `${c.params.apiEndpoint}/api/health`, { tls: { ca: (c) => c.params.apiCa }, timeout: '10s' }), {
    waitUntil: { timeout: '5m', interval: '15s' }, estimate: '15s',
  })
  .check('sapi-health', 'Payment-SAPI internal health endpoint answers', http.get((c) => `${c.params.apiEndpoint}/api/internal-health`, { tls: { ca: (c) => c.params.apiCa }, timeout: '10s' }), {
    waitUntil: { timeout: '5m', interval: '15s' }, estimate: '15s',
  })
  .notify('redeployed', notify.slack((c) => c.params.slackWebhook), templates.statusUpdate({
    services: SERVICES, status: 'Credentials rotated; Payment-EAPI and Payment-SAPI redeployed from verified images and healthy; security verification next', nextUpdateIn: '30m',
  }), { estimate: '5s' })
  .phase('Security verification')
  .check('security-scan', 'Comprehensive security scan of the recovered system', sh`${(c) => c.params.scripts}/security-scan.sh --comprehensive`, { timeout: '1h', estimate: '20m' })
  .check('security-config', 'Security configuration verified', sh`${(c) => c.params.scripts}/verify-security-config.sh`, { timeout: '15m', estimate: '3m' })
  .check('credential-access', 'The services fetch their (rotated) credentials', sh`${(c) => c.params.scripts}/verify-credential-access.sh`, {
    timeout: '10m', estimate: '2m', description: 'From the plan\'s Recovery Verification ("Verify credential access").',
  })
  .phase('Enhanced monitoring')
  .exec('deploy-security-monitoring', 'Deploy the additional security monitoring', sh`kubectl --context ${(c) => c.params.kubeContext} apply -f ${(c) => c.params.monitoringManifest}`, { timeout: '5m', estimate: '1m' })
  .exec('configure-security-alerts', 'Configure the enhanced security alerts', sh`${(c) => c.params.scripts}/configure-security-alerts.sh --enhanced`, { timeout: '10m', estimate: '2m' })
  .check('security-monitoring-deployed', 'The security monitoring resources exist', sh`kubectl --context ${(c) => c.params.kubeContext} get -f ${(c) => c.params.monitoringManifest}`, { estimate: '5s' })
  .phase('Close')
  .notify('resolve-page', notify.pagerduty((c) => c.params.pagerdutyKey, { severity: 'critical', action: 'resolve' }), 'Payment platform recovered from the security breach', { estimate: '5s' })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: SERVICES,
    outcome: 'Contained; all client, Conjur admin and database credentials rotated; services redeployed from verified images; security verification passed; enhanced monitoring active',
    followUps: ['Forensic analysis of the preserved evidence', 'Root cause and the compromise window confirmed', 'Regulatory and card-scheme notifications assessed (PCI DSS)', 'Post-incident review'],
  }), { estimate: '5s' });
