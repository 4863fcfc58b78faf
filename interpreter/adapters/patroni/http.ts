import type { ActionEnv } from '../../modes/types.js';
import { scrubApi, type ApiBase } from './url.js';

export interface ApiAnswer {
  /** The URL asked (credentials masked). */
  readonly url: string;
  readonly status: number | null;
  readonly text: string;
  readonly json: unknown;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

const BODY_LIMIT = 256 * 1024;

/** One call to one node. A refused connection, DNS failure or timeout comes back as data. */
export async function call(env: ActionEnv, api: ApiBase, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<ApiAnswer> {
  const url = `${api.url}${path}`;
  const shown = `${api.shown}${path}`;
  const started = performance.now();
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)));
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (api.authorization) headers['authorization'] = api.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.any([timeout, env.signal]), redirect: 'manual' });
    const text = (await res.text()).slice(0, BODY_LIMIT);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { url: shown, status: res.status, text, json, durationMs: Math.round(performance.now() - started) };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = timeout.aborted ? 'ETIMEDOUT' : env.signal.aborted ? 'EABORTED' : (cause?.code ?? 'EFETCH');
    const message = timeout.aborted ? `no answer within ${timeoutMs} ms` : env.signal.aborted ? 'interrupted' : (cause?.message ?? (e instanceof Error ? e.message : String(e)));
    return { url: shown, status: null, text: '', json: undefined, durationMs: Math.round(performance.now() - started), error: { code, message: scrubApi(message, [api]) } };
  }
}

/** Failures that prove the request never reached the node, so another node may be asked. */
const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

/**
 * Asks the nodes in order until one answers (any HTTP status); returns the last failure when none does.
 * A POST moves on only when the request cannot have arrived (refused, no such host): after a timeout
 * it may have, and asking a second node would ask for the switchover twice.
 */
export async function callFirst(env: ActionEnv, apis: readonly ApiBase[], method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<ApiAnswer> {
  let last: ApiAnswer | undefined;
  for (const api of apis) {
    last = await call(env, api, method, path, body, timeoutMs);
    if (last.status !== null || env.signal.aborted) return last;
    if (method === 'POST' && !NOT_SENT.includes(last.error?.code ?? '')) return last;
  }
  return last as ApiAnswer;
}
