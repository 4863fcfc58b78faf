import { sendRequest } from '../http-request.js';
import type { ActionEnv } from '../../modes/types.js';
import type { Delivery, Scrubber } from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface Post {
  /** `slack`, `pagerduty`, `webhook`: how errors name the channel. */
  readonly channel: string;
  readonly url: string;
  readonly body: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Add a short excerpt of the receiver's answer to the error (APIs that explain themselves). */
  readonly explain?: (body: string) => string | undefined;
}

/**
 * POSTs a JSON body. Refused, timeout, abort and non-2xx answers are a failed delivery with a reason
 * that never contains the URL (it is a credential for Slack and most webhooks).
 */
export async function postJson(p: Post, env: ActionEnv, scrub: Scrubber): Promise<Delivery> {
  const res = await sendRequest({
    method: 'POST',
    url: p.url,
    headers: { 'content-type': 'application/json', ...p.headers },
    body: p.body,
    timeoutMs: env.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: env.signal,
    bodyLimit: 64 * 1024,
  });
  if (res.error) {
    const detail = res.error.code === 'ETIMEDOUT' ? `ETIMEDOUT (${res.error.message})` : res.error.code;
    return { ok: false, error: scrub.text(`${p.channel} delivery failed: ${detail}`) };
  }
  const status = res.status ?? 0;
  if (status >= 200 && status < 300) return { ok: true, status };
  const why = p.explain?.(res.body);
  return { ok: false, status, error: scrub.text(`${p.channel} answered ${status} ${res.statusText}${why ? `: ${why}` : ''}`.trimEnd()) };
}

/** A short, single-line excerpt of a text answer. */
export function excerpt(body: string, max = 120): string | undefined {
  const s = body.replace(/\s+/g, ' ').trim();
  if (s === '') return undefined;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
