// Redis cache failure, after "Component Failure Recovery" 4 of the payment platform DR plan (shared/seeds/002_…)
// and its "Redis Cache Restore" procedure: diagnose, promote the replica when it is alive; when both nodes are
// down, rebuild the cache (from the last hourly RDB snapshot, or empty: it is a cache); repoint the clients;
// verify with PING, INFO keyspace and a canary key. RTO 1 h, RPO 15 min (the plan's objectives for the cache).
import { k8s, notify, param, redis, runbook, sh, ssh, templates } from 'runbook';

type P = {
  readonly primaryHost: string; readonly primaryPort: number; readonly replicaHost: string; readonly replicaPort: number;
  readonly redisPassword: string | undefined; readonly kubeContext: string; readonly namespace: string;
};
type Ctx = { readonly params: P };
type Seen = { readonly status: string; readonly value: { readonly ok: boolean } };

const auth = (c: Ctx) => (c.params.redisPassword === undefined ? {} : { password: c.params.redisPassword });
const primary = (c: Ctx) => ({ host: c.params.primaryHost, port: c.params.primaryPort, ...auth(c) });
const replica = (c: Ctx) => ({ host: c.params.replicaHost, port: c.params.replicaPort, ...auth(c) });
const cluster = (c: Ctx) => ({ context: c.params.kubeContext, namespace: c.params.namespace });

/** Errors that mean "nobody answers there" — unlike NOAUTH / WRONGPASS / LOADING, which come from a live server. */
const DOWN = ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ECONNCLOSED', 'EAI_AGAIN'];
const isDown = (r: { readonly ok: boolean; readonly error?: { readonly code: string } }) => !r.ok && DOWN.includes(r.error?.code ?? '');
/** The diagnosis found the replica down too: the rebuild branch. */
const replicaDown = (s: Seen) => s.status === 'ok' && !s.value.ok;
/** The replica answered as a replica: the promotion branch. */
const replicaUp = (s: Seen) => s.status === 'ok' && s.value.ok;
/** The node that is primary at the end: the rebuilt primary after a rebuild, else the promoted replica (also what the dry-run shows). */
const active = (c: Ctx, diagnosis: Seen) => (replicaDown(diagnosis) ? primary(c) : replica(c));
/** Keys over every database of an `INFO keyspace` (`db0:keys=12,expires=3,…`). */
const keyCount = (info: Readonly<Record<string, string>>) =>
  Object.entries(info).filter(([k]) => /^db\d+$/.test(k)).reduce((n, [, v]) => n + Number(/keys=(\d+)/.exec(v)?.[1] ?? 0), 0);

