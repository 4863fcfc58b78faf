/**
 * The plan as data. Builders produce these frozen nodes; the interpreter, the dry-run renderer
 * and (later) the simulator and static analyser are each one handler table over `kind` / `type`.
 */
import type { Ctx, StepOutput } from './context.js';
import type { ParamSpec } from './params.js';

/** The context a lazy function receives at run time, seen from the untyped side. */
export type RuntimeCtx = Ctx<Readonly<Record<string, unknown>>, Readonly<Record<string, StepOutput<unknown, unknown>>>>;
export type LazyFn = (c: RuntimeCtx) => unknown;
/** A value in a node: either known now or computed when the step runs. */
export type LazyValue = { readonly lazy: false; readonly value: unknown } | { readonly lazy: true; readonly fn: LazyFn };

/** One interpolation in an `sh` template. */
export type ShPart = { readonly raw: boolean; readonly value: LazyValue };

export interface ShNode {
  readonly type: 'sh';
  readonly strings: readonly string[];
  readonly parts: readonly ShPart[];
}

/** An SSH target; each field known now or computed when the step runs. */
export interface SshTargetNode {
  readonly host: LazyValue;
  readonly port: LazyValue | undefined;
  readonly user: LazyValue | undefined;
  /** Key text or a path; never rendered. */
  readonly privateKey: LazyValue | undefined;
  readonly passphrase: LazyValue | undefined;
  readonly agent: LazyValue | undefined;
  readonly knownHosts: LazyValue | undefined;
  readonly jumpHost: SshTargetRef | undefined;
  readonly name: LazyValue | undefined;
}

/** A target written out (fields may be lazy), or `c => target` computed whole at run time. */
export type SshTargetRef = { readonly lazy: false; readonly target: SshTargetNode } | { readonly lazy: true; readonly fn: LazyFn };

/** `ssh(target)\`command\``. */
export interface SshNode {
  readonly type: 'ssh';
  readonly target: SshTargetRef;
  readonly command: ShNode;
}

/** `ssh.each(hosts, command, { concurrency, batch, maxFailures })`. */
export interface SshEachNode {
  readonly type: 'ssh-each';
  readonly hosts: { readonly lazy: false; readonly targets: readonly SshTargetRef[] } | { readonly lazy: true; readonly fn: LazyFn };
  /** One `sh` template for every host, or a function of the host returning one. */
  readonly command: { readonly perHost: false; readonly sh: ShNode } | { readonly perHost: true; readonly fn: (host: never) => unknown };
  readonly concurrency: number | undefined;
  readonly batch: number | undefined;
  readonly maxFailures: number | undefined;
}

export interface FnNode {
  readonly type: 'fn';
  readonly fn: LazyFn;
  readonly readOnly: boolean;
  readonly label: string | undefined;
}

export interface HttpNode {
  readonly type: 'http';
  readonly method: 'GET' | 'POST';
  readonly url: LazyValue;
  readonly body: LazyValue | undefined;
  /** Each header value known now or computed when the request is made (`Authorization: c => …`). */
  readonly headers: Readonly<Record<string, LazyValue>>;
  readonly expectStatus: readonly number[] | undefined;
  readonly timeoutMs: number | undefined;
  /** The body must contain this text or match this RegExp. */
  readonly expectBody: { readonly type: 'text'; readonly text: string } | { readonly type: 'regexp'; readonly re: RegExp } | undefined;
  /** JSON-path expectations (parsed at build time), or a predicate on the parsed body. */
  readonly expectJson:
    | { readonly type: 'paths'; readonly paths: readonly JsonPathExpectation[] }
    | { readonly type: 'fn'; readonly fn: (json: unknown) => unknown }
    | undefined;
  /** Custom CA (PEM text or file path), skipped verification, or the name the certificate must carry. */
  readonly tls: { readonly ca: LazyValue | undefined; readonly insecure: boolean; readonly servername: LazyValue | undefined } | undefined;
}

/** One segment of a JSON path: an object key or an array index. */
export type JsonPathSegment = string | number;

/** `'$.checks[0].ok': true` as data: the path as written, its segments, and what the value must be. */
export interface JsonPathExpectation {
  readonly path: string;
  readonly segments: readonly JsonPathSegment[];
  /** A value compared for deep equality, a RegExp tested on a string value, or a predicate on the value. */
  readonly expected: { readonly type: 'value'; readonly value: unknown } | { readonly type: 'regexp'; readonly re: RegExp } | { readonly type: 'fn'; readonly fn: (value: unknown) => unknown };
}

