// Payment-EAPI / Payment-SAPI component recovery on Kubernetes, after "Component Failure Recovery" 1–2 of the
// payment platform DR plan (shared/seeds/002_…, "Recovery Procedures"): status, logs, rollout restart; if the
// restart does not roll out, scale 0 → 3; if that does not help either, re-apply the deployment from its backup
// manifest; verify the pods and the health endpoint. RTO 4 h (the plan's RTO for Payment-EAPI and -SAPI).
import { http, k8s, notify, param, runbook, sh, templates } from 'runbook';

type Ctx = { readonly params: { readonly kubeContext: string; readonly namespace: string; readonly component: 'eapi' | 'sapi' } };
type Rollout = { readonly status: string; readonly value: { readonly ok: boolean } };

const cluster = (c: Ctx) => ({ context: c.params.kubeContext, namespace: c.params.namespace });
const deployment = (c: Ctx) => `payment-${c.params.component}`;
const service = (c: Ctx) => (c.params.component === 'eapi' ? 'Payment-EAPI' : 'Payment-SAPI');
/** A rollout check that ran and saw the deployment not roll out (stuck, crash-looping). Skipped or done by hand: not failed. */
const notRolledOut = (s: Rollout) => s.status === 'ok' && !s.value.ok;
/** The status check found no such deployment (deleted, or "corrupted" as the document says): straight to the re-apply phase. */
const missing = (s: { readonly status: string; readonly value: { readonly ok: boolean } }) => s.status === 'ok' && !s.value.ok;
/** Rolled out, or the API answered with a deployment that did not roll out (the next fallback handles that). An API error fails. */
const rolledOutOrStuck = (r: { readonly ok: boolean; readonly deployment: unknown }) => r.ok || r.deployment !== null;

