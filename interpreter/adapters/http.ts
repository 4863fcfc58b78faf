import type { HttpNode } from '../../dsl/nodes.js';
import type { HttpResult } from '../../dsl/results.js';
import { resolve } from '../engine/context.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 1024 * 1024;

/** An HTTP request whose failures (refused, DNS, timeout) come back as data. */
export async function runHttp(node: HttpNode, env: ActionEnv): Promise<ActionOutcome> {
  const url = String(resolve(node.url, env.ctx, 'http url'));
  const body = node.body === undefined ? undefined : resolve(node.body, env.ctx, 'http body');
  const timeoutMs = node.timeoutMs ?? env.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const base = { method: node.method, url, headers: {}, body: '', json: undefined, status: null };
  let result: HttpResult;
  try {
    const headers: Record<string, string> = { ...node.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (typeof body !== 'string') headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url, { method: node.method, headers, body: payload ?? null, signal: AbortSignal.any([timeout, env.signal]), redirect: 'manual' });
    const text = (await res.text()).slice(0, BODY_LIMIT);
    const okStatus = node.expectStatus ? node.expectStatus.includes(res.status) : res.status >= 200 && res.status < 300;
    result = {
      ...base,
      ok: okStatus,
      status: res.status,
      body: text,
      json: parseJson(text, res.headers.get('content-type')),
      headers: Object.fromEntries(res.headers.entries()),
      durationMs: Math.round(performance.now() - started),
      timedOut: false,
    };
  } catch (e) {
    const timedOut = timeout.aborted;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = timedOut ? 'ETIMEDOUT' : env.signal.aborted ? 'EABORTED' : (cause?.code ?? (e as { code?: string }).code ?? 'EFETCH');
    const message = timedOut ? `no response within ${timeoutMs} ms` : (cause?.message ?? (e instanceof Error ? e.message : String(e)));
    result = { ...base, ok: false, durationMs: Math.round(performance.now() - started), timedOut, error: { code, message } };
  }
  const error = result.ok
    ? undefined
    : result.error
      ? `${node.method} ${url}: ${result.error.code} ${result.error.message}`
      : `${node.method} ${url}: status ${result.status}${node.expectStatus ? `, expected ${node.expectStatus.join('|')}` : ''}`;
  return { ok: result.ok, result, text: result.body, timedOut: result.timedOut, ...(error === undefined ? {} : { error }) };
}

function parseJson(text: string, contentType: string | null): unknown {
  if (!contentType?.includes('json') && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
