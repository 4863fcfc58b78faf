/**
 * The stages of patroni.switchover / patroni.failover, run by the generic promote adapter:
 * precheck (GET /cluster, GET /config) → request (POST /switchover|/failover) → verify (poll GET /cluster).
 * Each reports `facts` (old → new leader, timelines, Patroni's answer) merged into the promotion's result.
 */
import type { PatroniNode } from '../../../dsl/nodes.js';
import type { PatroniClusterResult, PatroniPromoteResult } from '../../../dsl/results.js';
import { resolve } from '../../engine/context.js';
import { sleep } from '../../engine/sleep.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { clusterTable, getCluster, HEALTHY_STATES, LEADER_ROLES, memberSummary, REPLICA_ROLES } from './cluster.js';
import { callFirst } from './http.js';
import { requestBody, type Names } from './body.js';
import { scrubApi, type ApiBase } from './url.js';

export type { Names };

type Facts = { -readonly [K in keyof Omit<PatroniPromoteResult, 'ok' | 'failedStage' | 'stages'>]-?: PatroniPromoteResult[K] };

const GET_TIMEOUT_MS = 5_000;
const POLL_MS = 1_000;
/** Patroni's own default for maximum_lag_on_failover. */
const PATRONI_DEFAULT_MAX_LAG = 1_048_576;

class Stage {
  readonly lines: string[] = [];
  constructor(private readonly env: ActionEnv, private readonly apis: readonly ApiBase[], readonly facts: Partial<Facts>) {}
  say(line: string): void {
    const l = scrubApi(line, this.apis);
    this.lines.push(l);
    this.env.onOutput('stdout', `${l}\n`);
  }
  ok(extra: Record<string, unknown> = {}): ActionOutcome {
    return { ok: true, result: { ok: true, facts: this.facts, notes: this.lines, ...extra }, text: this.lines.join('\n') };
  }
  fail(reason: string, timedOut = false, extra: Record<string, unknown> = {}): ActionOutcome {
    this.say(`✖ ${reason}`);
    const error = scrubApi(reason, this.apis);
    return { ok: false, result: { ok: false, facts: this.facts, notes: this.lines, ...extra }, text: this.lines.join('\n'), error, timedOut };
  }
}

/** The member names and schedule, resolved for this run. */
export function names(node: PatroniNode, env: ActionEnv): Names {
  const text = (v: PatroniNode['leader'], what: string): string | undefined => {
    if (v === undefined) return undefined;
    const x = resolve(v, env.ctx, `patroni ${what}`);
    if (typeof x !== 'string' || x === '') throw new TypeError(`patroni ${what} must be a member name, got ${JSON.stringify(x)}`);
    return x;
  };
  const at = node.scheduledAt === undefined ? undefined : resolve(node.scheduledAt, env.ctx, 'patroni scheduledAt');
  const scheduledAt = at === undefined ? undefined : at instanceof Date ? at.toISOString() : String(at);
  return { leader: text(node.leader, 'leader'), candidate: text(node.candidate, 'candidate') ?? '', scheduledAt };
}

function remaining(env: ActionEnv, started: number, capMs: number): number {
  return env.timeoutMs === undefined ? capMs : Math.max(1, Math.round(Math.min(capMs, env.timeoutMs - (performance.now() - started))));
}