export default runbook('payment-component-recovery', {
  title: 'Payment EAPI/SAPI component recovery (Kubernetes)',
  description: `Recovers one failed payment component (Payment-EAPI or Payment-SAPI, param \`component\`) in its namespace, as the
DR plan's "Component Failure Recovery": check the deployment and its pods, read the logs, \`rollout restart\`; if the
restart does not roll out, scale to 0 and back to 3; if the deployment is still broken, re-apply it from the backup
manifest; then verify the pods and the health endpoint (\`/api/health\` for EAPI, \`/api/internal-health\` for SAPI).

Added to the document, and why:
- "If restart fails" is made measurable: each fallback runs only when the rollout before it did not complete
  (kubectl's rollout rule; a crash-looping rollout never does), so nobody scales a healthy deployment to 0.
- A deployment that is gone (404) is the document's "corrupted" case: restart and scale are skipped and it is
  re-applied from the backup; any other API error stops the run before anything changes.
- Scaling to 0 is a full outage of the component and re-applying a backup overwrites the live spec: each asks first.
- The backup manifest is read and checked to be the Deployment of this component before it is applied, and it is
  applied with server-side apply taking ownership (\`force\`), as \`kubectl apply -f\` of a restore intends.
- The health endpoint is verified with TLS verification on (the document's \`curl -k\` turns it off) and must
  answer \`{"status":"UP"}\`, not just any 2xx; every pod of the deployment must be Ready.
- Slack hears when the recovery starts and how it ended.`,
  rto: '4h',
  lockKey: (c) => `${c.params.kubeContext}/${c.params.namespace}/payment-${c.params.component}`,
  params: {
    component: param.enum(['eapi', 'sapi'], { default: 'eapi', description: 'which component failed: eapi (Payment-EAPI) or sapi (Payment-SAPI)' }),
    kubeContext: param.string({ default: 'prod-eu', description: 'kubeconfig context of the production cluster (kubeconfig: KUBECONFIG, else ~/.kube/config)' }),
    namespace: param.string({ default: 'payment-system', description: 'namespace of the payment components' }),
    replicas: param.number({ default: 3, description: 'replica count to scale back up to' }),
    backupDir: param.string({ default: '/backups/kubernetes', description: 'folder holding payment-<component>-deployment.yaml (the daily Kubernetes backup)' }),
    apiEndpoint: param.string({ default: 'https://api.payments.example', description: 'base URL of the payment API ($API_ENDPOINT)' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of #disaster-recovery' }),
  },
})
  .phase('Assess')
  .notify('announce', notify.slack((c) => c.params.slackWebhook),
    (c) => `${service(c)} failure: component recovery started by ${c.run.operator} (runbook payment-component-recovery, run ${c.run.id}, RTO 4h). Next: status, logs, rollout restart.`,
    { estimate: '5s' })
  .check('deployment-status', 'Deployment status (kubectl get deployment)', k8s.deployment(cluster, deployment), {
    expect: (r) => r.ok || r.error?.code === 'NotFound', estimate: '5s',
    description: 'What is wanted against what is ready and updated; `rollout` says why it is not rolled out. A deployment that does not exist (404) is the "corrupted" case of the document: restart and scale are skipped and it is re-applied from the backup. Any other API error stops here.',
  })
  .check('pods', 'Pods of the component (kubectl get pods -l app=…)', k8s.pods(cluster, (c) => ({ app: deployment(c) })), {
    estimate: '5s', description: 'Look at phase, readiness and restarts: a restart count that keeps growing is a crash loop.',
  })
  .check('logs', 'Recent logs of the pods (kubectl logs -l app=…)',
    sh`kubectl logs --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} -l ${(c) => `app=${deployment(c)}`} --all-containers --prefix --tail=200`, {
      timeout: '1m', continueOnError: true, estimate: '30s',
      description: 'For the record and the diagnosis; a pod that never started has no logs, which does not stop the recovery.',
    })
  .phase('Restart')
  .confirm('restart-needed', 'Do the status, pods and logs above call for a rolling restart of the deployment?', {
    when: (c) => !missing(c.steps['deployment-status']), estimate: '2m', description: 'A restart replaces the pods one by one (no outage while old pods keep serving). Answer no if the cause is elsewhere (database, Conjur, Redis): the restart would not help.',
  })
  .exec('rollout-restart', 'Rolling restart (kubectl rollout restart deployment)', k8s.rolloutRestart(cluster, deployment), {
    when: (c) => !missing(c.steps['deployment-status']), estimate: '5s',
  })
  .check('restart-rolled-out', 'The restart rolled out (else: scale 0 → N next)', k8s.waitForRollout(cluster, deployment, { timeout: '5m' }), {
    when: (c) => !missing(c.steps['deployment-status']), expect: rolledOutOrStuck, estimate: '2m',
    description: 'Passes when the new pods are all updated and available, and also when the API shows a rollout that did not complete (pods crash-looping, progress deadline exceeded): then the scale phase runs. Fails only when the API cannot be asked.',
  })
  .phase('Scale down and up')
  .confirm('scale-to-zero-ok', 'The restart did not roll out: scale the deployment to 0 and back up?', {
    when: (c) => notRolledOut(c.steps['restart-rolled-out']), estimate: '1m',
    description: 'Every pod stops: the component is down until the new pods are ready. The document\'s next step when a restart fails: a cold start clears what a rolling restart keeps (old pods serving meanwhile, a stuck rollout).',
  })
  .exec('scale-down', 'Scale to 0 (kubectl scale --replicas=0)', k8s.scale(cluster, deployment, 0), {
    when: (c) => notRolledOut(c.steps['restart-rolled-out']), estimate: '5s',
  })
  .check('scaled-down', 'Every pod is gone', k8s.waitForRollout(cluster, deployment, { timeout: '3m' }), {
    when: (c) => notRolledOut(c.steps['restart-rolled-out']), estimate: '45s',
  })
  .exec('scale-up', 'Scale back up (kubectl scale --replicas=N)', k8s.scale((c) => cluster(c), (c) => deployment(c), (c) => c.params.replicas), {
    when: (c) => notRolledOut(c.steps['restart-rolled-out']), estimate: '5s',
  })
  .check('scale-rolled-out', 'The new pods rolled out (else: re-apply from backup next)', k8s.waitForRollout(cluster, deployment, { timeout: '5m' }), {
    when: (c) => notRolledOut(c.steps['restart-rolled-out']), expect: rolledOutOrStuck, estimate: '2m',
  })
  .phase('Re-apply from backup')
  .check('read-backup-manifest', 'Read the backup manifest of the deployment',
    sh`cat ${(c) => `${c.params.backupDir}/payment-${c.params.component}-deployment.yaml`}`, {
      when: (c) => missing(c.steps['deployment-status']) || notRolledOut(c.steps['scale-rolled-out']), estimate: '5s',
      expect: (r, c) => r.exitCode === 0 && /^kind:\s*Deployment\s*$/m.test(r.stdout) && new RegExp(`^\\s+name:\\s*["']?payment-${c.params.component}["']?\\s*$`, 'm').test(r.stdout),
      description: 'The file must hold the Deployment of this very component (a backup of the other one would be applied over it).',
    })
  .confirm('reapply-ok', 'Re-apply the deployment from the backup manifest (it is missing, or scaling did not help either)?', {
    when: (c) => missing(c.steps['deployment-status']) || notRolledOut(c.steps['scale-rolled-out']), estimate: '2m',
    description: 'It replaces the live spec with the backup\'s (image, env, resources): a change made since the backup is undone. Compare the manifest read above with the live deployment first.',
  })
  .exec('reapply', 'Re-apply the backup manifest (kubectl apply -f, server-side)',
    k8s.apply((c) => cluster(c), (c) => c.steps['read-backup-manifest'].stdout, { force: true }), {
      when: (c) => missing(c.steps['deployment-status']) || notRolledOut(c.steps['scale-rolled-out']), estimate: '10s',
    })
  .check('reapply-rolled-out', 'The re-applied deployment rolled out', k8s.waitForRollout(cluster, deployment, { timeout: '10m' }), {
    when: (c) => missing(c.steps['deployment-status']) || notRolledOut(c.steps['scale-rolled-out']), estimate: '3m',
  })
  .phase('Verify')
  .check('pods-ready', 'Every pod is Ready (kubectl get pods -l app=…)', k8s.pods(cluster, (c) => ({ app: deployment(c) })), {
    expect: (r, c) => r.total >= c.params.replicas && r.ready === r.total, waitUntil: { timeout: '3m', interval: '10s' }, estimate: '10s',
  })
  .check('health', 'The health endpoint answers UP', http.get((c) => `${c.params.apiEndpoint}${c.params.component === 'eapi' ? '/api/health' : '/api/internal-health'}`, {
    expectJson: { '$.status': 'UP' }, timeout: '10s',
  }), { retry: { attempts: 5, interval: '15s' }, estimate: '10s' })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: (c) => [service(c)],
    outcome: (c) => [`${deployment(c)} rolled out with every pod Ready; health endpoint UP`],
    followUps: ['Root cause of the failure (logs in this run\'s journal)', 'Refresh the backup manifest if it was re-applied'],
  }), { estimate: '5s' });