export default runbook('redis-cache-failover', {
  title: 'Redis cache failure: promote the replica or rebuild',
  description: `The payment platform's Redis cache (token storage) lost its primary. Diagnose both nodes; if the replica is alive,
promote it (\`REPLICAOF NO ONE\`) and repoint the clients to it; if it is down too, rebuild the cache — from the last
hourly RDB snapshot (the document's "Redis Cache Restore" procedure, on hosts) or empty ("Redis can be rebuilt from
scratch as it's a cache"). Then verify with PING, \`INFO keyspace\` and a canary key written with a TTL and read back.

Added to the document, and why:
- The document's \`redis-cli … CLUSTER FAILOVER\` only works in Redis Cluster mode, on the replica, and needs the
  master to answer; for this primary/replica pair the promotion is \`REPLICAOF NO ONE\` on the replica, verified
  (\`role:master\`) and re-checked with \`ROLE\`.
- "Down" is a refused or timed-out connection, not any error: a wrong password (NOAUTH/WRONGPASS) from a live
  server must never send anyone down the failover or the empty-rebuild path. A replica that answers as master
  (someone promoted it already, or split brain) stops the run.
- A person confirms the primary is really down before anything changes, and confirms the rebuild (cached tokens
  and sessions are lost).
- The clients are repointed explicitly (the Service the applications use as REDIS_HOST, or your command) and
  the Service is checked to select a Ready pod; the document leaves this step out.
- After a rebuild, the replica must re-sync from the rebuilt primary (\`master_link_status:up\`) before the end.
- Verification writes a canary key with a TTL and reads it back: PING alone does not prove the node takes writes.`,
  rto: '1h',
  lockKey: (c) => c.params.redisName,
  params: {
    redisName: param.string({ default: 'payment-redis', description: 'which Redis pair (scopes the one-live-run lock)' }),
    primaryHost: param.string({ default: 'redis-0.redis.payment-system.svc.cluster.local', description: 'host of the failed primary' }),
    primaryPort: param.number({ default: 6379 }),
    replicaHost: param.string({ default: 'redis-1.redis.payment-system.svc.cluster.local', description: 'host of the replica' }),
    replicaPort: param.number({ default: 6379 }),
    redisPassword: param.secret({ env: 'REDIS_PASSWORD', optional: true, description: 'requirepass of both nodes ($REDIS_PASSWORD)' }),
    platform: param.enum(['kubernetes', 'hosts'], { default: 'kubernetes', description: 'where Redis runs: pods labelled app=redis, or hosts with systemd (the restore procedure)' }),
    kubeContext: param.string({ default: 'prod-eu', description: 'kubeconfig context (kubeconfig: KUBECONFIG, else ~/.kube/config)' }),
    namespace: param.string({ default: 'payment-system' }),
    repoint: param.enum(['service', 'command'], { default: 'service', description: 'how clients find the new primary: the Service they use as REDIS_HOST is pointed at its pod, or your command runs' }),
    primaryService: param.string({ default: 'redis-primary', description: 'the Service the applications use as REDIS_HOST (repoint=service)' }),
    replicaPod: param.string({ default: 'redis-1', description: 'pod name of the replica (repoint=service selects it by statefulset.kubernetes.io/pod-name)' }),
    repointCommand: param.string({ optional: true, description: 'repoint=command: a shell command run with NEW_REDIS_HOST and NEW_REDIS_PORT set (e.g. a config push)' }),
    primarySsh: param.string({ default: 'ops@redis-0.internal', description: 'platform=hosts: SSH target of the primary\'s host' }),
    replicaSsh: param.string({ default: 'ops@redis-1.internal', description: 'platform=hosts: SSH target of the replica\'s host' }),
    rdbBucket: param.string({ default: 's3://payment-api-backups/redis/', description: 'where the hourly RDB snapshots are (dump_YYYYMMDD_HH.rdb)' }),
    slackWebhook: param.secret({ env: 'SLACK_WEBHOOK_URL', optional: true, description: 'Slack incoming webhook of #disaster-recovery' }),
  },
})
  .phase('Diagnose')
  .notify('announce', notify.slack((c) => c.params.slackWebhook),
    (c) => `Redis cache failure (${c.params.redisName}): recovery started by ${c.run.operator} (runbook redis-cache-failover, run ${c.run.id}, RTO 1h). Token cache may be unavailable.`,
    { estimate: '5s' })
  .check('redis-pods', 'Redis pods (kubectl get pods -l app=redis)', k8s.pods(cluster, { app: 'redis' }), {
    when: (c) => c.params.platform === 'kubernetes', estimate: '5s',
    description: 'Which pods run, which restart, on which node: the first look the document takes.',
  })
  .check('primary-down', 'The primary does not answer (INFO replication)', redis.info(primary, 'replication'), {
    expect: isDown, timeout: '5s', estimate: '10s',
    description: 'Passes only on a refused or timed-out connection. A primary that answers is not a failover case: its INFO is in the output (look at its memory and latency too); one that answers NOAUTH is alive and the password is wrong.',
  })
  .check('replica-state', 'The replica: a live replica, or down too (INFO replication)', redis.info(replica, 'replication'), {
    expect: (r) => (r.ok ? r.info['role'] === 'slave' : isDown(r)), timeout: '5s', estimate: '10s',
    description: 'A live replica (role:slave) → promote it. Down too (refused, timed out) → rebuild the cache. A replica that answers as master, or with an error (NOAUTH), stops the run: find out first.',
  })
  .confirm('primary-really-down', 'Is the primary really down (its pod or host is gone, or it does not answer from a second location either), not just cut off from here?', {
    estimate: '3m', description: 'Promoting while the old primary still takes writes splits the cache between two masters; rebuilding while it is merely unreachable throws its data away.',
  })
  .phase('Promote the replica')
  .promote('promote-replica', 'Promote the replica (REPLICAOF NO ONE)', redis.promote({ replica, primary, verifyTimeout: '30s' }), {
    when: (c) => replicaUp(c.steps['replica-state']), estimate: '30s',
    description: 'Replication is asynchronous: writes the primary took in its last seconds may be lost (the plan\'s RPO for the cache is 15 minutes). The precheck reports the link state and offset.',
  })
  .check('new-primary-role', 'The promoted node is master (ROLE)', redis.command(replica, 'ROLE'), {
    when: (c) => replicaUp(c.steps['replica-state']), expect: (r) => Array.isArray(r.reply) && r.reply[0] === 'master', estimate: '5s',
  })
  .exec('repoint-service', 'Point the Redis Service at the promoted pod', k8s.apply((c) => cluster(c), (c) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: c.params.primaryService },
    spec: { selector: { app: 'redis', 'statefulset.kubernetes.io/pod-name': c.params.replicaPod } },
  }), { force: true }), {
    when: (c) => replicaUp(c.steps['replica-state']) && c.params.repoint === 'service', estimate: '10s',
    description: 'Server-side apply of the Service\'s selector only (forced: the selector was set by whoever deployed Redis). Clients keep their REDIS_HOST and reconnect to the new primary.',
  })
  .check('service-selects-primary', 'The Service selects one Ready pod: the promoted one', k8s.pods((c) => cluster(c), (c) => ({ app: 'redis', 'statefulset.kubernetes.io/pod-name': c.params.replicaPod })), {
    when: (c) => replicaUp(c.steps['replica-state']) && c.params.repoint === 'service', expect: (r) => r.total === 1 && r.ready === 1, estimate: '5s',
  })
  .exec('repoint-command', 'Repoint the clients (your command)',
    sh`NEW_REDIS_HOST=${(c) => c.params.replicaHost} NEW_REDIS_PORT=${(c) => c.params.replicaPort} sh -c ${(c) => c.params.repointCommand ?? 'echo "repoint=command needs -p repointCommand=…" >&2; exit 2'}`, {
      when: (c) => replicaUp(c.steps['replica-state']) && c.params.repoint === 'command', timeout: '5m', estimate: '1m',
    })
  .phase('Rebuild the cache')
  .confirm('rebuild-cache', 'Both Redis nodes are down: rebuild the cache?', {
    when: (c) => replicaDown(c.steps['replica-state']), estimate: '5m',
    description: 'Cached tokens and sessions are lost; the applications re-create them (clients may have to authenticate again). The plan allows it: "Redis can be rebuilt from scratch as it\'s a cache".',
  })
  .confirm('restore-rdb', 'Restore the last hourly RDB snapshot from S3 rather than start empty?', {
    when: (c) => replicaDown(c.steps['replica-state']) && c.params.platform === 'hosts', onNo: 'continue', estimate: '2m',
    description: 'No: start empty (it is a cache). Yes: the document\'s "Redis Cache Restore" procedure; the snapshot is at most an hour old and saves re-authenticating most clients, at the price of ~10 minutes. On Kubernetes the cache is rebuilt empty, the document\'s alternative.',
  })
  .check('latest-rdb', 'Find the newest RDB snapshot (aws s3 ls)', ssh((c) => c.params.primarySsh)`aws s3 ls ${(c) => c.params.rdbBucket}`, {
    when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value, estimate: '10s',
    parse: (out) => out.split('\n').map((l) => /(dump_\d{8}_\d{2}\.rdb)\s*$/.exec(l)?.[1]).filter((f): f is string => f !== undefined).sort().at(-1) ?? '',
    expect: (file) => file !== '',
  })
  .exec('download-rdb', 'Download the snapshot to the primary\'s host (aws s3 cp)',
    ssh((c) => c.params.primarySsh)`mkdir -p /restore/redis && aws s3 cp ${(c) => `${c.params.rdbBucket}${c.steps['latest-rdb'].value}`} /restore/redis/`, {
      when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value, timeout: '10m', estimate: '2m',
    })
  .exec('stop-redis', 'Stop Redis on the primary\'s host (systemctl stop redis)', ssh((c) => c.params.primarySsh)`sudo systemctl stop redis`, {
    when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value, timeout: '1m', estimate: '10s',
  })
  .exec('replace-rdb', 'Replace dump.rdb with the snapshot',
    ssh((c) => c.params.primarySsh)`sudo cp ${(c) => `/restore/redis/${c.steps['latest-rdb'].value}`} /var/lib/redis/dump.rdb && sudo chown redis:redis /var/lib/redis/dump.rdb`, {
      when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value, estimate: '10s',
    })
  .exec('start-redis', 'Start Redis on the primary\'s host (systemctl start redis)', ssh((c) => c.params.primarySsh)`sudo systemctl start redis`, {
    when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value, timeout: '1m', estimate: '30s',
  })
  .exec('restart-empty', 'Start the primary empty (old dump.rdb kept aside)',
    ssh((c) => c.params.primarySsh)`sudo systemctl stop redis; if [ -f /var/lib/redis/dump.rdb ]; then sudo mv /var/lib/redis/dump.rdb /var/lib/redis/dump.rdb.before-rebuild-$(date +%Y%m%d%H%M%S); fi; sudo systemctl start redis`, {
      when: (c) => c.steps['restore-rdb'].status === 'ok' && !c.steps['restore-rdb'].value, timeout: '2m', estimate: '30s',
      description: 'The old dump is moved aside, not deleted: it may explain the failure.',
    })
  .exec('delete-redis-pods', 'Recreate the Redis pods empty (kubectl delete pods -l app=redis)',
    sh`kubectl delete pods --context ${(c) => c.params.kubeContext} -n ${(c) => c.params.namespace} -l app=redis --wait=false`, {
      when: (c) => replicaDown(c.steps['replica-state']) && c.params.platform === 'kubernetes', timeout: '2m', estimate: '15s',
    })
  .check('redis-pods-ready', 'The Redis pods are back and Ready', k8s.pods(cluster, { app: 'redis' }), {
    when: (c) => replicaDown(c.steps['replica-state']) && c.params.platform === 'kubernetes',
    expect: (r) => r.total >= 2 && r.ready === r.total, waitUntil: { timeout: '10m', interval: '10s' }, estimate: '2m',
  })
  .check('rebuilt-primary-up', 'The rebuilt primary answers (PING)', redis.command(primary, 'PING'), {
    when: (c) => replicaDown(c.steps['replica-state']), expect: (r) => r.reply === 'PONG', waitUntil: { timeout: '5m', interval: '5s' }, estimate: '30s',
  })
  .check('restored-keyspace', 'The snapshot is loaded (redis-cli info keyspace)', redis.info(primary, 'keyspace'), {
    when: (c) => c.steps['restore-rdb'].status === 'ok' && c.steps['restore-rdb'].value,
    parse: (_t, r) => keyCount(r.info), expect: (keys) => keys > 0, estimate: '5s',
  })
  .exec('start-replica', 'Start Redis on the replica\'s host: it re-syncs from the primary', ssh((c) => c.params.replicaSsh)`sudo systemctl start redis`, {
    when: (c) => replicaDown(c.steps['replica-state']) && c.params.platform === 'hosts', timeout: '1m', estimate: '30s',
  })
  .check('replica-resynced', 'The replica follows the rebuilt primary (master_link_status:up)', redis.info(replica, 'replication'), {
    when: (c) => replicaDown(c.steps['replica-state']),
    expect: (r) => r.ok && r.info['role'] === 'slave' && r.info['master_link_status'] === 'up' && r.info['master_sync_in_progress'] === '0',
    waitUntil: { timeout: '10m', interval: '10s' }, estimate: '1m',
  })
  .phase('Verify')
  .check('verify-ping', 'The primary answers (redis-cli PING)', redis.command((c) => active(c, c.steps['replica-state']), 'PING'), {
    expect: (r) => r.reply === 'PONG', retry: { attempts: 3, interval: '5s' }, estimate: '5s',
  })
  .check('verify-keyspace', 'Keyspace of the primary (INFO keyspace)', redis.info((c) => active(c, c.steps['replica-state']), 'keyspace'), {
    parse: (_t, r) => keyCount(r.info), estimate: '5s',
    description: 'For the record: the keys the cache holds now (after a promotion, what the replica had; after an empty rebuild, what the applications wrote since).',
  })
  .exec('canary-write', 'Write a canary key with a 5-minute TTL', redis.command((c) => active(c, c.steps['replica-state']),
    'SET', (c) => `runbook:canary:${c.run.id}`, (c) => c.run.id, 'EX', 300), { expect: (r) => r.reply === 'OK', estimate: '5s' })
  .check('canary-read', 'Read the canary back', redis.command((c) => active(c, c.steps['replica-state']), 'GET', (c) => `runbook:canary:${c.run.id}`), {
    expect: (r, c) => r.reply === c.run.id, estimate: '5s',
  })
  .check('canary-ttl', 'The canary expires (TTL set)', redis.command((c) => active(c, c.steps['replica-state']), 'TTL', (c) => `runbook:canary:${c.run.id}`), {
    expect: (r) => typeof r.reply === 'number' && r.reply > 0 && r.reply <= 300, estimate: '5s',
  })
  .notify('recovered', notify.slack((c) => c.params.slackWebhook), templates.recoveryComplete({
    services: ['Redis cache (token storage)'],
    outcome: (c) => [replicaDown(c.steps['replica-state'])
      ? 'Both nodes were down: cache rebuilt; the replica re-synced from the primary'
      : `Replica ${c.params.replicaHost}:${c.params.replicaPort} promoted to primary; clients repointed (${c.params.repoint})`],
    followUps: ['Rebuild a replica for the new primary (the old primary must come back as its replica, never as a master)', 'Root cause of the primary failure'],
  }), { estimate: '5s' });
