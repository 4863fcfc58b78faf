/** A Redis failure as data: `{ code, message }`, e.g. ECONNREFUSED, ETIMEDOUT, NOAUTH, WRONGPASS, ERR. */
export interface RedisError {
  readonly code: string;
  readonly message: string;
}

export function redisError(e: unknown): RedisError {
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (typeof err?.code === 'string' && err.code !== '') return { code: err.code, message };
  // Server replies: "WRONGPASS invalid username-password pair", "ERR unknown command", "READONLY …"
  const prefix = /^([A-Z][A-Z_]+) /.exec(message)?.[1];
  if (err?.name === 'ReplyError' && prefix) return { code: prefix, message };
  if (/Connection is closed|Stream isn't writeable/i.test(message)) return { code: 'ECONNCLOSED', message };
  return { code: prefix ?? 'EREDIS', message };
}
