import { excerpt, postJson } from './post-json.js';
import { secretUrl } from './secret-value.js';
import type { Sender } from './types.js';

/** Slack's limit for a section block's text. */
const SECTION_LIMIT = 3000;

/**
 * A Slack incoming webhook. Body: `{ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }`
 * plus `channel` / `username` when given; `&`, `<`, `>` escaped as Slack requires. Slack answers a
 * failure with a short reason (`invalid_payload`, `no_service`), shown in the error.
 */
export const sendSlack: Sender<'slack'> = async (ch, message, env, scrub) => {
  const url = secretUrl(ch.url, 'slack webhook URL', env, scrub);
  if ('error' in url) return { ok: false, error: url.error };
  return postJson({ channel: 'slack', url: url.value, body: Buffer.from(JSON.stringify(slackBody(message, ch))), explain: (b) => excerpt(b, 80) }, env, scrub);
};

export function slackBody(message: string, o: { readonly channel: string | undefined; readonly username: string | undefined }): Record<string, unknown> {
  const text = escapeSlack(message);
  const section = text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text;
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: section } }],
    ...(o.channel === undefined ? {} : { channel: o.channel }),
    ...(o.username === undefined ? {} : { username: o.username }),
  };
}

/** Slack's three control characters; nothing else is escaped. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