/** A Redis command; `promote-*` are the stages of `redis.promote` (ROLE/INFO before, INFO polled after). */
export interface RedisNode {
  readonly type: 'redis';
  readonly op: 'command' | 'info' | 'promote-precheck' | 'promote-verify';
  readonly conn: LazyValue;
  /** Upper-case command name; `args` follow it. */
  readonly command: string;
  readonly args: readonly LazyValue[];
  /** From the allowlist of read-only commands (PING, INFO, GET, CONFIG GET…), decided when the runbook is built. */
  readonly readOnly: boolean;
  /** promote-precheck: the old primary, for the replica's lag (optional). */
  readonly primary: LazyValue | undefined;
  /** promote-verify: how long to poll for role:master. */
  readonly timeoutMs: number | undefined;
}

/** A Kubernetes API call on a cluster target (`{ kubeconfig?, context?, namespace? }`, lazy); `readOnly` for the reads. */
export type K8sNode = { readonly type: 'k8s'; readonly target: LazyValue; readonly readOnly: boolean } & (
  | { readonly op: 'deployment' | 'rollout-restart'; readonly name: LazyValue }
  | { readonly op: 'deployments'; readonly selector: LazyValue | undefined }
  | { readonly op: 'wait-for-rollout'; readonly name: LazyValue; readonly timeoutMs: number; readonly intervalMs: number }
  | { readonly op: 'scale'; readonly name: LazyValue; readonly replicas: LazyValue }
  | { readonly op: 'pods'; readonly selector: LazyValue }
  | { readonly op: 'exec'; readonly pod: LazyValue; readonly container: LazyValue; readonly command: LazyValue }
  | { readonly op: 'apply'; readonly manifests: LazyValue; readonly force: boolean }
);

/**
 * A PostgreSQL statement or helper. `readOnly` ones run inside BEGIN READ ONLY … ROLLBACK. The
 * `promote-*` ops are the stages of `pg.promote` (precheck → pg_promote → verify).
 */
export interface PgNode {
  readonly type: 'pg';
  readonly op: 'query' | 'exec' | 'in-recovery' | 'replication-lag' | 'promote-precheck' | 'promote' | 'promote-verify';
  /** A DSN string or a `{ host, port, user, password, database }` object (its fields may be lazy). */
  readonly conn: LazyValue;
  /** The statement, exactly as run (helpers: their fixed SQL). Values go in `params` ($1, $2…), never into the text. */
  readonly sql: string;
  readonly params: LazyValue | undefined;
  readonly readOnly: boolean;
  /** promote-precheck: the old primary, to measure the lag from (optional). */
  readonly primary: LazyValue | undefined;
  /** promote-precheck: refuse when the standby is more than this many bytes behind. */
  readonly maxLagBytes: LazyValue | undefined;
}

/** A call to the Patroni REST API; `precheck`, `request` and `verify` are the stages of a switchover or failover. */
export interface PatroniNode {
  readonly type: 'patroni';
  readonly op: 'cluster' | 'precheck' | 'request' | 'verify';
  readonly operation: 'switchover' | 'failover' | undefined;
  /** Base URL(s) of the nodes' REST APIs, tried in order. */
  readonly api: LazyValue;
  readonly leader: LazyValue | undefined;
  readonly candidate: LazyValue | undefined;
  readonly scheduledAt: LazyValue | undefined;
  /** precheck: the candidate's lag bound; default maximum_lag_on_failover from GET /config. */
  readonly maxLagBytes: LazyValue | undefined;
  /** verify: how long to poll GET /cluster; else the request timeout. */
  readonly timeoutMs: number | undefined;
  readonly readOnly: boolean;
}

export interface PromoteNode {
  readonly type: 'promote';
  readonly driver: 'custom' | 'redis' | 'postgres' | 'patroni';
  readonly precheck: ActionNode;
  readonly fence: ActionNode | undefined;
  readonly action: ActionNode;
  readonly verify: ActionNode;
}

