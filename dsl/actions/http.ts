import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import { parseJsonPath } from '../json-path.js';
import type { HttpResult } from '../results.js';
import { lazy, type LazyValue, type HttpNode, type JsonPathExpectation } from '../nodes.js';
import { makeAction, type Action } from './action.js';

/** What one JSON path must hold: a value (deep equality), a RegExp (on a string value) or a predicate. */
export type JsonPathExpected = string | number | boolean | null | RegExp | ((value: unknown) => boolean) | readonly unknown[] | Readonly<Record<string, unknown>>;

export interface HttpTlsOptions<C> {
  /** A CA to trust besides the system ones: PEM text (`-----BEGIN CERTIFICATE-----…`) or the path of a PEM file. */
  readonly ca?: string | ((c: C) => string);
  /** Skip certificate verification entirely. Test systems only; dry-run and the journal say "TLS verification OFF". */
  readonly insecure?: boolean;
  /** The name the server certificate must carry (and the SNI sent) when it differs from the URL's host. */
  readonly servername?: string | ((c: C) => string);
}

export interface HttpOptions<C> {
  /** Status codes that count as success (default: every 2xx). */
  readonly expectStatus?: number | readonly number[];
  /** The body must contain this text, or match this RegExp. */
  readonly expectBody?: string | RegExp;
  /**
   * The body must be JSON where each path holds its value (`{ '$.status': 'UP', '$.checks[0].ok': true }`;
   * paths: `$`, `.key`, `['key']`, `[index]`), or a predicate on the parsed body.
   */
  readonly expectJson?: Readonly<Record<string, JsonPathExpected>> | ((json: unknown) => boolean);
  readonly timeout?: Duration;
  /** Header values as text, or `c => text` (e.g. `Authorization: c => \`Bearer ${c.params.token}\``). */
  readonly headers?: Readonly<Record<string, string | ((c: C) => string)>>;
  readonly body?: unknown | ((c: C) => unknown);
  readonly tls?: HttpTlsOptions<C>;
}

function headerValues(h: unknown, where: string): Record<string, LazyValue> {
  if (h === undefined) return {};
  if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new RunbookDefinitionError(`${where}: headers must be an object of header name → text or c => text.`);
  const out: Record<string, LazyValue> = {};
  for (const [name, v] of Object.entries(h)) {
    if (typeof v !== 'string' && typeof v !== 'function') {
      throw new RunbookDefinitionError(`${where}: header "${name}" must be text or c => text, got ${v === null ? 'null' : typeof v}.`);
    }
    out[name] = lazy(v);
  }
  return out;
}

/** A function inside a literal body would be dropped by JSON: the whole body must be computed instead. */
function checkBody(body: unknown, where: string): unknown {
  if (typeof body === 'function') return body;
  const path = functionInside(body, '$');
  if (path !== undefined) {
    throw new RunbookDefinitionError(`${where}: body has a function at ${path}; JSON cannot carry it. Compute the whole body instead: body: c => ({ …, token: c.params.token }).`);
  }
  return body;
}

function functionInside(v: unknown, path: string): string | undefined {
  if (typeof v === 'function') return path;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const found = functionInside(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

const KNOWN = ['expectStatus', 'expectBody', 'expectJson', 'timeout', 'headers', 'body', 'tls'];

function build<C>(method: HttpNode['method'], url: string | ((c: C) => string), o: HttpOptions<C>): Action<HttpResult, C> {
  const where = `http.${method.toLowerCase()}`;
  if (typeof url !== 'string' && typeof url !== 'function') throw new RunbookDefinitionError(`${where} needs a URL string or c => string.`);
  if (typeof o !== 'object' || o === null) throw new RunbookDefinitionError(`${where}: options must be an object.`);
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key) || (method === 'GET' && key === 'body')) {
      throw new RunbookDefinitionError(`${where}: unknown option "${key}". Allowed: ${KNOWN.filter((k) => method === 'POST' || k !== 'body').join(', ')}.`);
    }
  }
  const expectStatus = o.expectStatus === undefined ? undefined : Object.freeze([o.expectStatus].flat());
  if (expectStatus?.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw new RunbookDefinitionError(`${where}: expectStatus must be HTTP status codes (100–599), got ${JSON.stringify(o.expectStatus)}.`);
  }
  return makeAction({
    type: 'http',
    method,
    url: lazy(url),
    body: o.body === undefined ? undefined : lazy(checkBody(o.body, where)),
    headers: Object.freeze(headerValues(o.headers, where)),
    expectStatus,
    timeoutMs: o.timeout === undefined ? undefined : parseDuration(o.timeout, `http ${method} timeout`),
    expectBody: expectBody(o.expectBody, where),
    expectJson: expectJson(o.expectJson, where),
    tls: tls(o.tls, where),
  });
}

function expectBody(v: unknown, where: string): HttpNode['expectBody'] {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return Object.freeze({ type: 'text' as const, text: v });
  if (v instanceof RegExp) return Object.freeze({ type: 'regexp' as const, re: v });
  throw new RunbookDefinitionError(`${where}: expectBody must be a string the body contains or a RegExp it matches.`);
}

function expectJson(v: unknown, where: string): HttpNode['expectJson'] {
  if (v === undefined) return undefined;
  if (typeof v === 'function') return Object.freeze({ type: 'fn' as const, fn: v as (json: unknown) => unknown });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RunbookDefinitionError(`${where}: expectJson must be { '$.path': expected, … } or a predicate (json) => boolean.`);
  }
  const paths: JsonPathExpectation[] = Object.entries(v).map(([path, want]) => Object.freeze({
    path,
    segments: parseJsonPath(path, `${where} expectJson`),
    expected: want instanceof RegExp
      ? { type: 'regexp' as const, re: want }
      : typeof want === 'function'
        ? { type: 'fn' as const, fn: want as (value: unknown) => unknown }
        : { type: 'value' as const, value: want as unknown },
  }));
  if (paths.length === 0) throw new RunbookDefinitionError(`${where}: expectJson is empty; give at least one '$.path': value.`);
  return Object.freeze({ type: 'paths' as const, paths: Object.freeze(paths) });
}

function tls(v: unknown, where: string): HttpNode['tls'] {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) throw new RunbookDefinitionError(`${where}: tls must be { ca?, insecure?, servername? }.`);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['ca', 'insecure', 'servername'].includes(key)) throw new RunbookDefinitionError(`${where}: unknown tls option "${key}". Allowed: ca, insecure, servername.`);
  }
  const text = (key: string): ReturnType<typeof lazy> | undefined => {
    const x = o[key];
    if (x === undefined) return undefined;
    if (typeof x !== 'string' && typeof x !== 'function') throw new RunbookDefinitionError(`${where}: tls.${key} must be a string or c => string.`);
    return lazy(x);
  };
  if (o['insecure'] !== undefined && typeof o['insecure'] !== 'boolean') throw new RunbookDefinitionError(`${where}: tls.insecure must be true or false.`);
  const insecure = o['insecure'] === true;
  const ca = text('ca');
  if (insecure && ca !== undefined) {
    throw new RunbookDefinitionError(`${where}: tls.insecure and tls.ca together make no sense: with verification off the CA is never used. Keep ca (preferred) or insecure.`);
  }
  return Object.freeze({ ca, insecure, servername: text('servername') });
}

export const http = {
  get: <C>(url: string | ((c: C) => string), options: Omit<HttpOptions<C>, 'body'> = {}): Action<HttpResult, C> => build('GET', url, options),
  post: <C>(url: string | ((c: C) => string), options: HttpOptions<C> = {}): Action<HttpResult, C> => build('POST', url, options),
};
