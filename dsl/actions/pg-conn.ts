/**
 * PostgreSQL connection targets: a DSN (`postgres://user:pass@host:port/db?sslmode=require`) or its
 * parts. Pure (no I/O): the DSL validates static targets with it, the renderer and the adapter
 * describe targets with the password masked, the adapter builds its client config from it.
 */

/** Connection parts; any field may be `c => value` (e.g. a password from a secret param). */
export interface PgConnParams<C = unknown> {
  readonly host: string | ((c: C) => string);
  readonly port?: number | ((c: C) => number);
  readonly user?: string | ((c: C) => string);
  readonly password?: string | ((c: C) => string | undefined);
  readonly database?: string | ((c: C) => string);
  /** `disable` (default), `require` (TLS, certificate not checked), `verify-full` (TLS, checked). */
  readonly sslmode?: 'disable' | 'require' | 'verify-full';
}

/** Where a pg action connects: a DSN, its parts, or `c => either`. */
export type PgConnection<C = unknown> = string | PgConnParams<C>;

/** A resolved target. `password` stays here and in the client config, nowhere else. */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string | undefined;
  readonly sslmode: 'disable' | 'require' | 'verify-full';
}

export const MASK = '***';
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** Why `value` is not a usable target, or undefined when it is. Never repeats a password. */
export function connProblem(value: unknown): string | undefined {
  try {
    toTarget(value);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Turns a DSN string or a (resolved) parts object into a target; throws a message without the password. */
export function toTarget(value: unknown): PgTarget {
  if (typeof value === 'string') return parseDsn(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return fromParts(value as Record<string, unknown>);
  throw new TypeError(`a PostgreSQL target is a DSN string (postgres://user@host:5432/db) or { host, port, user, password, database }, got ${value === null ? 'null' : typeof value}`);
}

function parseDsn(dsn: string): PgTarget {
  if (!/^postgres(ql)?:\/\//i.test(dsn)) {
    throw new TypeError(`${JSON.stringify(maskDsnText(dsn).slice(0, 80))} is not a PostgreSQL URL; write postgres://user@host:5432/db (key=value DSNs are not supported)`);
  }
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new TypeError(`${JSON.stringify(maskDsnText(dsn).slice(0, 80))} is not a valid PostgreSQL URL; write postgres://user:password@host:5432/db`);
  }
  const q = url.searchParams;
  const host = q.get('host') ?? decode(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  const portText = q.get('port') ?? url.port;
  const port = portText === '' ? 5432 : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`port ${JSON.stringify(portText)} in ${maskDsnText(dsn)} is not a port number`);
  const database = decode(url.pathname.replace(/^\//, '')) || q.get('dbname') || undefined;
  const user = decode(url.username) || q.get('user') || undefined;
  const password = url.password !== '' ? decode(url.password) : (q.get('password') ?? undefined);
  return { host: host || 'localhost', port, user, password, database, sslmode: sslmode(q.get('sslmode') ?? undefined, maskDsnText(dsn)) };
}

function fromParts(p: Record<string, unknown>): PgTarget {
  const str = (k: string): string | undefined => {
    const v = p[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new TypeError(`the ${k} of a PostgreSQL target must be a string, got ${typeof v}`);
    return v;
  };
  const host = str('host');
  if (host === undefined || host === '') throw new TypeError('a PostgreSQL target object needs a host: { host, port, user, password, database }');
  const port = p['port'] === undefined ? 5432 : Number(p['port']);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`the port of a PostgreSQL target must be a port number, got ${JSON.stringify(p['port'])}`);
  return { host, port, user: str('user'), password: str('password'), database: str('database'), sslmode: sslmode(str('sslmode'), `host ${host}`) };
}

function sslmode(v: string | undefined, where: string): PgTarget['sslmode'] {
  if (v === undefined || v === 'disable' || v === 'allow' || v === 'prefer') return 'disable';
  if (v === 'require' || v === 'verify-ca') return 'require';
  if (v === 'verify-full') return 'verify-full';
  throw new TypeError(`sslmode ${JSON.stringify(v)} for ${where} is not one of ${SSLMODES.join(', ')}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The target as people see it: `postgres://ops:***@10.0.0.2:5432/app`. */
export function describeTarget(t: PgTarget): string {
  const user = t.user === undefined ? '' : `${encodeURIComponent(t.user)}${t.password === undefined ? '' : `:${MASK}`}@`;
  const socket = t.host.startsWith('/');
  const host = socket ? '' : t.host.includes(':') ? `[${t.host}]` : t.host;
  const params = [socket ? `host=${t.host}` : '', t.sslmode === 'disable' ? '' : `sslmode=${t.sslmode}`].filter(Boolean).join('&');
  return `postgres://${user}${host}:${t.port}/${t.database ?? ''}${params ? `?${params}` : ''}`;
}

/**
 * The masked form of anything given as a target, for rendering: parses when it can; otherwise
 * masks `user:password@` and `password=` in the text.
 */
export function describeConn(value: unknown): string {
  try {
    return describeTarget(toTarget(value));
  } catch {
    return typeof value === 'string' ? maskDsnText(value) : String(value);
  }
}

/** Masks a password in any DSN-like text, parsable or not. */
export function maskDsnText(s: string): string {
  return s.replace(/(\/\/[^/:@\s]*:)[^@/\n]*@/g, `$1${MASK}@`).replace(/(password=)[^&\s]*/gi, `$1${MASK}`);
}

/**
 * Calls the lazy fields of a literal parts object (`{ host, password: c => c.params.pw }`) with `c`.
 * Only a literal object's fields are called: an object computed by `c => …` is used as it is.
 */
export function resolveConnFields(value: unknown, literal: boolean, c: unknown): unknown {
  if (!literal || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'function') {
      out[k] = v;
      continue;
    }
    try {
      out[k] = (v as (c: unknown) => unknown)(c);
    } catch (e) {
      throw new TypeError(`the ${k} of the PostgreSQL target: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

/** For dry-run: the target with unknown parts shown as placeholders (`<steps.find.value>`) and the password masked. */
export function renderConn(value: unknown): string {
  if (typeof value === 'string') return describeConn(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return String(value);
  const p = value as Record<string, unknown>;
  try {
    return describeTarget(toTarget(p));
  } catch {
    const text = (k: string): string => (p[k] === undefined ? '' : String(p[k]));
    const user = p['user'] === undefined ? '' : `${text('user')}${p['password'] === undefined ? '' : `:${MASK}`}@`;
    return `postgres://${user}${text('host')}:${p['port'] === undefined ? 5432 : text('port')}/${text('database')}`;
  }
}