export async function patroniPrecheck(node: PatroniNode, env: ActionEnv, apis: readonly ApiBase[], n: Names): Promise<ActionOutcome> {
  const started = performance.now();
  const op = node.operation ?? 'switchover';
  const facts: Facts = { driver: 'patroni', operation: op, oldPrimary: null, newPrimary: null, timelineBefore: null, timelineAfter: null, message: null, scheduledAt: n.scheduledAt ?? null };
  const st = new Stage(env, apis, facts);
  const cluster = await getCluster(env, apis, remaining(env, started, GET_TIMEOUT_MS));
  if (!cluster.ok) return st.fail(`GET ${cluster.url}: ${cluster.error?.code ?? ''} ${cluster.error?.message ?? ''}`.trim(), cluster.error?.code === 'ETIMEDOUT', { cluster });
  st.say(`GET ${cluster.url}:`);
  for (const line of clusterTable(cluster).split('\n')) st.say(`  ${line}`);
  facts.oldPrimary = cluster.leader;
  facts.timelineBefore = cluster.timeline;
  if (op === 'switchover' && cluster.leader !== n.leader) {
    return st.fail(`the leader is ${cluster.leader === null ? 'nobody (no leader)' : `"${cluster.leader}"`}, not "${n.leader ?? ''}": not switching over. Check the cluster (patronictl list) and the runbook's leader.`, false, { cluster });
  }
  const cand = cluster.members.find((m) => m.name === n.candidate);
  if (cand === undefined) return st.fail(`"${n.candidate}" is not a member of the cluster (members: ${memberSummary(cluster)}).`, false, { cluster });
  if (LEADER_ROLES.includes(cand.role)) return st.fail(`"${n.candidate}" is already the leader: nothing to ${op}.`, false, { cluster });
  if (!REPLICA_ROLES.includes(cand.role) || !HEALTHY_STATES.includes(cand.state)) {
    return st.fail(`"${n.candidate}" is ${cand.role} in state ${cand.state}, not a ${REPLICA_ROLES.join('/')} that is ${HEALTHY_STATES.join('/')}.`, false, { cluster });
  }
  let bound: number;
  let source: string;
  try {
    const given = node.maxLagBytes === undefined ? undefined : resolve(node.maxLagBytes, env.ctx, 'patroni maxLagBytes');
    if (given !== undefined) {
      if (typeof given !== 'number' || !Number.isFinite(given)) throw new TypeError(`maxLagBytes must be a number, got ${JSON.stringify(given)}`);
      bound = given;
      source = 'maxLagBytes';
    } else {
      const config = await callFirst(env, apis, 'GET', '/config', undefined, remaining(env, started, GET_TIMEOUT_MS));
      const fromConfig = (config.json as { maximum_lag_on_failover?: unknown } | undefined)?.maximum_lag_on_failover;
      if (config.status === 200 && typeof fromConfig === 'number') {
        bound = fromConfig;
        source = `maximum_lag_on_failover from GET ${config.url}`;
      } else if (config.status === 200) {
        bound = PATRONI_DEFAULT_MAX_LAG;
        source = `Patroni's default maximum_lag_on_failover, not set in GET ${config.url}`;
      } else {
        return st.fail(`GET ${config.url}: ${config.error ? `${config.error.code} ${config.error.message}` : `status ${config.status ?? ''} ${config.text.trim()}`}; pass maxLagBytes to do without it.`, false, { cluster });
      }
    }
  } catch (e) {
    return st.fail(e instanceof Error ? e.message : String(e), false, { cluster });
  }
  if (cand.lag === 'unknown' || cand.lag === null) return st.fail(`the lag of "${n.candidate}" is unknown to Patroni: not ${op === 'switchover' ? 'switching over' : 'failing over'}.`, false, { cluster });
  if (cand.lag > bound) return st.fail(`"${n.candidate}" is ${cand.lag} bytes behind, more than ${bound} (${source}): not ${op === 'switchover' ? 'switching over' : 'failing over'}.`, false, { cluster });
  st.say(`"${n.candidate}" is a ${cand.role}, ${cand.state}, ${cand.lag} bytes behind ≤ ${bound} (${source})`);
  if (cluster.paused) st.say('note: the cluster is paused (maintenance mode)');
  return st.ok({ cluster });
}

export async function patroniRequest(node: PatroniNode, env: ActionEnv, apis: readonly ApiBase[], n: Names): Promise<ActionOutcome> {
  const started = performance.now();
  const op = node.operation ?? 'switchover';
  const st = new Stage(env, apis, {});
  const body = requestBody(op, n);
  const answer = await callFirst(env, apis, 'POST', `/${op}`, body, remaining(env, started, node.timeoutMs ?? 120_000));
  const message = answer.text.trim();
  st.facts.message = message || null;
  st.say(`POST ${answer.url} ${JSON.stringify(body)}`);
  if (answer.error) return st.fail(`POST ${answer.url}: ${answer.error.code} ${answer.error.message}`, answer.error.code === 'ETIMEDOUT', { status: null });
  st.say(`→ ${answer.status ?? ''} ${message}`);
  const status = answer.status ?? 0;
  if (status >= 200 && status < 300) return st.ok({ status });
  // Patroni wrote the request but did not see it complete within its own wait: verify decides.
  if (status === 503 && /status unknown/i.test(message)) {
    st.say('Patroni does not know yet whether it completed; the verify stage will tell');
    return st.ok({ status });
  }
  return st.fail(`Patroni refused the ${op} (${status}): ${message || '(no message)'}`, false, { status });
}

