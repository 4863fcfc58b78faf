import type { PatroniClusterResult, PatroniMember } from '../../../dsl/results.js';
import type { ActionEnv } from '../../modes/types.js';
import { callFirst, type ApiAnswer } from './http.js';
import type { ApiBase } from './url.js';

export const LEADER_ROLES = ['leader', 'standby_leader', 'master', 'primary'];
export const REPLICA_ROLES = ['replica', 'sync_standby'];
/** Patroni 3.0 says `running` for a healthy replica; later versions say `streaming`. */
export const HEALTHY_STATES = ['running', 'streaming'];

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function member(m: Record<string, unknown>): PatroniMember {
  const lag = m['lag'];
  return {
    name: String(m['name'] ?? ''),
    role: String(m['role'] ?? ''),
    state: String(m['state'] ?? ''),
    host: typeof m['host'] === 'string' ? m['host'] : null,
    port: num(m['port']),
    apiUrl: typeof m['api_url'] === 'string' ? m['api_url'] : null,
    timeline: num(m['timeline']),
    lag: typeof lag === 'number' ? lag : lag === undefined || lag === null ? null : 'unknown',
  };
}

/** GET /cluster's answer as data. */
export function clusterResult(a: ApiAnswer): PatroniClusterResult {
  const base = { url: a.url, status: a.status, durationMs: a.durationMs, members: [], leader: null, timeline: null, paused: false, scheduledSwitchover: null };
  if (a.error) return { ok: false, ...base, error: a.error };
  const body = a.json as { members?: unknown; pause?: unknown; scheduled_switchover?: Record<string, unknown> } | undefined;
  if (a.status !== 200 || !body || !Array.isArray(body.members)) {
    return { ok: false, ...base, error: { code: `HTTP${a.status ?? ''}`, message: a.text.trim().slice(0, 300) || 'GET /cluster did not return a member list' } };
  }
  const members = body.members.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null).map(member);
  const leader = members.find((m) => LEADER_ROLES.includes(m.role)) ?? null;
  const s = body.scheduled_switchover;
  return {
    ...base,
    ok: true,
    members,
    leader: leader?.name ?? null,
    timeline: leader?.timeline ?? null,
    paused: body.pause === true,
    scheduledSwitchover: s && typeof s['at'] === 'string' ? { at: s['at'], from: typeof s['from'] === 'string' ? s['from'] : null, to: typeof s['to'] === 'string' ? s['to'] : null } : null,
  };
}

export async function getCluster(env: ActionEnv, apis: readonly ApiBase[], timeoutMs: number): Promise<PatroniClusterResult> {
  return clusterResult(await callFirst(env, apis, 'GET', '/cluster', undefined, timeoutMs));
}

/** Like `patronictl list`: one member a line. */
export function clusterTable(r: PatroniClusterResult): string {
  const rows = r.members.map((m) => [m.name, m.host === null ? '' : `${m.host}:${m.port ?? ''}`, m.role, m.state, m.timeline === null ? '' : `TL ${m.timeline}`, m.lag === null ? '' : `lag ${m.lag}`]);
  const widths = rows.reduce((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [] as number[]);
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  if (r.paused) lines.push('(maintenance mode: paused)');
  if (r.scheduledSwitchover) lines.push(`scheduled switchover at ${r.scheduledSwitchover.at}${r.scheduledSwitchover.from ? ` from ${r.scheduledSwitchover.from}` : ''}${r.scheduledSwitchover.to ? ` to ${r.scheduledSwitchover.to}` : ''}`);
  return lines.join('\n');
}

export function memberSummary(r: PatroniClusterResult): string {
  return r.members.map((m) => `${m.name} (${m.role}, ${m.state}${m.timeline === null ? '' : `, TL ${m.timeline}`}${m.lag === null ? '' : `, lag ${m.lag}`})`).join(', ') || 'no members';
}
