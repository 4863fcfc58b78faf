import type { ActionNode, ActionType, LazyValue, PromoteNode, RuntimeCtx } from '../../dsl/nodes.js';
import type { ExecResult, FanOutResult, HttpResult, NotifyResult, PgResult, PromoteResult, RedisResult, SshHostResult, SshResult } from '../../dsl/results.js';
import { renderK8s } from '../adapters/k8s/describe.js';
import { renderConnValue } from '../adapters/pg/describe.js';
import { commandText, resolveArgs, resolveConn } from '../adapters/redis/describe.js';
import { maskUrl } from '../render/mask.js';
import { resolveHosts, resolveTarget, sshCommandText, targetLabel } from '../render/ssh.js';
import { resolve } from '../engine/context.js';
import { renderAction } from '../render/render.js';
import { messageText, type TemplateRun } from '../render/template-text.js';

/** What the scenario decided for one call of an action. */
export interface SimFacts {
  readonly ok: boolean;
  readonly output: string | undefined;
  readonly error: string | undefined;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly redact: (s: string) => string;
  /** The run so far (simulated clock), for templates that report progress. */
  readonly run: TemplateRun;
}

type Simulator<N extends ActionNode> = (node: N, c: RuntimeCtx, f: SimFacts) => unknown;
/** Every action type has a simulator: TypeScript refuses a new type until it gets one. */
type SimTable = { [T in ActionType]: Simulator<Extract<ActionNode, { type: T }>> };

/**
 * Plausible results per action type, shaped like the live adapters' results so later steps and
 * reports read them the same way. Nothing here can reach a system: they only build data (the
 * describe/render helpers they use are pure text).
 */
const simulators: SimTable = {
  sh: (node, c, f): ExecResult => exec(text(node, c).replace(/^sh: /, ''), f),
  ssh: (node, c, f): SshResult => {
    const host = safe(() => targetLabel(resolveTarget(node.target, c, 'ssh target', true)));
    return { ...exec(safe(() => sshCommandText(node.command, c)), f), host };
  },
  'ssh-each': (node, c, f): FanOutResult => {
    const targets = (() => {
      try {
        const t = resolveHosts(node, c, true);
        return typeof t === 'string' ? [] : t;
      } catch {
        return [];
      }
    })();
    // A scripted failure fails the first host; the rest run (the scenario plays the step, not each host).
    const hosts: SshHostResult[] = targets.map((t, i) => {
      const ok = f.ok || i > 0;
      return { ...exec('', { ...f, ok, error: ok ? undefined : f.error }), host: targetLabel(t), status: ok ? 'ok' : 'failed', batch: 1 };
    });
    return { ok: f.ok, hosts, failed: hosts.filter((h) => h.status === 'failed').map((h) => h.host), skipped: [], durationMs: f.durationMs };
  },
  fn: (_node, _c, f) => ({ ok: f.ok, simulated: true, ...(f.error ? { error: f.error } : {}) }),
  http: (node, c, f): HttpResult => {
    const body = f.output ?? '';
    return {
      ok: f.ok, method: node.method, url: safe(() => maskUrl(String(resolve(node.url, c, 'http url')))), status: f.timedOut ? null : f.ok ? (node.expectStatus?.[0] ?? 200) : 503,
      body, json: json(body), headers: {}, durationMs: f.durationMs, timedOut: f.timedOut,
      ...(f.error ? { error: { code: f.timedOut ? 'ETIMEDOUT' : 'ESIMULATED', message: f.error } } : {}),
    };
  },
  promote: (node, c, f): PromoteResult => {
    const stages: Record<string, { ok: boolean; text: string }> = {};
    const order = ['precheck', 'fence', 'action', 'verify'] as const;
    const failedStage = f.ok ? undefined : 'precheck';
    for (const stage of order) {
      if (stage === 'fence' && !node.fence) continue;
      const action = stage === 'fence' ? node.fence! : node[stage];
      stages[stage] = { ok: f.ok, text: `simulated: ${renderAction(action, c).split('\n')[0]}` };
      if (!f.ok) break;
    }
    const topology = primaries(node, c);
    return {
      ok: f.ok, stages, ...(failedStage ? { failedStage } : {}),
      ...(topology ? { oldPrimary: topology.old, newPrimary: f.ok ? topology.next : topology.old } : {}),
      ...(node.driver === 'custom' ? {} : { driver: node.driver }),
    } as PromoteResult;
  },
  notify: (node, c, f): NotifyResult => ({
    ok: f.ok, channel: node.channel.type, message: f.redact(safe(() => messageText(node, c, f.run))), simulated: true,
    ...(f.error ? { error: f.error } : {}),
  } as NotifyResult),
  pg: (node, c, f): PgResult & { value?: unknown } => {
    const base: PgResult = {
      ok: f.ok, target: safe(() => renderConnValue(node.conn, c)), sql: node.sql, rows: [], rowCount: 0,
      command: node.readOnly ? 'SELECT' : null, durationMs: f.durationMs, timedOut: f.timedOut,
      ...(f.error ? { error: { code: f.timedOut ? 'ETIMEDOUT' : 'ESIMULATED', message: f.error } } : {}),
    };
    if (node.op === 'in-recovery') return { ...base, value: f.ok };
    if (node.op === 'replication-lag') {
      return { ...base, value: { role: 'standby', bytes: 0, seconds: 0, receiving: true, receiver: null, replayPaused: false, replicas: [] } };
    }
    return base;
  },
  patroni: (node, c, f) => ({
    ok: f.ok, url: safe(() => maskUrl(String([resolve(node.api, c, 'patroni api')].flat()[0]))), status: f.ok ? 200 : 503, members: [], leader: null,
    timeline: null, paused: false, scheduledSwitchover: null, durationMs: f.durationMs, simulated: true, ...(f.error ? { error: { code: 'ESIMULATED', message: f.error } } : {}),
  }),
  redis: (node, c, f): RedisResult => {
    const reply = f.output ?? (node.command === 'PING' ? 'PONG' : 'OK');
    return {
      ok: f.ok, target: safe(() => resolveConn(node.conn, c, 'redis').text), command: safe(() => commandText(node.command, resolveArgs(node, c))),
      reply, text: String(reply), durationMs: f.durationMs, ...(f.error ? { error: { code: 'ESIMULATED', message: f.error } } : {}),
    };
  },
  k8s: (node, c, f) => {
    const call = safe(() => renderK8s(node, c));
    const base = { ok: f.ok, context: 'simulated', namespace: 'simulated', call, durationMs: f.durationMs, simulated: true, ...(f.error ? { error: { code: 'ESIMULATED', status: null, message: f.error } } : {}) };
    switch (node.op) {
      case 'deployment':
      case 'wait-for-rollout':
        return { ...base, deployment: null, polls: 1, timedOut: f.timedOut };
      case 'deployments':
        return { ...base, deployments: [] };
      case 'pods':
        return { ...base, pods: [] };
      case 'exec':
        return { ...base, stdout: f.output ?? '', stderr: f.ok ? '' : (f.error ?? ''), exitCode: f.ok ? 0 : 1 };
      default:
        return base;
    }
  },
};