export async function patroniVerify(node: PatroniNode, env: ActionEnv, apis: readonly ApiBase[], n: Names): Promise<ActionOutcome> {
  const started = performance.now();
  const st = new Stage(env, apis, {});
  const deadline = started + remaining(env, started, node.timeoutMs ?? 120_000);
  let last: PatroniClusterResult | undefined;
  let polls = 0;
  const tb = env.promotion?.['timelineBefore'];
  const before = typeof tb === 'number' ? tb : null;
  for (;;) {
    polls++;
    last = await getCluster(env, apis, Math.max(1, Math.min(GET_TIMEOUT_MS, deadline - performance.now())));
    const verdict = last.ok ? judge(last, n, before) : undefined;
    if (n.scheduledAt !== undefined && last.ok) {
      if (last.scheduledSwitchover) {
        st.facts.scheduledAt = last.scheduledSwitchover.at;
        st.say(`scheduled: ${clusterTable(last).split('\n').at(-1) ?? ''}`);
        return st.ok({ cluster: last });
      }
    } else if (verdict?.done) {
      st.facts.newPrimary = n.candidate;
      st.facts.timelineAfter = last.timeline;
      st.say(`after ${polls} poll${polls === 1 ? '' : 's'}:`);
      for (const line of clusterTable(last).split('\n')) st.say(`  ${line}`);
      st.say(verdict.text);
      return st.ok({ cluster: last });
    }
    if (env.signal.aborted) return st.fail('interrupted while waiting for the new topology');
    if (performance.now() + POLL_MS > deadline) {
      const seen = last.ok ? memberSummary(last) : `${last.error?.code ?? ''} ${last.error?.message ?? ''}`;
      const wanted = n.scheduledAt !== undefined ? 'the scheduled switchover to show in GET /cluster' : (verdict?.text ?? `"${n.candidate}" to lead`);
      return st.fail(`still waiting for ${wanted} after ${Math.round((performance.now() - started) / 1000)} s (${polls} polls); last seen: ${seen}`, true, { cluster: last });
    }
    await sleep(POLL_MS, env.signal);
  }
}

/**
 * Done when the candidate leads (running) on a timeline after the one before (when the precheck saw it)
 * and, for a switchover, the old leader runs as a replica on the leader's timeline.
 */
function judge(c: PatroniClusterResult, n: Names, before: number | null): { done: boolean; text: string } {
  const lead = c.members.find((m) => m.name === n.candidate);
  if (!lead || !LEADER_ROLES.includes(lead.role) || lead.state !== 'running') {
    return { done: false, text: `"${n.candidate}" to lead (now ${lead ? `${lead.role}, ${lead.state}` : 'absent'})` };
  }
  if (before !== null && (lead.timeline === null || lead.timeline <= before)) {
    return { done: false, text: `"${n.candidate}" to lead on a timeline after ${before} (now TL ${lead.timeline ?? '?'})` };
  }
  if (n.leader === undefined) return { done: true, text: `"${n.candidate}" leads on timeline ${lead.timeline ?? '?'}` };
  const old = c.members.find((m) => m.name === n.leader);
  const back = old !== undefined && REPLICA_ROLES.includes(old.role) && HEALTHY_STATES.includes(old.state) && old.timeline !== null && old.timeline === lead.timeline;
  if (!back) {
    return { done: false, text: `"${n.leader}" to run as a replica on timeline ${lead.timeline ?? '?'} (now ${old ? `${old.role}, ${old.state}, TL ${old.timeline ?? '?'}` : 'absent'})` };
  }
  return { done: true, text: `"${n.candidate}" leads on timeline ${lead.timeline ?? '?'}; "${n.leader}" follows as a ${old.role} on the same timeline` };
}
