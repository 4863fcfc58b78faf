import type { PgTarget } from './target.js';
import { scrub } from './target.js';

export interface PgError {
  readonly code: string;
  readonly message: string;
}

/**
 * A driver or server error as data: the SQLSTATE (28P01, 57014…) or the network code (ECONNREFUSED,
 * ENOTFOUND…) and a message that never contains the password.
 */
export function pgError(e: unknown, t: PgTarget | undefined): PgError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown; errors?: unknown };
  let code = typeof err.code === 'string' && err.code !== '' ? err.code : 'EPG';
  let message = typeof err.message === 'string' ? err.message : String(e);
  // Node's AggregateError (IPv4 + IPv6 both refused) has an empty message; its parts name the cause.
  if (message === '' && Array.isArray(err.errors) && err.errors.length > 0) {
    const first = err.errors[0] as { code?: unknown; message?: unknown };
    message = typeof first.message === 'string' ? first.message : String(first);
    if (code === 'EPG' && typeof first.code === 'string') code = first.code;
  }
  if (code === 'EPG' && /password|SASL|SCRAM/i.test(message)) code = 'EAUTH';
  if (code === 'EPG' && /Connection terminated/i.test(message)) code = 'ECONNCLOSED';
  return { code, message: scrub(message, t) };
}

export function isConnectionError(e: PgError): boolean {
  return e.code.startsWith('E') || e.code.startsWith('08');
}
