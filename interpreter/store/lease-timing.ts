import { UsageError } from '../errors.js';

export interface LeaseTiming {
  /** How often a live run renews its lease. */
  readonly heartbeatMs: number;
  /** How long after its last heartbeat a lease counts as abandoned (its holder died) and may be taken over. */
  readonly ttlMs: number;
}

/**
 * Lease heartbeat and expiry: every 5 s, expired after 30 s without one. `RUNBOOK_LEASE_HEARTBEAT_MS`
 * and `RUNBOOK_LEASE_TTL_MS` change them (tests use short ones); the expiry must cover two heartbeats.
 */
export function leaseTiming(env: NodeJS.ProcessEnv = process.env): LeaseTiming {
  const read = (name: string, dflt: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 10) throw new UsageError(`${name}=${JSON.stringify(raw)} is not a duration in milliseconds (a whole number ≥ 10). Unset it to use the default (${dflt}).`);
    return n;
  };
  const heartbeatMs = read('RUNBOOK_LEASE_HEARTBEAT_MS', 5_000);
  const ttlMs = read('RUNBOOK_LEASE_TTL_MS', 30_000);
  if (ttlMs < 2 * heartbeatMs) {
    throw new UsageError(`RUNBOOK_LEASE_TTL_MS (${ttlMs}) must be at least twice RUNBOOK_LEASE_HEARTBEAT_MS (${heartbeatMs}), or a live run's lease could expire between two heartbeats.`);
  }
  return { heartbeatMs, ttlMs };
}

/** How often readers poll a file store for new events or votes (PostgreSQL is told at once, LISTEN/NOTIFY). */
export function pollMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['RUNBOOK_POLL_MS'] ?? 150);
  return Number.isInteger(n) && n >= 10 ? n : 150;
}
