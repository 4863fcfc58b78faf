import { isTemplateMessage, type ActionNode, type ActionType, type ChannelNode, type HttpNode, type RuntimeCtx, type StepNode } from '../../dsl/nodes.js';
import type { Effect, RenderedAction } from '../events.js';
import { formatSpec } from '../../dsl/duration.js';
import { resolve } from '../engine/context.js';
import { shCommand } from './sh-command.js';
// Pure text builders shared with the adapters (they import nothing that can connect).
import { renderRedis } from '../adapters/redis/describe.js';
import { renderK8s } from '../adapters/k8s/describe.js';
import { renderPg } from '../adapters/pg/describe.js';
import { renderPatroni } from '../adapters/patroni/describe.js';
import { renderSsh, renderSshEach } from './ssh.js';
import { maskUrl, secretText } from './mask.js';
import { messageText } from './template-text.js';
import { expectedText } from '../../dsl/json-path.js';

type Renderers = { [T in ActionType]: (node: Extract<ActionNode, { type: T }>, c: RuntimeCtx) => string };

/** How each action reads to a person, fully rendered with the values it would use. */
const renderers: Renderers = {
  sh: (node, c) => `sh: ${shCommand(node, c)}`,
  fn: (node) => `fn: ${node.label ?? 'custom code'}${node.readOnly ? ' (read-only)' : ''}`,
  http: (node, c) => {
    const url = String(resolve(node.url, c, 'http url'));
    const body = node.body === undefined ? '' : ` body: ${JSON.stringify(resolve(node.body, c, 'http body'))}`;
    const status = node.expectStatus ? ` (expect ${node.expectStatus.join('|')})` : '';
    const timeout = node.timeoutMs === undefined ? '' : ` (timeout ${formatSpec(node.timeoutMs)})`;
    return `${node.method} ${url}${body}${httpHeaders(node, c)}${status}${httpExpectations(node)}${timeout}${httpTls(node, c)}`;
  },
  promote: (node, c) => {
    const lines = [`promote (${node.driver}):`, `  precheck: ${renderAction(node.precheck, c)}`];
    if (node.fence) lines.push(`  fence:    ${renderAction(node.fence, c)}`);
    lines.push(`  promote:  ${renderAction(node.action, c)}`, `  verify:   ${renderAction(node.verify, c)}`);
    return lines.join('\n');
  },
  redis: (node, c) => renderRedis(node, c),
  k8s: (node, c) => renderK8s(node, c),
  pg: (node, c) => renderPg(node, c),
  patroni: (node, c) => renderPatroni(node, c),
  ssh: (node, c) => renderSsh(node, c),
  'ssh-each': (node, c) => renderSshEach(node, c),
  notify: (node, c) => {
    if (!isTemplateMessage(node.message)) return `notify ${channelText(node.channel, c)}: ${JSON.stringify(String(resolve(node.message, c, 'notify message')))}`;
    const head = `notify ${channelText(node.channel, c)}: ${node.message.template.replace('-', ' ')} template`;
    // Live: filled from the run when sent (the step's value has the text). Otherwise: the text with placeholders.
    if (c.run.mode === 'live') return head;
    return `${head}\n${messageText(node, c, undefined).split('\n').map((l) => (l ? `    ${l}` : '')).join('\n')}`;
  },
};

/** Channel and target; secret-bearing values (webhook URLs, routing keys, HMAC secrets) masked. */
function channelText(ch: ChannelNode, c: RuntimeCtx): string {
  switch (ch.type) {
    case 'console':
      return 'console';
    case 'file':
      return `file ${String(resolve(ch.path, c, 'notify file path'))}`;
    case 'webhook': {
      const headers = Object.keys(ch.headers);
      const signed = ch.hmacSecret ? ` (signed HMAC-SHA256, secret ${secretText(resolve(ch.hmacSecret, c, 'webhook hmacSecret'))})` : '';
      return `webhook ${maskUrl(resolve(ch.url, c, 'webhook url'))}${headers.length ? ` (headers ${headers.join(', ')})` : ''}${signed}`;
    }
    case 'slack': {
      const extra = [ch.channel, ch.username === undefined ? undefined : `as ${ch.username}`].filter((x) => x !== undefined);
      return `slack ${maskUrl(resolve(ch.url, c, 'slack webhook url'))}${extra.length ? ` (${extra.join(' ')})` : ''}`;
    }
    case 'pagerduty': {
      const key = secretText(resolve(ch.routingKey, c, 'pagerduty routing key'));
      const via = ch.url ? ` via ${maskUrl(resolve(ch.url, c, 'pagerduty url'))}` : '';
      const severity = ch.action === 'trigger' ? `, severity ${ch.severity}` : '';
      return `pagerduty ${ch.action} (routing key ${key}${severity}, dedup key = run id)${via}`;
    }
  }
}

function httpExpectations(node: HttpNode): string {
  const parts: string[] = [];
  const b = node.expectBody;
  if (b) parts.push(b.type === 'text' ? `body contains ${JSON.stringify(b.text)}` : `body matches ${String(b.re)}`);
  const j = node.expectJson;
  if (j?.type === 'paths') parts.push(...j.paths.map((p) => `${p.path} ${p.expected.type === 'value' ? '= ' : ''}${expectedText(p)}`));
  if (j?.type === 'fn') parts.push(`JSON ${j.fn.toString().replace(/\s+/g, ' ').slice(0, 80)}`);
  return parts.length ? ` (expect ${parts.join(', ')})` : '';
}

