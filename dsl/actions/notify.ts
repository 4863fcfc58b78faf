import { RunbookDefinitionError } from '../ids.js';
import { lazy, type ChannelNode } from '../nodes.js';

const CHANNEL = Symbol.for('runbook.channel');

/** Where a `notify` step sends its message. */
export interface Channel<C> {
  readonly [CHANNEL]: ChannelNode;
  readonly __ctx?: (c: C) => void;
}

function channel<C>(node: ChannelNode): Channel<C> {
  return Object.freeze({ [CHANNEL]: Object.freeze(node) }) as Channel<C>;
}

export function channelNode(ch: unknown): ChannelNode {
  const node = typeof ch === 'object' && ch !== null ? (ch as Record<PropertyKey, unknown>)[CHANNEL] : undefined;
  if (node === undefined) throw new RunbookDefinitionError('notify step: expected a channel (notify.console(), notify.file(path), notify.webhook(url)).');
  return node as ChannelNode;
}

export const notify = {
  /** Prints the message in the run's output. */
  console: <C>(): Channel<C> => channel({ type: 'console' }),
  /** Appends a timestamped line to a file. */
  file: <C>(path: string | ((c: C) => string)): Channel<C> => channel({ type: 'file', path: lazy(path) }),
  /** POSTs `{ text, runbook, run, step }` as JSON. The URL is treated as a secret in output when it comes from a secret param. */
  webhook: <C>(url: string | ((c: C) => string), options: { headers?: Readonly<Record<string, string>> } = {}): Channel<C> =>
    channel({ type: 'webhook', url: lazy(url), headers: Object.freeze({ ...options.headers }) }),
};
