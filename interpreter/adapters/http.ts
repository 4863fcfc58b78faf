import { readFile } from 'node:fs/promises';
import type { HttpNode, RuntimeCtx } from '../../dsl/nodes.js';
import type { HttpResult } from '../../dsl/results.js';
import { resolve } from '../engine/context.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';
import { sendRequest, type RawResponse } from './http-request.js';
import { checkJsonPaths } from './json-path.js';

const DEFAULT_TIMEOUT_MS = 10_000;
export const BODY_LIMIT = 1024 * 1024;

/** An HTTP request whose failures (refused, DNS, TLS, timeout) come back as data, checked against its expectations. */
export async function runHttp(node: HttpNode, env: ActionEnv): Promise<ActionOutcome> {
  const url = String(resolve(node.url, env.ctx, 'http url'));
  const body = node.body === undefined ? undefined : resolve(node.body, env.ctx, 'http body');
  const timeoutMs = node.timeoutMs ?? env.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(node.headers)) headers[name] = String(resolve(v, env.ctx, `http header ${name}`));
  let payload: Buffer | undefined;
  if (body !== undefined) {
    payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (typeof body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const base = { method: node.method, url };
  const tls = await tlsOptions(node, env.ctx);
  const res: RawResponse = 'error' in tls
    ? { status: null, statusText: '', headers: {}, body: '', truncated: false, durationMs: 0, timedOut: false, error: tls.error }
    : await sendRequest({ method: node.method, url, headers, body: payload, timeoutMs, signal: env.signal, tls: tls.value, bodyLimit: BODY_LIMIT });

  let result: HttpResult;
  if (res.error) {
    result = { ...base, ok: false, status: null, body: '', json: undefined, headers: {}, durationMs: res.durationMs, timedOut: res.timedOut, error: res.error };
  } else {
    const json = parseJson(res.body, res.headers['content-type']);
    const mismatches = expectations(node, res, json);
    result = {
      ...base,
      ok: mismatches.length === 0,
      status: res.status,
      body: res.body,
      json,
      headers: res.headers,
      durationMs: res.durationMs,
      timedOut: false,
      ...(mismatches.length ? { mismatches } : {}),
      ...(res.truncated ? { bodyTruncated: true } : {}),
    };
  }
  const error = result.ok
    ? undefined
    : result.error
      ? `${node.method} ${url}: ${result.error.code} ${result.error.message}`
      : `${node.method} ${url}: ${(result.mismatches ?? []).join('; ')}`;
  return { ok: result.ok, result, text: result.body, timedOut: result.timedOut, ...(error === undefined ? {} : { error }) };
}

/** Every expectation not met, in the order status, body, JSON. */
function expectations(node: HttpNode, res: RawResponse, json: unknown): string[] {
  const out: string[] = [];
  const status = res.status ?? 0;
  const okStatus = node.expectStatus ? node.expectStatus.includes(status) : status >= 200 && status < 300;
  if (!okStatus) out.push(`status ${status}${node.expectStatus ? `, expected ${node.expectStatus.join('|')}` : ''}`);
  const cut = res.truncated ? ` (the body was cut at ${BODY_LIMIT} bytes)` : '';
  const eb = node.expectBody;
  if (eb?.type === 'text' && !res.body.includes(eb.text)) out.push(`body does not contain ${JSON.stringify(eb.text)}; it starts ${excerpt(res.body)}${cut}`);
  if (eb?.type === 'regexp') {
    eb.re.lastIndex = 0;
    if (!eb.re.test(res.body)) out.push(`body does not match ${String(eb.re)}; it starts ${excerpt(res.body)}${cut}`);
  }
  const ej = node.expectJson;
  if (ej) {
    let parsed = json;
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(res.body) as unknown;
      } catch (e) {
        const type = res.headers['content-type'] ?? 'no content-type';
        out.push(`body is not JSON (${type}; ${e instanceof Error ? e.message : String(e)})${cut}; it starts ${excerpt(res.body)}`);
        return out;
      }
    }
    if (ej.type === 'paths') out.push(...checkJsonPaths(parsed, ej.paths));
    else {
      try {
        if (ej.fn(parsed) !== true) out.push(`JSON body does not satisfy ${clip(ej.fn.toString().replace(/\s+/g, ' '), 100)}`);
      } catch (e) {
        out.push(`expectJson threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return out;
}

type TlsResolved = { value: { ca?: string; insecure: boolean; servername?: string } | undefined } | { error: { code: string; message: string } };

/** Resolves the TLS options; a CA given as a path is read now (an unreadable file is data, not a throw). */
async function tlsOptions(node: HttpNode, c: RuntimeCtx): Promise<TlsResolved> {
  if (!node.tls) return { value: undefined };
  const out: { ca?: string; insecure: boolean; servername?: string } = { insecure: node.tls.insecure };
  if (node.tls.servername) out.servername = String(resolve(node.tls.servername, c, 'http tls.servername'));
  if (node.tls.ca) {
    const ca = String(resolve(node.tls.ca, c, 'http tls.ca'));
    if (ca.includes('-----BEGIN')) out.ca = ca;
    else {
      try {
        out.ca = await readFile(ca, 'utf8');
      } catch (e) {
        return { error: { code: 'ECAFILE', message: `cannot read the CA file ${ca}: ${(e as { code?: string }).code ?? String(e)}` } };
      }
      if (!out.ca.includes('-----BEGIN')) return { error: { code: 'ECAFILE', message: `the CA file ${ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` } };
    }
  }
  return { value: out };
}

function parseJson(text: string, contentType: string | undefined): unknown {
  if (!contentType?.includes('json') && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function excerpt(body: string): string {
  return body === '' ? '(empty)' : JSON.stringify(clip(body.replace(/\s+/g, ' ').trim(), 60));
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
