import type { ChannelNode } from '../../../dsl/nodes.js';
import type { ActionEnv } from '../../modes/types.js';

/** What a channel reports back: delivered or not, with the reason in words safe to show. */
export interface Delivery {
  readonly ok: boolean;
  readonly error?: string;
  /** HTTP channels: the receiver's status code. */
  readonly status?: number;
  readonly dedupKey?: string;
}

/**
 * Removes secrets from text that leaves the process or reaches the journal: the run's secret params
 * (`env.redact`) and the channel's own secrets (URL, routing key, HMAC secret), even when written literally.
 */
export interface Scrubber {
  /** Registers a value resolved from the channel that must never be shown. */
  add(secret: string): void;
  text(s: string): string;
}

export type Sender<T extends ChannelNode['type']> = (
  ch: Extract<ChannelNode, { type: T }>,
  message: string,
  env: ActionEnv,
  scrub: Scrubber,
) => Promise<Delivery>;
