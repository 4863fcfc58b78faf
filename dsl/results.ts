/** What a local or remote command produced. Failures to start or time out are data here, not exceptions. */
export interface ExecResult {
  readonly ok: boolean;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Why the command did not run or did not finish (spawn error, timeout, abort). */
  readonly error?: string;
}

/** A command run over SSH. Connection, host-key and auth failures are in `error` (exitCode null). */
export interface SshResult extends ExecResult {
  /** The target's alias, else `user@host:port`. */
  readonly host: string;
}

/** One host of an `ssh.each` fan-out. A skipped host never started (too many failures before it). */
export interface SshHostResult extends SshResult {
  readonly status: 'ok' | 'failed' | 'skipped';
  /** Which batch it belonged to, from 1. */
  readonly batch: number;
}

/** `ssh.each`: ok when every host ran and succeeded. `failed` and `skipped` list host names. */
export interface FanOutResult {
  readonly ok: boolean;
  readonly hosts: readonly SshHostResult[];
  readonly failed: readonly string[];
  readonly skipped: readonly string[];
  readonly durationMs: number;
}

/** An HTTP exchange. Connection refused, DNS failure and timeouts are reported in `error`, not thrown. */
export interface HttpResult {
  readonly ok: boolean;
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  readonly json: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  /** What differed from the expectations (status, body, JSON paths), one line each, e.g. `$.status was "DOWN", expected "UP"`. */
  readonly mismatches?: readonly string[];
  /** The body was longer than the limit (1 MiB) and was cut there. */
  readonly bodyTruncated?: boolean;
}

/** The outcome of each stage of a promotion. */
export interface PromoteResult {
  readonly ok: boolean;
  /** The stage that failed, if any. */
  readonly failedStage?: 'precheck' | 'fence' | 'action' | 'verify';
  readonly stages: Readonly<Partial<Record<'precheck' | 'fence' | 'action' | 'verify', { ok: boolean; text: string; result?: unknown }>>>;
  /** Built-in drivers report who was primary before and after (a target with its password masked, or a member name). */
  readonly oldPrimary?: string | null;
  readonly newPrimary?: string | null;
}

export interface NotifyResult {
  readonly ok: boolean;
  readonly channel: string;
  readonly message: string;
  readonly error?: string;
  /** HTTP channels: the receiver's status code. */
  readonly status?: number;
  /** PagerDuty: the event's dedup key (the run id), shared by trigger and resolve. */
  readonly dedupKey?: string;
}

export interface ConfirmResult {
  readonly answer: boolean;
  readonly by: string;
  readonly auto: boolean;
}

