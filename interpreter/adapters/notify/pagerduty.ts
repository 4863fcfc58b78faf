import { resolve } from '../../engine/context.js';
import { postJson } from './post-json.js';
import { secretUrl, secretValue } from './secret-value.js';
import type { Sender } from './types.js';

export const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
/** PagerDuty's limit for `payload.summary`. */
const SUMMARY_LIMIT = 1024;

/**
 * PagerDuty Events API v2, dedup key = run id so the trigger and the resolve of one run pair up.
 * trigger: `{ routing_key, event_action: 'trigger', dedup_key, payload: { summary, source, severity, timestamp, custom_details } }`;
 * resolve: `{ routing_key, event_action: 'resolve', dedup_key }`.
 */
export const sendPagerDuty: Sender<'pagerduty'> = async (ch, message, env, scrub) => {
  const key = secretValue(ch.routingKey, 'pagerduty routing key', env, scrub);
  if ('error' in key) return { ok: false, error: key.error };
  const url = ch.url ? secretUrl(ch.url, 'pagerduty url', env, scrub) : { value: PAGERDUTY_URL };
  if ('error' in url) return { ok: false, error: url.error };
  const dedupKey = env.runId;
  const event = ch.action === 'resolve'
    ? { routing_key: key.value, event_action: 'resolve', dedup_key: dedupKey }
    : {
        routing_key: key.value,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: {
          summary: summary(message),
          source: ch.source ? env.redact(String(resolve(ch.source, env.ctx, 'pagerduty source'))) : env.runbookId,
          severity: ch.severity,
          timestamp: new Date(env.progress.now()).toISOString(),
          custom_details: { message, runbook: env.runbookId, run: env.runId, step: env.stepId },
        },
      };
  const d = await postJson({ channel: 'pagerduty', url: url.value, body: Buffer.from(JSON.stringify(event)), explain }, env, scrub);
  return { ...d, dedupKey };
};

/** The first line of the message (a template's heading), within PagerDuty's limit. */
function summary(message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return first.length > SUMMARY_LIMIT ? `${first.slice(0, SUMMARY_LIMIT - 1)}…` : first;
}

/** PagerDuty explains a rejected event as `{ status, message, errors: [...] }`. */
function explain(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(j.errors) ? j.errors.map(String).join('; ') : '';
    const text = [typeof j.message === 'string' ? j.message : '', errors].filter(Boolean).join(': ');
    return text === '' ? undefined : text.slice(0, 200);
  } catch {
    return undefined;
  }
}
