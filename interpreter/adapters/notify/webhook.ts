import { createHmac } from 'node:crypto';
import { postJson } from './post-json.js';
import { secretUrl, secretValue } from './secret-value.js';
import type { Sender } from './types.js';

/**
 * POSTs `{ text, runbook, run, step }`. With `hmacSecret`, the exact body bytes are signed:
 * `X-Runbook-Timestamp: <unix seconds>` and `X-Runbook-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 */
export const sendWebhook: Sender<'webhook'> = async (ch, message, env, scrub) => {
  const url = secretUrl(ch.url, 'webhook URL', env, scrub);
  if ('error' in url) return { ok: false, error: url.error };
  const body = Buffer.from(JSON.stringify({ text: message, runbook: env.runbookId, run: env.runId, step: env.stepId }));
  const headers: Record<string, string> = { ...ch.headers };
  if (ch.hmacSecret) {
    const secret = secretValue(ch.hmacSecret, 'webhook hmacSecret', env, scrub);
    if ('error' in secret) return { ok: false, error: secret.error };
    Object.assign(headers, signature(secret.value, body, Math.floor(Date.now() / 1000)));
  }
  return postJson({ channel: 'webhook', url: url.value, body, headers }, env, scrub);
};

/** The signature headers for `body` at `timestamp` (unix seconds). */
export function signature(secret: string, body: Buffer, timestamp: number): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'x-runbook-timestamp': String(timestamp), 'x-runbook-signature': `sha256=${mac}` };
}