/** TLS choices a reviewer must see: verification off loudly, a custom CA, another name. */
function httpTls(node: HttpNode, c: RuntimeCtx): string {
  const t = node.tls;
  if (!t) return '';
  const parts: string[] = [];
  if (t.insecure) parts.push('TLS verification OFF');
  if (t.ca) {
    const ca = String(resolve(t.ca, c, 'http tls.ca'));
    parts.push(ca.includes('-----BEGIN') ? 'CA: inline PEM' : `CA: ${ca}`);
  }
  if (t.servername) parts.push(`TLS name ${String(resolve(t.servername, c, 'http tls.servername'))}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password|signature/i;

/** Headers a reviewer must see; values of credential-like headers are masked (secrets are redacted anyway). */
function httpHeaders(node: HttpNode, c: RuntimeCtx): string {
  const entries = Object.entries(node.headers);
  if (entries.length === 0) return '';
  const shown = entries.map(([name, v]) => `${name}: ${SENSITIVE_HEADER.test(name) ? '***' : String(resolve(v, c, `http header ${name}`))}`);
  return ` (headers ${shown.join(', ')})`;
}

export function renderAction(node: ActionNode, c: RuntimeCtx): string {
  try {
    return (renderers[node.type] as (n: ActionNode, c: RuntimeCtx) => string)(node, c);
  } catch (e) {
    return `${node.type}: <cannot render: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

/** Whether a step can change anything: checks and read-only code only read. */
export function stepEffect(step: StepNode): Effect {
  switch (step.kind) {
    case 'confirm':
      return 'gate';
    case 'notify':
      return 'notify';
    case 'check':
      return isReadOnly(step) ? 'read-only' : 'mutating';
    case 'exec':
    case 'promote':
      return (step.action.type === 'fn' || step.action.type === 'redis' || step.action.type === 'k8s' || step.action.type === 'pg' || step.action.type === 'patroni') && step.action.readOnly ? 'read-only' : 'mutating';
  }
}

/** Read-only steps are the only ones `--probe` runs for real. */
export function isReadOnly(step: StepNode): boolean {
  if (step.kind === 'confirm' || step.kind === 'notify' || step.kind === 'promote') return false;
  const a = step.action;
  if (a.type === 'fn') return a.readOnly;
  // Redis: by the command's name (an allowlist: PING, INFO, GET, CONFIG GET…), whatever the step kind.
  if (a.type === 'redis') return a.readOnly;
  // Kubernetes: the reads (deployment, deployments, pods, waitForRollout).
  if (a.type === 'k8s') return a.readOnly;
  // PostgreSQL: pg.query (in a READ ONLY transaction), pg.inRecovery, pg.replicationLag; Patroni: patroni.cluster (GET).
  if (a.type === 'pg' || a.type === 'patroni') return a.readOnly;
  if (step.kind !== 'check') return false;
  return a.type === 'sh' || a.type === 'ssh' || a.type === 'ssh-each' || (a.type === 'http' && a.method === 'GET');
}

export function renderStep(step: StepNode, c: RuntimeCtx): RenderedAction | null {
  const guards = optionSummary(step);
  // A confirm has no action; its conditions (`when`) must still be visible to a reviewer.
  if (step.kind === 'confirm') return guards ? { text: guards, effect: 'gate' } : null;
  return { text: renderAction(step.action, c) + (guards ? `\n${guards}` : ''), effect: stepEffect(step) };
}

/** What a reviewer must see besides the action: limits, retries, conditions. */
export function optionSummary(step: StepNode): string {
  const o = step.options;
  const parts: string[] = [];
  if (o.timeoutMs !== undefined) parts.push(`timeout ${formatSpec(o.timeoutMs)}`);
  if (o.retry) parts.push(`retry ${o.retry.attempts}× every ${formatSpec(o.retry.intervalMs)}${o.retry.backoff !== 1 ? ` ×${o.retry.backoff}` : ''}`);
  if (o.waitUntil) parts.push(`wait up to ${formatSpec(o.waitUntil.timeoutMs)}, polling every ${formatSpec(o.waitUntil.intervalMs)}`);
  if (o.continueOnError && step.kind !== 'notify') parts.push('continue on error');
  if (o.interactive) parts.push('interactive (gets the terminal)');
  if (o.when) parts.push(`only when ${clip(source(o.when), 100)}`);
  if (o.parse) parts.push(`parse ${clip(source(o.parse), 80)}`);
  const e = o.expect;
  const raw = !o.parse && step.kind !== 'confirm' && (step.action.type === 'sh' || step.action.type === 'ssh' || step.action.type === 'ssh-each' || step.action.type === 'http' || step.action.type === 'pg' || step.action.type === 'patroni');
  if (e?.type === 'fn') parts.push(`expect ${clip(source(e.fn), 100)}${raw ? ' (on the raw result: a failed command can pass)' : ''}`);
  if (e?.type === 'regexp') parts.push(`expect output to match ${String(e.re)}`);
  if (e?.type === 'value') parts.push(`expect value ${clip(JSON.stringify(e.value) ?? String(e.value), 60)}`);
  return parts.length ? `(${parts.join(' · ')})` : '';
}

function source(f: (...a: never[]) => unknown): string {
  return f.toString().replace(/\s+/g, ' ');
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
