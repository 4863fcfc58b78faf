import type { LazyValue } from '../../../dsl/nodes.js';
import { resolve } from '../../engine/context.js';
import type { ActionEnv } from '../../modes/types.js';
import type { Scrubber } from './types.js';

/**
 * Resolves a secret-bearing channel value (URL, routing key, HMAC secret) and registers it with the
 * scrubber before anything can print it. Unset (an optional secret param not given) is a reason, not a throw.
 */
/** The end of the error for a channel whose optional secret param was not given: the delivery is skipped, not failed. */
export const NOT_SET = 'is not set (give the param, or its environment variable)';

export function secretValue(v: LazyValue, what: string, env: ActionEnv, scrub: Scrubber): { value: string } | { error: string } {
  const raw = resolve(v, env.ctx, what);
  if (raw === undefined || raw === null || raw === '') return { error: `${what} ${NOT_SET}` };
  const value = String(raw);
  scrub.add(value);
  return { value };
}

/** A URL secret: also registers its path and query, which are the credential in Slack-style URLs. */
export function secretUrl(v: LazyValue, what: string, env: ActionEnv, scrub: Scrubber): { value: string } | { error: string } {
  const r = secretValue(v, what, env, scrub);
  if ('error' in r) return r;
  let u: URL;
  try {
    u = new URL(r.value);
  } catch {
    return { error: `${what} is not a valid URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `${what} must be an http(s) URL` };
  const rest = `${u.pathname}${u.search}`;
  if (rest.length > 1) scrub.add(rest);
  if (u.password) scrub.add(u.password);
  return r;
}
