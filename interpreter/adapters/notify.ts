import type { ChannelNode, NotifyNode } from '../../dsl/nodes.js';
import type { NotifyResult } from '../../dsl/results.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';
import { NOT_SET } from './notify/secret-value.js';
import { REDACTED } from '../redact.js';
import { messageText } from '../render/template-text.js';
import { sendConsole } from './notify/console.js';
import { sendFile } from './notify/file.js';
import { sendPagerDuty } from './notify/pagerduty.js';
import { sendSlack } from './notify/slack.js';
import type { Delivery, Scrubber, Sender } from './notify/types.js';
import { sendWebhook } from './notify/webhook.js';

type Senders = { [T in ChannelNode['type']]: Sender<T> };

/** One sender per channel; each in its own file under notify/. */
const senders: Senders = {
  console: sendConsole,
  file: sendFile,
  webhook: sendWebhook,
  slack: sendSlack,
  pagerduty: sendPagerDuty,
};

/** Delivers a message; secrets are removed before anything leaves the process. */
export async function runNotify(node: NotifyNode, env: ActionEnv): Promise<ActionOutcome> {
  const scrub = scrubber(env.redact);
  const ch = node.channel;
  let message = '';
  let d: Delivery;
  try {
    message = env.redact(messageText(node, env.ctx, { progress: env.progress, stepId: env.stepId }));
    d = await (senders[ch.type] as Sender<ChannelNode['type']>)(ch, message, env, scrub);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    d = { ok: false, error: scrub.text(`${ch.type} delivery failed: ${cause?.code ?? (e instanceof Error ? e.message : String(e))}`) };
  }
  message = scrub.text(message);
  const result: NotifyResult = {
    ok: d.ok,
    channel: ch.type,
    message,
    ...(d.error === undefined ? {} : { error: d.error }),
    ...(d.status === undefined ? {} : { status: d.status }),
    ...(d.dedupKey === undefined ? {} : { dedupKey: d.dedupKey }),
  };
  // A channel whose optional secret (webhook URL, routing key) was not given is not a failed delivery.
  const skipped = d.error?.endsWith(NOT_SET) === true ? { skipped: d.error } : {};
  return { ok: result.ok, result, text: message, ...(d.error === undefined ? {} : { error: d.error }), ...skipped };
}

function scrubber(redact: (s: string) => string): Scrubber {
  const needles: string[] = [];
  return {
    add(secret) {
      // Very short values would blank out ordinary words; they are not credentials worth the damage.
      if (secret.length >= 4 && !needles.includes(secret)) {
        needles.push(secret);
        needles.sort((a, b) => b.length - a.length);
      }
    },
    text(s) {
      let out = redact(s);
      for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
      return out;
    },
  };
}