export type ChannelNode =
  | { readonly type: 'console' }
  | { readonly type: 'file'; readonly path: LazyValue }
  | {
      readonly type: 'webhook'; readonly url: LazyValue; readonly headers: Readonly<Record<string, string>>;
      /** When set, the body is signed (X-Runbook-Timestamp, X-Runbook-Signature: sha256=…). */
      readonly hmacSecret: LazyValue | undefined;
    }
  | { readonly type: 'slack'; readonly url: LazyValue; readonly channel: string | undefined; readonly username: string | undefined }
  | {
      readonly type: 'pagerduty'; readonly routingKey: LazyValue; readonly action: 'trigger' | 'resolve';
      readonly severity: 'critical' | 'error' | 'warning' | 'info'; readonly source: LazyValue | undefined; readonly url: LazyValue | undefined;
    };

/** A communication template from the DR plan, filled from the run when the step runs. */
export interface TemplateNode {
  readonly type: 'template';
  readonly template: 'declaration' | 'status-update' | 'recovery-complete';
  /** Fields as written (services, impact, …), each known now or computed from the run context. */
  readonly fields: Readonly<Record<string, LazyValue>>;
  readonly nextUpdateMs: number | undefined;
}

/** A notify step's message: text (known now or `c => string`) or a template. */
export type NotifyMessage = LazyValue | TemplateNode;

export function isTemplateMessage(m: NotifyMessage): m is TemplateNode {
  return 'type' in m && m.type === 'template';
}

export interface NotifyNode {
  readonly type: 'notify';
  readonly channel: ChannelNode;
  readonly message: NotifyMessage;
}

export type ActionNode = ShNode | FnNode | HttpNode | PromoteNode | NotifyNode | RedisNode | PgNode | PatroniNode | SshNode | SshEachNode | K8sNode;
export type ActionType = ActionNode['type'];

export interface RetryPolicy {
  readonly attempts: number;
  readonly intervalMs: number;
  readonly backoff: number;
}

/** Options every step may carry, in their normalised form. */
export interface StepOptionsNode {
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly waitUntil: { readonly timeoutMs: number; readonly intervalMs: number } | undefined;
  readonly continueOnError: boolean;
  readonly when: LazyFn | undefined;
  readonly estimateMs: number | undefined;
  readonly description: string | undefined;
  readonly parse: ((text: string, result: unknown) => unknown) | undefined;
  /** A predicate, a RegExp tested against the output text, or a value compared for deep equality. */
  readonly expect: { readonly type: 'fn'; readonly fn: (value: unknown, c: RuntimeCtx) => unknown } | { readonly type: 'regexp'; readonly re: RegExp } | { readonly type: 'value'; readonly value: unknown } | undefined;
  readonly interactive: boolean;
  /** confirm only: what a "no" does. */
  readonly onNo: 'abort' | 'continue';
  /**
   * Four-eyes: how many different operators must say yes, the one running the step included (1: just
   * them). `confirm(…, { approvers: 2 })`, or `promote(…, { requireSecondOperator: true })` (= 2).
   */
  readonly approvers?: number;
  /** How long the step waits for the other operators' approval (`approvalTimeout`). */
  readonly approvalTimeoutMs?: number | undefined;
}

interface StepBase {
  readonly id: string;
  readonly title: string;
  readonly phase: string | undefined;
  readonly index: number;
  readonly options: StepOptionsNode;
}

export interface CheckStep extends StepBase { readonly kind: 'check'; readonly action: ActionNode }
export interface ConfirmStep extends StepBase { readonly kind: 'confirm' }
export interface ExecStep extends StepBase { readonly kind: 'exec'; readonly action: ActionNode }
export interface PromoteStep extends StepBase { readonly kind: 'promote'; readonly action: ActionNode }
export interface NotifyStep extends StepBase { readonly kind: 'notify'; readonly action: NotifyNode }

export type StepNode = CheckStep | ConfirmStep | ExecStep | PromoteStep | NotifyStep;
export type StepKind = StepNode['kind'];

export interface RunbookPlan {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly rtoMs: number | undefined;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly lockKey: LazyValue | undefined;
  readonly steps: readonly StepNode[];
}

export function lazy(value: unknown): LazyValue {
  return typeof value === 'function' ? Object.freeze({ lazy: true, fn: value as LazyFn }) : Object.freeze({ lazy: false, value });
}