/** A Redis reply. Refused connections, timeouts, auth and command errors are in `error`, not thrown. */
export interface RedisResult {
  readonly ok: boolean;
  /** The server, password masked: `redis://:***@10.0.0.5:6379`. */
  readonly target: string;
  /** The command as sent, e.g. `INFO replication`. */
  readonly command: string;
  /** The reply as ioredis returns it (string, number, array, null). */
  readonly reply: unknown;
  /** The reply as text (arrays one item a line). */
  readonly text: string;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** `INFO [section]` parsed: `info.role`, `info.master_link_status`, … (every `key:value` line). */
export interface RedisInfoResult extends RedisResult {
  readonly info: Readonly<Record<string, string>>;
}

/** `redis.promote`: the promotion, stage by stage, the old → new primary and the replica's link state before. */
export interface RedisPromoteResult extends PromoteResult {
  readonly driver: 'redis';
  /** The replica's master before (from its INFO, `redis://host:port`), else the `primary` given; password masked. */
  readonly oldPrimary: string | null;
  /** The promoted replica, once verify saw `role:master`. */
  readonly newPrimary: string | null;
  readonly roleBefore: string | null;
  readonly roleAfter: string | null;
  /** The replica's replication state found by the precheck. */
  readonly before: RedisReplicaState | null;
}

/** What `redis.promote`'s precheck found on the replica before anything changed. */
export interface RedisReplicaState {
  readonly target: string;
  readonly role: string;
  readonly masterHost: string | null;
  readonly masterPort: number | null;
  readonly masterLinkStatus: string | null;
  readonly masterLastIoSecondsAgo: number | null;
  readonly masterSyncInProgress: boolean | null;
  readonly offset: number | null;
  /** The primary's `master_repl_offset`, when `primary` was given and answered. */
  readonly primaryOffset: number | null;
  /** primaryOffset − offset, when both are known. */
  readonly lagBytes: number | null;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A PostgreSQL statement. Refused, DNS, auth failures and timeouts are in `error`, not thrown. */
export interface PgResult {
  readonly ok: boolean;
  /** Where it ran, password masked: `postgres://ops:***@10.0.0.2:5432/app`. */
  readonly target: string;
  readonly sql: string;
  /** At most 1000 rows (`rowCount` has the full count). */
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly rowCount: number | null;
  /** The command tag: SELECT, INSERT, CREATE… */
  readonly command: string | null;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** `code`: the SQLSTATE (28P01 bad password, 57014 statement timeout…) or ECONNREFUSED, ENOTFOUND, ETIMEDOUT, EABORTED. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A pg helper's answer: the result plus its `value` (null when the query failed). */
export interface PgValueResult<T> extends PgResult {
  readonly value: T | null;
}

/** One replica as its primary sees it in pg_stat_replication. Lag bytes are from pg_current_wal_lsn(). */
export interface PgReplica {
  readonly applicationName: string;
  readonly clientAddr: string | null;
  readonly state: string;
  readonly syncState: string;
  readonly sentLagBytes: number | null;
  readonly writeLagBytes: number | null;
  readonly flushLagBytes: number | null;
  readonly replayLagBytes: number | null;
  readonly replayLagSeconds: number | null;
}

/** `pg.replicationLag`: on a standby its own lag; on a primary, its replicas'. */
export interface PgReplicationLag {
  readonly role: 'standby' | 'primary';
  /** Standby: WAL received but not replayed. Primary: the largest replay lag of its replicas (null with none). */
  readonly bytes: number | null;
  /** Standby: seconds since the last replayed transaction (0 when all received WAL is replayed). Primary: the largest replay_lag. */
  readonly seconds: number | null;
  /** Standby: its WAL receiver is streaming. Primary: false. */
  readonly receiving: boolean;
  /** Standby: pg_stat_wal_receiver (status, upstream, timeline); null on a primary or with no receiver. */
  readonly receiver: { readonly status: string | null; readonly senderHost: string | null; readonly senderPort: number | null; readonly timeline: number | null } | null;
  readonly replayPaused: boolean;
  /** Primary: one entry per replica; empty on a standby. */
  readonly replicas: readonly PgReplica[];
}

/** `pg.promote`: the promotion, stage by stage, and the topology before and after. */
export interface PgPromoteResult extends PromoteResult {
  readonly driver: 'postgres';
  /** The old primary: the `primary` target, else the standby's upstream (host:port); masked. */
  readonly oldPrimary: string | null;
  readonly newPrimary: string | null;
  readonly timelineBefore: number | null;
  readonly timelineAfter: number | null;
  /** The lag measured by the precheck, the figure held against `maxLagBytes`. */
  readonly lagBytesAtPromote: number | null;
  /** `primary`: its pg_current_wal_lsn() − the standby's replay LSN; `standby`: received − replayed (the primary was not reachable or not given). */
  readonly lagMeasuredOn: 'primary' | 'standby' | null;
}

/** One Patroni member as GET /cluster lists it. */
export interface PatroniMember {
  readonly name: string;
  /** leader, replica, sync_standby, standby_leader. */
  readonly role: string;
  /** running, streaming, starting, stopped… */
  readonly state: string;
  readonly host: string | null;
  readonly port: number | null;
  readonly apiUrl: string | null;
  readonly timeline: number | null;
  /** Bytes behind the leader; `unknown` when Patroni does not know; null for the leader. */
  readonly lag: number | 'unknown' | null;
}

/** `patroni.cluster`: GET /cluster, from the first node that answered. */
export interface PatroniClusterResult {
  readonly ok: boolean;
  /** The URL that answered (or the last one tried), credentials masked. */
  readonly url: string;
  readonly status: number | null;
  readonly members: readonly PatroniMember[];
  readonly leader: string | null;
  /** The leader's timeline. */
  readonly timeline: number | null;
  readonly paused: boolean;
  readonly scheduledSwitchover: { readonly at: string; readonly from: string | null; readonly to: string | null } | null;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** `patroni.switchover` / `patroni.failover`: stages, Patroni's answer, and the leaders and timelines before and after. */
export interface PatroniPromoteResult extends PromoteResult {
  readonly driver: 'patroni';
  readonly operation: 'switchover' | 'failover';
  /** The leader before (member name). */
  readonly oldPrimary: string | null;
  /** The leader after (member name). */
  readonly newPrimary: string | null;
  readonly timelineBefore: number | null;
  readonly timelineAfter: number | null;
  /** What Patroni answered to the POST (e.g. `Successfully switched over to "pg1"`), or its refusal. */
  readonly message: string | null;
  /** Set when the switchover was scheduled rather than done now. */
  readonly scheduledAt: string | null;
}

/** A Kubernetes failure as data: the API's Status (`code` its reason: NotFound, Conflict, Forbidden…) or a transport error (ECONNREFUSED…). */
export interface K8sError {
  readonly code: string;
  /** The HTTP status, when the API answered. */
  readonly status: number | null;
  /** The API's own message (`deployments.apps "eapi" not found`), or the transport's. */
  readonly message: string;
}

/** What every Kubernetes result has: where it went and what was called. */
export interface K8sCallResult {
  readonly ok: boolean;
  /** The kubeconfig context used. */
  readonly context: string;
  readonly namespace: string;
  /** The API call, e.g. `PATCH /apis/apps/v1/namespaces/payments/deployments/eapi/scale`. */
  readonly call: string;
  readonly durationMs: number;
  readonly error?: K8sError;
}

export interface K8sDeploymentStatus {
  readonly name: string;
  readonly namespace: string;
  readonly generation: number | null;
  readonly observedGeneration: number | null;
  /** spec.replicas: what is wanted. */
  readonly replicas: number;
  /** status.replicas: what exists, old and new. */
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  readonly updatedReplicas: number;
  readonly availableReplicas: number;
  readonly unavailableReplicas: number;
  readonly conditions: readonly { readonly type: string; readonly status: string; readonly reason: string | null; readonly message: string | null }[];
  /** kubectl rollout status's verdict now. */
  readonly rolledOut: boolean;
  /** kubectl rollout status's message now (`Waiting for deployment "eapi" rollout to finish: 1 of 3 updated replicas are available...`). */
  readonly rollout: string;
}

export interface K8sDeploymentResult extends K8sCallResult {
  readonly deployment: K8sDeploymentStatus | null;
}

export interface K8sDeploymentsResult extends K8sCallResult {
  readonly deployments: readonly K8sDeploymentStatus[];
}

export interface K8sRolloutResult extends K8sCallResult {
  readonly deployment: K8sDeploymentStatus | null;
  /** How many times the deployment was read. */
  readonly polls: number;
  readonly timedOut: boolean;
}

export interface K8sScaleResult extends K8sCallResult {
  readonly name: string;
  /** spec.replicas after the call. */
  readonly replicas: number | null;
}

export interface K8sRestartResult extends K8sCallResult {
  readonly name: string;
  /** The annotation's value (RFC 3339). */
  readonly restartedAt: string;
  readonly generation: number | null;
}

export interface K8sPod {
  readonly name: string;
  readonly phase: string;
  /** The pod's Ready condition. */
  readonly ready: boolean;
  readonly readyContainers: number;
  readonly containers: number;
  readonly restarts: number;
  readonly node: string | null;
}

export interface K8sPodsResult extends K8sCallResult {
  readonly selector: string;
  readonly pods: readonly K8sPod[];
  readonly ready: number;
  readonly total: number;
}

export interface K8sExecResult extends K8sCallResult {
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  /** From the API's closing status; null when it never came (timeout, refused). */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
}

export interface K8sAppliedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly ok: boolean;
  readonly call: string;
  readonly resourceVersion: string | null;
  readonly generation: number | null;
  readonly error?: K8sError;
}

export interface K8sApplyResult extends K8sCallResult {
  readonly objects: readonly K8sAppliedObject[];
}
