import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** One HTTP exchange to make. */
export interface RequestSpec {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  /** The whole exchange (connect, TLS, headers, body) must finish within this. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** https only: trust this PEM besides the system CAs, skip verification, or verify against another name. */
  readonly tls?: { readonly ca?: string | undefined; readonly insecure?: boolean; readonly servername?: string | undefined } | undefined;
  /** Bytes of body kept; the rest is not read. */
  readonly bodyLimit: number;
}

/** What came back. Refusals, DNS and TLS failures, timeouts and aborts are data here, never thrown. */
export interface RawResponse {
  readonly status: number | null;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly truncated: boolean;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

const TLS_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/**
 * node:http / node:https rather than fetch: a custom CA needs TLS options fetch cannot take without
 * undici's Agent. No redirects are followed; one connection per request (no pooled sockets outlive a run).
 */
export function sendRequest(spec: RequestSpec): Promise<RawResponse> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const fail = (code: string, message: string, timedOut = false): RawResponse => ({
    status: null, statusText: '', headers: {}, body: '', truncated: false, durationMs: elapsed(), timedOut, error: { code, message },
  });
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return Promise.resolve(fail('EINVALIDURL', 'not a valid URL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve(fail('EPROTOCOL', `unsupported protocol ${url.protocol} (http: and https: only)`));
  if (spec.signal.aborted) return Promise.resolve(fail('EABORTED', 'aborted before the request was sent'));

  return new Promise<RawResponse>((resolve) => {
    let settled = false;
    let timedOut = false;
    const finish = (r: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const headers: Record<string, string> = { 'user-agent': 'runbook', ...spec.headers };
    if (spec.body !== undefined) headers['content-length'] = String(spec.body.length);
    const options: RequestOptions & { ca?: string[]; rejectUnauthorized?: boolean; servername?: string } = { method: spec.method, headers, agent: false };
    if (url.protocol === 'https:' && spec.tls) {
      if (spec.tls.ca !== undefined) options.ca = [...rootCertificates, spec.tls.ca];
      if (spec.tls.insecure) options.rejectUnauthorized = false;
      if (spec.tls.servername !== undefined) options.servername = spec.tls.servername;
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      readBody(res, spec.bodyLimit).then(
        ({ body, truncated }) =>
          finish({
            status: res.statusCode ?? null,
            statusText: res.statusMessage ?? '',
            headers: flatHeaders(res),
            body,
            truncated,
            durationMs: elapsed(),
            timedOut: false,
          }),
        (e: unknown) => finish(failure(e)),
      );
    });
    const failure = (e: unknown): RawResponse => {
      if (timedOut) return fail('ETIMEDOUT', `no response within ${spec.timeoutMs} ms`, true);
      if (spec.signal.aborted) return fail('EABORTED', 'aborted');
      const err = e as { code?: string; message?: string };
      const code = err.code ?? 'EREQUEST';
      return fail(code, describeError(code, err.message ?? String(e), url));
    };
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, spec.timeoutMs);
    const onAbort = (): void => {
      req.destroy(new Error('aborted'));
    };
    spec.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => finish(failure(e)));
    req.end(spec.body);
  });
}

function readBody(res: IncomingMessage, limit: number): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    res.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = limit;
        truncated = true;
        // The rest is not wanted: stop reading and close the connection.
        resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
        res.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated }));
    res.on('error', (e) => (truncated ? undefined : reject(e)));
    res.on('close', () => {
      if (!res.complete && !truncated) reject(Object.assign(new Error('the connection closed before the body was complete'), { code: 'ECONNRESET' }));
    });
  });
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Transport errors in words an operator can act on; TLS trust failures say how to fix them. */
function describeError(code: string, message: string, url: URL): string {
  if (TLS_TRUST.has(code)) {
    return `TLS certificate of ${url.host} is not trusted (${message}). Trust its CA with tls: { ca: '/path/to/ca.pem' } (PEM text works too), or for a test system only tls: { insecure: true }.`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS certificate is not valid for ${url.hostname} (${message}). If the certificate names another host, give it as tls: { servername: '…' }.`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS certificate of ${url.host}: ${message}.`;
  return message;
}
