/**
 * Patroni REST API base URLs: credentials in a URL (`http://user:pass@10.0.0.5:8008`) become a basic
 * auth header and are masked wherever the URL is shown. Pure: the renderer uses it too.
 */
import type { LazyValue, RuntimeCtx } from '../../../dsl/nodes.js';
import { resolve } from '../../engine/context.js';

export interface ApiBase {
  /** The base URL without credentials and without a trailing slash. */
  readonly url: string;
  /** As shown: `http://user:***@host:8008`. */
  readonly shown: string;
  readonly authorization: string | undefined;
  readonly password: string | undefined;
}

export function apiBase(raw: string): ApiBase {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TypeError(`${JSON.stringify(maskUrl(raw))} is not a URL; write http://10.0.0.5:8008`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`${maskUrl(raw)}: the REST API is http:// or https://`);
  const user = decodeURIComponent(u.username);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const shownUser = user === '' && password === undefined ? '' : `${u.username}${password === undefined ? '' : ':***'}@`;
  u.username = '';
  u.password = '';
  const url = u.toString().replace(/\/+$/, '');
  const shown = url.replace(/^(https?:\/\/)/, `$1${shownUser}`);
  const authorization = user === '' && password === undefined ? undefined : `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
  return { url, shown, authorization, password };
}

/** The node's api value, resolved: one base URL or several. */
export function resolveApis(v: LazyValue, c: RuntimeCtx): ApiBase[] {
  const value = resolve(v, c, 'patroni api');
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (list === undefined || list.length === 0) throw new TypeError('patroni api must be a base URL or a non-empty list of them');
  return list.map((x) => apiBase(String(x)));
}

/** Masks `user:password@` in any URL-like text. */
export function maskUrl(s: string): string {
  return s.replace(/(\/\/[^/:@\s]*:)[^@\s/]*@/g, '$1***@');
}

/** Removes the passwords of these bases from a message. */
export function scrubApi(text: string, apis: readonly ApiBase[]): string {
  let s = maskUrl(text);
  for (const a of apis) if (a.password) s = s.split(a.password).join('***');
  return s;
}