/** Who was primary before and who after, for the built-in drivers (targets masked). */
function primaries(node: PromoteNode, c: RuntimeCtx): { old: string | null; next: string | null } | undefined {
  const p = node.precheck;
  const value = (v: LazyValue | undefined): string | null => (v === undefined ? null : safe(() => String(resolve(v, c, 'target'))));
  if (p.type === 'pg') return { old: p.primary ? safe(() => renderConnValue(p.primary!, c)) : null, next: safe(() => renderConnValue(p.conn, c)) };
  if (p.type === 'redis') return { old: p.primary ? safe(() => resolveConn(p.primary!, c, 'redis').text) : null, next: safe(() => resolveConn(p.conn, c, 'redis').text) };
  if (p.type === 'patroni') return { old: value(p.leader), next: value(p.candidate) };
  return undefined;
}

export function simulate(node: ActionNode, c: RuntimeCtx, f: SimFacts): unknown {
  return (simulators[node.type] as Simulator<ActionNode>)(node, c, f);
}

function exec(command: string, f: SimFacts): ExecResult {
  return {
    ok: f.ok, command: f.redact(command), exitCode: f.timedOut ? null : f.ok ? 0 : 1, signal: f.timedOut ? 'SIGKILL' : null,
    stdout: f.output ?? '', stderr: f.ok ? '' : (f.error ?? ''), durationMs: f.durationMs, timedOut: f.timedOut,
    ...(f.error ? { error: f.error } : {}),
  };
}

function text(node: ActionNode, c: RuntimeCtx): string {
  return renderAction(node, c);
}

function safe(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `<${e instanceof Error ? e.message : String(e)}>`;
  }
}

function json(body: string): unknown {
  if (!/^\s*[[{]/.test(body)) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
