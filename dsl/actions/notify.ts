import { RunbookDefinitionError } from '../ids.js';
import { lazy, type ChannelNode, type LazyValue } from '../nodes.js';

const CHANNEL = Symbol.for('runbook.channel');

/** Where a `notify` step sends its message. */
export interface Channel<C> {
  readonly [CHANNEL]: ChannelNode;
  readonly __ctx?: (c: C) => void;
}

/** A secret-bearing value: known now, or read from the run (typically a secret param, possibly optional). */
export type SecretLazy<C> = string | ((c: C) => string | undefined);

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

interface PagerDutyCommon<C> {
  /** PagerDuty's `payload.source`: the affected system (default: the runbook id). */
  readonly source?: string | ((c: C) => string);
  /** The Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue). */
  readonly url?: string | ((c: C) => string);
}

/** `trigger` (default) opens the incident; `resolve` closes it. Both use the run id as dedup key. */
export type PagerDutyOptions<C> =
  | (PagerDutyCommon<C> & { readonly action?: 'trigger'; readonly severity: PagerDutySeverity })
  | (PagerDutyCommon<C> & { readonly action: 'resolve'; readonly severity?: PagerDutySeverity });

export interface SlackOptions {
  /** Overrides the webhook's channel (legacy webhooks only; app webhooks post to their own channel). */
  readonly channel?: string;
  readonly username?: string;
}

export interface WebhookOptions<C> {
  readonly headers?: Readonly<Record<string, string>>;
  /** Signs the body: `X-Runbook-Timestamp` and `X-Runbook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
  readonly hmacSecret?: SecretLazy<C>;
}

function channel<C>(node: ChannelNode): Channel<C> {
  return Object.freeze({ [CHANNEL]: Object.freeze(node) }) as Channel<C>;
}

export function channelNode(ch: unknown): ChannelNode {
  const node = typeof ch === 'object' && ch !== null ? (ch as Record<PropertyKey, unknown>)[CHANNEL] : undefined;
  if (node === undefined) {
    throw new RunbookDefinitionError('notify step: expected a channel (notify.console(), notify.file(path), notify.webhook(url), notify.slack(url), notify.pagerduty(routingKey, { severity })).');
  }
  return node as ChannelNode;
}

function required(v: unknown, what: string): LazyValue {
  if (typeof v !== 'string' && typeof v !== 'function') throw new RunbookDefinitionError(`${what} must be a string or c => string (typically a secret param).`);
  return lazy(v);
}

function optional(v: unknown, what: string): LazyValue | undefined {
  return v === undefined ? undefined : required(v, what);
}

function options(o: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw new RunbookDefinitionError(`${what}: options must be an object.`);
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new RunbookDefinitionError(`${what}: unknown option "${key}". Allowed: ${allowed.join(', ')}.`);
  }
  return o as Record<string, unknown>;
}

function headers(v: unknown, what: string): Readonly<Record<string, string>> {
  if (v === undefined) return Object.freeze({});
  if (typeof v !== 'object' || v === null || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new RunbookDefinitionError(`${what}: headers must be an object of strings.`);
  }
  return Object.freeze({ ...(v as Record<string, string>) });
}

const SEVERITIES: readonly PagerDutySeverity[] = ['critical', 'error', 'warning', 'info'];

export const notify = {
  /** Prints the message in the run's output. */
  console: <C>(): Channel<C> => channel({ type: 'console' }),
  /** Appends a timestamped line to a file. */
  file: <C>(path: string | ((c: C) => string)): Channel<C> => channel({ type: 'file', path: lazy(path) }),
  /**
   * POSTs `{ text, runbook, run, step }` as JSON. The URL is a secret: rendered as its origin and first
   * path segment only. With `hmacSecret`, the exact body bytes are signed (see README "Notifications").
   */
  webhook: <C>(url: SecretLazy<C>, o: WebhookOptions<C> = {}): Channel<C> => {
    const opts = options(o, ['headers', 'hmacSecret'], 'notify.webhook');
    return channel({
      type: 'webhook',
      url: required(url, 'notify.webhook url'),
      headers: headers(opts['headers'], 'notify.webhook'),
      hmacSecret: optional(opts['hmacSecret'], 'notify.webhook hmacSecret'),
    });
  },
  /** A Slack incoming webhook: POSTs `{ text, blocks: [section mrkdwn] }` (plus channel / username when given). */
  slack: <C>(webhookUrl: SecretLazy<C>, o: SlackOptions = {}): Channel<C> => {
    const opts = options(o, ['channel', 'username'], 'notify.slack');
    for (const k of ['channel', 'username'] as const) {
      if (opts[k] !== undefined && typeof opts[k] !== 'string') throw new RunbookDefinitionError(`notify.slack: ${k} must be a string.`);
    }
    return channel({
      type: 'slack',
      url: required(webhookUrl, 'notify.slack webhook URL'),
      channel: opts['channel'] as string | undefined,
      username: opts['username'] as string | undefined,
    });
  },
  /**
   * PagerDuty Events API v2. `trigger` (default) sends the message as the alert summary; `resolve` closes
   * it. The dedup key is the run id, so a trigger at declaration and a resolve at the end pair up.
   */
  pagerduty: <C>(routingKey: SecretLazy<C>, o: PagerDutyOptions<C>): Channel<C> => {
    const opts = options(o, ['severity', 'action', 'source', 'url'], 'notify.pagerduty');
    const action = opts['action'] ?? 'trigger';
    if (action !== 'trigger' && action !== 'resolve') throw new RunbookDefinitionError(`notify.pagerduty: action must be "trigger" or "resolve", got ${JSON.stringify(action)}.`);
    const severity = opts['severity'] ?? (action === 'resolve' ? 'info' : undefined);
    if (!SEVERITIES.includes(severity as PagerDutySeverity)) {
      throw new RunbookDefinitionError(`notify.pagerduty: severity must be one of ${SEVERITIES.join(', ')} (PagerDuty requires it for a trigger), got ${JSON.stringify(severity)}.`);
    }
    return channel({
      type: 'pagerduty',
      routingKey: required(routingKey, 'notify.pagerduty routing key'),
      action,
      severity: severity as PagerDutySeverity,
      source: optional(opts['source'], 'notify.pagerduty source'),
      url: optional(opts['url'], 'notify.pagerduty url'),
    });
  },
};
