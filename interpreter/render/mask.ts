import { REDACTED } from '../redact.js';

/**
 * Secret-bearing values (webhook URLs, routing keys, HMAC secrets) as they may be shown: never in full.
 * A dry-run placeholder (`<secret:webhook>`) is shown as is, naming the param; an unset optional value
 * as `<not set>`.
 */
export function secretText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '<not set>';
  const s = String(v);
  return isPlaceholderText(s) ? s : REDACTED;
}

/**
 * A URL whose path or query may be a credential (Slack's `/services/T…/B…/x…`): the scheme, host and
 * first path segment are kept, the rest becomes `***`, and so do user info and the query:
 * `https://hooks.slack.com/services/***`, `https://***@example.com/hook`.
 */
export function maskUrl(v: unknown): string {
  if (v === undefined || v === null || v === '') return '<not set>';
  const s = String(v);
  if (isPlaceholderText(s)) return s;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return REDACTED;
  }
  const segments = u.pathname.split('/').filter((x) => x !== '');
  const auth = u.username || u.password ? `${REDACTED}@` : '';
  const first = segments[0] === undefined ? '' : `/${segments[0]}`;
  const rest = segments.length > 1 || u.search !== '' || u.hash !== '' ? `/${REDACTED}` : u.pathname.endsWith('/') ? '/' : '';
  return `${u.protocol}//${auth}${u.host}${first}${rest}`;
}

function isPlaceholderText(s: string): boolean {
  return /^<[^<>]+>$/.test(s);
}
