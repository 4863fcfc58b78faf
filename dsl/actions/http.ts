import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import type { HttpResult } from '../results.js';
import { lazy, type HttpNode } from '../nodes.js';
import { makeAction, type Action } from './action.js';

export interface HttpOptions<C> {
  /** Status codes that count as success (default: every 2xx). */
  readonly expectStatus?: number | readonly number[];
  readonly timeout?: Duration;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown | ((c: C) => unknown);
}

function build<C>(method: HttpNode['method'], url: string | ((c: C) => string), o: HttpOptions<C>): Action<HttpResult, C> {
  if (typeof url !== 'string' && typeof url !== 'function') throw new RunbookDefinitionError(`http.${method.toLowerCase()} needs a URL string or c => string.`);
  const expectStatus = o.expectStatus === undefined ? undefined : Object.freeze([o.expectStatus].flat());
  return makeAction({
    type: 'http',
    method,
    url: lazy(url),
    body: o.body === undefined ? undefined : lazy(o.body),
    headers: Object.freeze({ ...o.headers }),
    expectStatus,
    timeoutMs: o.timeout === undefined ? undefined : parseDuration(o.timeout, `http ${method} timeout`),
  });
}

export const http = {
  get: <C>(url: string | ((c: C) => string), options: Omit<HttpOptions<C>, 'body'> = {}): Action<HttpResult, C> => build('GET', url, options),
  post: <C>(url: string | ((c: C) => string), options: HttpOptions<C> = {}): Action<HttpResult, C> => build('POST', url, options),
};
