import { RunbookDefinitionError } from '../ids.js';
import { parseDuration, type Duration } from '../duration.js';
import { lazy, type LazyValue, type PatroniNode, type PromoteNode } from '../nodes.js';
import type { PatroniClusterResult, PatroniPromoteResult } from '../results.js';
import { makeAction, type Action } from './action.js';

/** Base URL(s) of the nodes' REST APIs (`http://10.0.0.5:8008`), tried in order; `c => …` allowed. Credentials in the URL become basic auth. */
export type PatroniApi<C> = string | readonly string[] | ((c: C) => string | readonly string[]);
type L<T, C> = T | ((c: C) => T);

export interface PatroniSwitchoverOptions<C> {
  readonly api: PatroniApi<C>;
  /** The member we believe leads now; Patroni refuses when it does not. */
  readonly leader: L<string, C>;
  /** The replica to hand over to. */
  readonly candidate: L<string, C>;
  /** Schedule instead of switching now (ISO 8601 with a time zone, or a Date). */
  readonly scheduledAt?: L<string | Date, C>;
  /** The candidate's lag bound (bytes); default: maximum_lag_on_failover from GET /config. */
  readonly maxLagBytes?: L<number, C>;
  /** How long to wait for the new topology (default 2m). */
  readonly timeout?: Duration;
}

export interface PatroniFailoverOptions<C> {
  readonly api: PatroniApi<C>;
  readonly candidate: L<string, C>;
  readonly maxLagBytes?: L<number, C>;
  readonly timeout?: Duration;
}

const DEFAULT_TIMEOUT_MS = 120_000;

function apiValue(api: unknown, where: string): LazyValue {
  if (typeof api === 'function') return lazy(api);
  const list = typeof api === 'string' ? [api] : Array.isArray(api) ? (api as unknown[]) : undefined;
  if (list === undefined || list.length === 0) throw new RunbookDefinitionError(`${where}: api must be the base URL of a node's REST API ("http://10.0.0.5:8008"), a list of them, or c => either.`);
  for (const u of list) {
    if (typeof u !== 'string' || !/^https?:\/\/[^/\s]+/i.test(u)) {
      throw new RunbookDefinitionError(`${where}: ${JSON.stringify(typeof u === 'string' ? u.replace(/\/\/[^@/]*@/, '//***@') : u)} is not a REST API base URL; write "http://10.0.0.5:8008".`);
    }
  }
  return lazy(Object.freeze([...(list as string[])]));
}

function name(v: unknown, what: string, where: string): LazyValue {
  if (typeof v === 'function' || (typeof v === 'string' && v.trim() !== '')) return lazy(v);
  throw new RunbookDefinitionError(`${where}: ${what} must be a member name (as in patronictl list) or c => name, got ${JSON.stringify(v)}.`);
}

function checkKeys(o: object, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new RunbookDefinitionError(`${where}: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${allowed.join(', ')}.`);
}

function maxLag(v: unknown, where: string): LazyValue | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'function' || (typeof v === 'number' && Number.isFinite(v) && v >= 0)) return lazy(v);
  throw new RunbookDefinitionError(`${where}: maxLagBytes must be a number of bytes ≥ 0 or c => number, got ${JSON.stringify(v)}.`);
}

function patroniNode(op: PatroniNode['op'], p: Omit<PatroniNode, 'type' | 'op' | 'readOnly'>): PatroniNode {
  return Object.freeze({ type: 'patroni', op, readOnly: op === 'cluster' || op === 'precheck', ...p });
}

function promotion(operation: 'switchover' | 'failover', o: PatroniSwitchoverOptions<unknown> | PatroniFailoverOptions<unknown>): PromoteNode {
  const where = `patroni.${operation}`;
  if (typeof o !== 'object' || o === null) throw new RunbookDefinitionError(`${where}({ api, ${operation === 'switchover' ? 'leader, ' : ''}candidate }) needs an object.`);
  checkKeys(o, operation === 'switchover' ? ['api', 'leader', 'candidate', 'scheduledAt', 'maxLagBytes', 'timeout'] : ['api', 'candidate', 'maxLagBytes', 'timeout'], where);
  const s = o as Partial<PatroniSwitchoverOptions<unknown>>;
  const base = {
    operation,
    api: apiValue(o.api, `${where} api`),
    leader: operation === 'switchover' ? name(s.leader, 'leader', where) : undefined,
    candidate: name(o.candidate, 'candidate', where),
    scheduledAt: s.scheduledAt === undefined ? undefined : lazy(s.scheduledAt),
    maxLagBytes: maxLag(o.maxLagBytes, where),
    timeoutMs: o.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(o.timeout, `${where} timeout`),
  };
  return {
    type: 'promote',
    driver: 'patroni',
    precheck: patroniNode('precheck', base),
    fence: undefined,
    action: patroniNode('request', base),
    verify: patroniNode('verify', base),
  };
}

export const patroni = {
  /** GET /cluster from the first node that answers: members, roles, states, timelines, lag. Read-only (runs in `--probe`). */
  cluster<C>(api: PatroniApi<C>, options: { readonly timeout?: Duration } = {}): Action<PatroniClusterResult, C> {
    return makeAction(patroniNode('cluster', {
      operation: undefined, api: apiValue(api, 'patroni.cluster'), leader: undefined, candidate: undefined, scheduledAt: undefined, maxLagBytes: undefined,
      timeoutMs: options.timeout === undefined ? undefined : parseDuration(options.timeout, 'patroni.cluster timeout'),
    }));
  },
  /**
   * For a `promote` step: precheck GET /cluster (the leader is who you said; the candidate is a running
   * replica within the lag bound) → POST /switchover → poll GET /cluster until the candidate leads and
   * the old leader runs as a replica on the new timeline. A refusal (412, 503…) fails with Patroni's text.
   */
  switchover<C>(o: PatroniSwitchoverOptions<C>): Action<PatroniPromoteResult, C> {
    return makeAction(promotion('switchover', o as PatroniSwitchoverOptions<unknown>));
  },
  /** Like switchover, for a cluster whose leader may be gone: POST /failover to the candidate, then wait until it leads. */
  failover<C>(o: PatroniFailoverOptions<C>): Action<PatroniPromoteResult, C> {
    return makeAction(promotion('failover', o as PatroniFailoverOptions<unknown>));
  },
};
