import { createHash } from 'node:crypto';
import { isTemplateMessage, type ActionNode, type ChannelNode, type LazyValue, type NotifyMessage, type RunbookPlan, type SshTargetRef, type StepNode } from '../../dsl/nodes.js';

/**
 * A hash of everything that defines what a step does (kind, title, phase, action with the source of
 * its lazy functions, options). Resume compares them to name the steps edited since a run began.
 */
export function stepFingerprints(plan: RunbookPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const step of plan.steps) out[step.id] = createHash('sha256').update(canonical(step)).digest('hex').slice(0, 16);
  return out;
}

function canonical(step: StepNode): string {
  const o = step.options;
  return JSON.stringify([
    step.kind, step.id, step.title, step.phase ?? null, step.kind === 'confirm' ? null : action(step.action),
    o.timeoutMs, o.retry, o.waitUntil, o.continueOnError, fnText(o.when), o.description, fnText(o.parse),
    o.expect === undefined ? null : o.expect.type === 'fn' ? fnText(o.expect.fn) : o.expect.type === 'regexp' ? String(o.expect.re) : o.expect.value,
    o.interactive, o.onNo,
    // Four eyes only when asked, so fingerprints that journals already hold stay the same.
    ...(o.approvers !== undefined && o.approvers > 1 ? [['approvers', o.approvers, o.approvalTimeoutMs ?? null]] : []),
  ]);
}

function action(a: ActionNode): unknown {
  switch (a.type) {
    case 'sh':
      return ['sh', a.strings, a.parts.map((p) => [p.raw, lazyText(p.value)])];
    case 'fn':
      return ['fn', fnText(a.fn), a.readOnly];
    case 'http': {
      // Newer settings only when used, so fingerprints that journals already hold stay the same.
      const extra = a.expectBody || a.expectJson || a.tls ? [[
        a.expectBody ? (a.expectBody.type === 'text' ? a.expectBody.text : String(a.expectBody.re)) : null,
        a.expectJson ? (a.expectJson.type === 'fn' ? fnText(a.expectJson.fn) : a.expectJson.paths.map((p) => [p.path, p.expected.type === 'fn' ? fnText(p.expected.fn) : p.expected.type === 'regexp' ? String(p.expected.re) : p.expected.value])) : null,
        a.tls ? [a.tls.ca && lazyText(a.tls.ca), a.tls.insecure, a.tls.servername && lazyText(a.tls.servername)] : null,
      ]] : [];
      const headers = Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, lazyText(v)]));
      return ['http', a.method, lazyText(a.url), a.body && lazyText(a.body), headers, a.expectStatus, a.timeoutMs, ...extra];
    }
    case 'redis':
      return ['redis', a.op, withFns(lazyText(a.conn)), a.command, a.args.map((x) => withFns(lazyText(x))), a.readOnly, a.primary && withFns(lazyText(a.primary)), a.timeoutMs];
    case 'k8s': {
      const { type, target, readOnly, op, ...rest } = a;
      return ['k8s', op, withFns(lazyText(target)), readOnly, Object.entries(rest).map(([k, v]) => [k, isLazy(v) ? withFns(lazyText(v)) : v])];
    }
    case 'promote':
      return ['promote', a.driver, action(a.precheck), a.fence && action(a.fence), action(a.action), action(a.verify)];
    case 'pg':
      return ['pg', a.op, withFns(lazyText(a.conn)), a.sql, a.params && withFns(lazyText(a.params)), a.readOnly, a.primary && withFns(lazyText(a.primary)), a.maxLagBytes && lazyText(a.maxLagBytes)];
    case 'patroni':
      return ['patroni', a.op, a.operation, lazyText(a.api), ...[a.leader, a.candidate, a.scheduledAt, a.maxLagBytes].map((v) => v && lazyText(v)), a.timeoutMs];
    case 'ssh':
      return ['ssh', sshTarget(a.target), action(a.command)];
    case 'ssh-each':
      return ['ssh-each', a.hosts.lazy ? fnText(a.hosts.fn) : a.hosts.targets.map(sshTarget), a.command.perHost ? fnText(a.command.fn) : action(a.command.sh), a.concurrency, a.batch, a.maxFailures];
    case 'notify':
      return ['notify', a.channel.type, 'path' in a.channel ? lazyText(a.channel.path) : 'url' in a.channel && a.channel.url ? lazyText(a.channel.url) : null, messageText(a.message), ...channelExtra(a.channel)];
    default:
      // Every action type must be fingerprinted, or resume would not notice its edits.
      return a satisfies never;
  }
}

function isLazy(v: unknown): v is LazyValue {
  return typeof v === 'object' && v !== null && 'lazy' in v && typeof (v as { lazy: unknown }).lazy === 'boolean';
}

function sshTarget(t: SshTargetRef): unknown {
  if (t.lazy) return fnText(t.fn);
  const n = t.target;
  return [n.host, n.port, n.user, n.privateKey, n.passphrase, n.agent, n.knownHosts, n.name].map((v) => v && lazyText(v)).concat([n.jumpHost && sshTarget(n.jumpHost)]);
}

function messageText(m: NotifyMessage): unknown {
  return isTemplateMessage(m) ? [m.template, Object.entries(m.fields).map(([k, v]) => [k, lazyText(v)]), m.nextUpdateMs ?? null] : lazyText(m);
}

/** Settings of the newer channels; none for console, file and a plain webhook, whose fingerprints journals already hold. */
function channelExtra(ch: ChannelNode): unknown[] {
  switch (ch.type) {
    case 'slack':
      return [[ch.channel ?? null, ch.username ?? null]];
    case 'pagerduty':
      return [[lazyText(ch.routingKey), ch.action, ch.severity, ch.source ? lazyText(ch.source) : null]];
    case 'webhook':
      return ch.hmacSecret ? [['hmac', lazyText(ch.hmacSecret)]] : [];
    default:
      return [];
  }
}

/** A literal object or array whose items may be lazy (`{ host, password: c => … }`, `[c => …, 42]`): functions by their source. */
function withFns(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x: unknown) => (typeof x === 'function' ? fnText(x as () => unknown) : x));
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'function' ? fnText(x as () => unknown) : x]));
}

function lazyText(v: LazyValue): unknown {
  return v.lazy ? fnText(v.fn) : v.value;
}

function fnText(f: ((...a: never[]) => unknown) | undefined): string | null {
  return f === undefined ? null : f.toString().replace(/\s+/g, ' ');
}
