import { maskDsnText } from '../../../dsl/actions/pg-conn.js';
import { UsageError } from '../../errors.js';

/** Whether a `--store` value names a PostgreSQL store rather than a directory. */
export function isPgUrl(spec: string): boolean {
  return /^postgres(ql)?:/i.test(spec.trim());
}

/** The URL as it may be shown: the password (in user info or `?password=`) masked. */
export function maskStoreUrl(spec: string): string {
  return maskDsnText(spec);
}

export interface PgStoreUrl {
  /** The URL as given, for the driver. */
  readonly url: string;
  /** For people: password masked. */
  readonly shown: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** Checks a PostgreSQL store URL before any connection: a mistake is a clear exit 2, the password never repeated. */
export function parseStoreUrl(spec: string): PgStoreUrl {
  const shown = maskStoreUrl(spec);
  const bad = (why: string): UsageError =>
    new UsageError(`--store ${shown} is not a usable PostgreSQL URL: ${why}. Write postgres://user:password@host:5432/database (or set RUNBOOK_STORE to it). Nothing was written.`);
  let u: URL;
  try {
    u = new URL(spec.trim());
  } catch {
    throw bad('it does not parse as a URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw bad(`the scheme is ${u.protocol.replace(/:$/, '')}, not postgres`);
  if (u.hostname === '') throw bad('it names no host');
  const port = u.port === '' ? 5432 : Number(u.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw bad(`port ${u.port} is not a port number`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  if (database.includes('/')) throw bad(`"${database}" is not a database name`);
  return { url: spec.trim(), shown, host: u.hostname, port, user: decodeURIComponent(u.username) || 'postgres', database };
}
