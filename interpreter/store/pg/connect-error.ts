import { UsageError } from '../../errors.js';
import { pgError } from '../../adapters/pg/errors.js';
import type { PgStoreUrl } from './store-url.js';

/**
 * Why the store cannot be used, in one paragraph, for an error while connecting or migrating: the
 * password never appears (the driver's message is scrubbed of it), and nothing was written.
 */
export function connectError(e: unknown, u: PgStoreUrl, password: string | undefined): UsageError {
  if (e instanceof UsageError) return e;
  const err = pgError(e, password === undefined ? undefined : ({ password } as never));
  const where = `${u.host}:${u.port}`;
  let why: string;
  let fix: string;
  switch (err.code) {
    case 'ECONNREFUSED':
      why = `nothing accepts connections at ${where} (connection refused)`;
      fix = 'Check the host and port, and that PostgreSQL is running there.';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      why = `the host ${u.host} cannot be resolved (DNS)`;
      fix = 'Check the host name.';
      break;
    case 'ETIMEDOUT':
    case 'ECONNTIMEOUT':
      why = `${where} did not answer in time`;
      fix = 'Check the network path to the server (firewall, VPN), or raise RUNBOOK_STORE_CONNECT_TIMEOUT_MS.';
      break;
    case '28P01':
    case 'EAUTH':
      why = `PostgreSQL refused the password of user "${u.user}"`;
      fix = 'Check the password in the URL (or PGPASSWORD / ~/.pgpass).';
      break;
    case '28000':
      why = `PostgreSQL does not let user "${u.user}" in from here (${err.message})`;
      fix = 'Ask the DBA for an entry in pg_hba.conf, or use another user.';
      break;
    case '3D000':
      why = `the database "${u.database}" does not exist`;
      fix = `Create it (createdb ${u.database}) or name another database in the URL.`;
      break;
    case '42501':
      why = `user "${u.user}" may not create the runbook schema (${err.message})`;
      fix = 'Run "runbook store migrate" once as a user allowed to (the database owner), or grant CREATE on the database.';
      break;
    default:
      why = err.message === '' ? err.code : err.message;
      fix = 'Check the URL and the server.';
  }
  if (err.code === 'ECONNTIMEOUT' || /timeout expired|timed out/i.test(err.message)) {
    why = `${where} did not answer in time`;
    fix = 'Check the network path to the server, or raise RUNBOOK_STORE_CONNECT_TIMEOUT_MS.';
  }
  return new UsageError(`Cannot use the run store ${u.shown}: ${why}. ${fix} Nothing was written.`);
}
