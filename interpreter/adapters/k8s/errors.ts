import type { K8sError } from '../../../dsl/results.js';

/**
 * Any failure of a call as data. The API's answers carry a Status (`kind: Status`) whose reason and message
 * we keep (`NotFound`, `deployments.apps "eapi" not found`); transport failures keep their errno.
 */
export function k8sError(e: unknown, signal?: { timedOut: boolean; aborted: boolean }): K8sError {
  if (signal?.timedOut) return { code: 'ETIMEDOUT', status: null, message: 'no answer from the API server in time' };
  if (signal?.aborted) return { code: 'EABORTED', status: null, message: 'interrupted' };
  const err = e as { code?: unknown; body?: unknown; message?: unknown; name?: unknown; errno?: unknown; error?: unknown };
  // ApiException from the generated client: code = HTTP status, body = the response text.
  if (typeof err?.code === 'number' && 'body' in (err as object)) return fromStatus(err.code, err.body);
  // The websocket's error event (exec): the cause inside, or "Unexpected server response: 404".
  if (err?.error !== undefined && typeof err.message === 'string' && !('code' in (err as object))) return k8sError(err.error);
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const upgrade = /Unexpected server response: (\d{3})/.exec(message);
  if (upgrade) return { code: reasonFor(Number(upgrade[1])), status: Number(upgrade[1]), message };
  if (err?.name === 'AbortError') return { code: 'EABORTED', status: null, message };
  if (typeof err?.code === 'string' && err.code !== '') return { code: err.code, status: null, message };
  if (typeof err?.errno === 'string' && err.errno !== '') return { code: err.errno, status: null, message };
  return { code: 'EK8S', status: null, message };
}

export function fromStatus(status: number, body: unknown): K8sError {
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  try {
    const s = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (s.kind === 'Status') return { code: s.reason || reasonFor(status), status, message: s.message ?? text };
  } catch {
    // not JSON
  }
  return { code: reasonFor(status), status, message: text.slice(0, 500) || `HTTP ${status}` };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Gone', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

function reasonFor(status: number): string {
  return REASONS[status] ?? `HTTP${status}`;
}
