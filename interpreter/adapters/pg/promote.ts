/**
 * The stages of pg.promote, run by the generic promote adapter (precheck → fence? → action → verify).
 * Each stage reports `facts` (old → new primary, timelines, lag) that the promotion's result merges.
 */
import type { PgNode } from '../../../dsl/nodes.js';
import type { PgPromoteResult } from '../../../dsl/results.js';
import { PG_SQL } from '../../../dsl/actions/pg-sql.js';
import { resolve } from '../../engine/context.js';
import { sleep } from '../../engine/sleep.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { isConnectionError } from './errors.js';
import { parseStandby } from './lag.js';
import { lsnBytes, num } from './lsn.js';
import { resolveParams } from './resolve-params.js';
import { failureText, pgResult } from './result.js';
import { runStatements, type Ran } from './statement.js';
import { describeTarget, resolveTarget, scrub, type PgTarget } from './target.js';

type Facts = { -readonly [K in keyof Omit<PgPromoteResult, 'ok' | 'failedStage' | 'stages'>]-?: PgPromoteResult[K] };
const RO = { readOnly: true } as const;
/** A primary that is down should not hold the precheck for long. */
const PRIMARY_CONNECT_TIMEOUT_MS = 5_000;
const VERIFY_POLL_MS = 10_000;

/** Collects what a stage says (shown live, kept as its text) and builds its outcome. */
class Stage {
  readonly lines: string[] = [];
  constructor(private readonly env: ActionEnv, readonly facts: Partial<Facts>) {}
  say(line: string): void {
    this.lines.push(line);
    this.env.onOutput('stdout', `${line}\n`);
  }
  ok(extra: Record<string, unknown> = {}): ActionOutcome {
    return { ok: true, result: { ok: true, facts: this.facts, notes: this.lines, ...extra }, text: this.lines.join('\n') };
  }
  fail(reason: string, timedOut = false, extra: Record<string, unknown> = {}): ActionOutcome {
    this.say(`✖ ${reason}`);
    return { ok: false, result: { ok: false, facts: this.facts, notes: this.lines, ...extra }, text: this.lines.join('\n'), error: reason, timedOut };
  }
}

function firstValue(ran: Ran, column: string): unknown {
  return ran.ok ? ran.results[0]?.rows[0]?.[column] : undefined;
}

function why(ran: Ran): string {
  return ran.ok ? '' : `${ran.error.code} ${ran.error.message}`;
}

export async function promotePrecheck(node: PgNode, env: ActionEnv, t: PgTarget): Promise<ActionOutcome> {
  const standby = describeTarget(t);
  const facts: Facts = { driver: 'postgres', oldPrimary: null, newPrimary: standby, timelineBefore: null, timelineAfter: null, lagBytesAtPromote: null, lagMeasuredOn: null };
  const st = new Stage(env, facts);

  const role = await runStatements(env, t, [{ text: PG_SQL.inRecovery }], RO);
  if (!role.ok) return st.fail(`the standby ${standby} did not answer: ${why(role)}`, role.timedOut);
  if (firstValue(role, 'value') !== true) return st.fail(`${standby} is not in recovery: it is already a primary, so there is nothing to promote. Check which node is which.`);
  const state = await runStatements(env, t, [{ text: PG_SQL.standbyLag }], RO);
  if (!state.ok) return st.fail(`the standby ${standby} did not report its replication state: ${why(state)}`, state.timedOut);
  const s = parseStandby(state.results[0]?.rows[0]);
  facts.timelineBefore = s.timeline;
  const receiver = s.receiver?.status ?? 'not running';
  const upstream = s.receiver?.senderHost ? `${s.receiver.senderHost}:${s.receiver.senderPort ?? 5432}` : null;
  st.say(`standby ${standby}: in recovery, timeline ${s.timeline ?? '?'}, WAL receiver ${receiver}${upstream ? ` from ${upstream}` : ''}, received ${s.receiveLsn ?? '-'} replayed ${s.replayLsn ?? '-'}${s.replayPaused ? ', replay PAUSED' : ''}`);

  let lag = s.bytes;
  let on: 'primary' | 'standby' = 'standby';
  if (node.primary !== undefined) {
    const target = primaryTarget(node.primary, env);
    if ('error' in target) return st.fail(target.error);
    const p = target.p;
    const primary = describeTarget(p);
    facts.oldPrimary = primary;
    const prole = await runStatements(env, p, [{ text: PG_SQL.inRecovery }], { readOnly: true, connectTimeoutMs: PRIMARY_CONNECT_TIMEOUT_MS });
    if (!prole.ok && isConnectionError(prole.error)) {
      st.say(`old primary ${primary}: not reachable (${why(prole)}); lag measured on the standby (received − replayed): WAL the primary never sent is not counted`);
      if (s.receiver?.status === 'streaming') st.say(`note: the standby still streams from ${upstream ?? 'its primary'}: the primary may be alive and only unreachable from here; unless the fence stops it, there will be two primaries`);
    } else if (!prole.ok) {
      return st.fail(`the old primary ${primary} answered with an error: ${why(prole)}`);
    } else if (firstValue(prole, 'value') === true) {
      return st.fail(`the "primary" ${primary} is in recovery itself (a standby): check the targets before promoting.`);
    } else {
      const pos = await runStatements(env, p, [{ text: PG_SQL.primaryPosition }], { readOnly: true, connectTimeoutMs: PRIMARY_CONNECT_TIMEOUT_MS });
      if (!pos.ok) return st.fail(`the old primary ${primary} did not report its WAL position: ${why(pos)}`);
      if (s.receiver?.status !== 'streaming') {
        return st.fail(`the old primary ${primary} is up but the standby's WAL receiver is ${receiver}, not streaming: the standby is not following it, so its lag cannot be trusted. Fix replication first, or stop the primary and run the promotion again.`);
      }
      const current = lsnBytes(firstValue(pos, 'lsn'));
      const replayed = lsnBytes(s.replayLsn);
      lag = current === null || replayed === null ? null : Math.max(0, current - replayed);
      on = 'primary';
      st.say(`old primary ${primary}: up, timeline ${num(firstValue(pos, 'timeline')) ?? '?'}, WAL at ${String(firstValue(pos, 'lsn'))}; the standby has replayed up to ${s.replayLsn ?? '-'}: ${lag ?? 'unknown'} bytes behind`);
      st.say('note: the old primary still accepts writes; unless the fence stops it, there will be two primaries after the promotion');
    }
  } else {
    facts.oldPrimary = upstream === null ? null : `postgres://${upstream}`;
    if (s.receiver?.status === 'streaming') st.say(`note: the WAL receiver streams from ${upstream ?? 'its primary'}, which looks alive; unless the fence stops it, there will be two primaries after the promotion`);
    st.say('lag measured on the standby (received − replayed); no primary was given');
  }
  facts.lagBytesAtPromote = lag;
  facts.lagMeasuredOn = on;

  let max: unknown;
  try {
    max = node.maxLagBytes === undefined ? undefined : resolve(node.maxLagBytes, env.ctx, 'pg.promote maxLagBytes');
  } catch (e) {
    return st.fail(e instanceof Error ? e.message : String(e));
  }
  if (max !== undefined) {
    if (typeof max !== 'number' || !Number.isFinite(max)) return st.fail(`maxLagBytes must be a number, got ${JSON.stringify(max)}`);
    if (lag === null) return st.fail(`the lag cannot be measured (no WAL received by streaming yet), and maxLagBytes is ${max}: not promoting.`);
    if (lag > max) return st.fail(`the standby is ${lag} bytes behind (measured on the ${on}), more than maxLagBytes ${max}: not promoting. Wait for it to catch up (is replay paused?), or raise the bound knowingly.`);
    st.say(`lag ${lag} bytes ≤ maxLagBytes ${max} (measured on the ${on})`);
  } else {
    st.say(`lag ${lag ?? 'unknown'} bytes (measured on the ${on}); no maxLagBytes bound`);
  }
  return st.ok({ standby: s });
}

export async function promoteAction(node: PgNode, env: ActionEnv, t: PgTarget): Promise<ActionOutcome> {
  const standby = describeTarget(t);
  const st = new Stage(env, { newPrimary: standby });
  let values: readonly unknown[];
  try {
    values = resolveParams(node.params, env.ctx) ?? [60];
  } catch (e) {
    return st.fail(e instanceof Error ? e.message : String(e));
  }
  if (node.primary !== undefined) {
    const target = primaryTarget(node.primary, env);
    if ('error' in target) return st.fail(target.error);
    const p = target.p;
    const primary = describeTarget(p);
    const still = await runStatements(env, p, [{ text: PG_SQL.inRecovery }], { readOnly: true, connectTimeoutMs: PRIMARY_CONNECT_TIMEOUT_MS });
    if (still.ok && firstValue(still, 'value') === false) {
      return st.fail(`the old primary ${primary} still accepts connections as a primary (no fence, or the fence did not stop it): not promoting, or there would be two primaries. Stop it (or cut it off from its clients and give pg.promote allowOldPrimaryUp: true), then run this step again.`);
    }
    st.say(still.ok ? `old primary ${primary}: in recovery now, not a primary` : `old primary ${primary}: not reachable (${why(still)}): fenced or down`);
  }
  st.say(`${standby}: ${node.sql.replace('$1', String(values[0]))}`);
  const ran = await runStatements(env, t, [{ text: node.sql, values }], { readOnly: false });
  const r = pgResult(standby, node.sql, ran);
  if (!r.ok) return st.fail(failureText(r), r.timedOut, { pg: r });
  if (r.rows[0]?.['promoted'] !== true) {
    return st.fail(`pg_promote returned false: ${standby} did not finish promoting within ${String(values[0])} s. It may still finish: check pg_is_in_recovery() before anything else.`, false, { pg: r });
  }
  st.say(`promoted (${r.durationMs} ms)`);
  return st.ok({ pg: r });
}

export async function promoteVerify(node: PgNode, env: ActionEnv, t: PgTarget): Promise<ActionOutcome> {
  const standby = describeTarget(t);
  const st = new Stage(env, { newPrimary: standby });
  const until = performance.now() + Math.min(VERIFY_POLL_MS, env.timeoutMs ?? VERIFY_POLL_MS);
  let inRecovery: unknown = true;
  for (;;) {
    const ran = await runStatements(env, t, [{ text: PG_SQL.inRecovery }], RO);
    if (!ran.ok) return st.fail(`${standby} did not answer after the promotion: ${why(ran)}`, ran.timedOut);
    inRecovery = firstValue(ran, 'value');
    if (inRecovery === false || performance.now() + 250 > until || env.signal.aborted) break;
    await sleep(250, env.signal);
  }
  if (inRecovery !== false) return st.fail(`${standby} is still in recovery after the promotion.`);
  const write = await runStatements(env, t, PG_SQL.verifyWrite.map((text) => ({ text })), { readOnly: false });
  if (!write.ok) return st.fail(`${standby} is out of recovery but refused a write (${PG_SQL.verifyWrite.join('; ')}): ${why(write)}`, write.timedOut);
  const pos = await runStatements(env, t, [{ text: PG_SQL.primaryPosition }], RO);
  const timeline = num(firstValue(pos, 'timeline'));
  st.facts.timelineAfter = timeline;
  const tb = env.promotion?.['timelineBefore'];
  st.say(`${standby}: not in recovery, timeline ${typeof tb === 'number' ? `${tb} → ` : ''}${timeline ?? '?'}, a write was accepted (temp table, rolled back)`);
  if (typeof tb === 'number' && timeline !== null && timeline <= tb) st.say(`warning: the timeline did not advance (${tb} → ${timeline}); check pg_controldata and the timeline history before pointing clients here`);
  return st.ok();
}

/** The old primary's target, resolved from the run; a bad target is a message (password scrubbed), not a throw. */
function primaryTarget(v: NonNullable<PgNode['primary']>, env: ActionEnv): { p: PgTarget } | { error: string } {
  try {
    return { p: resolveTarget(v, env.ctx, 'pg.promote primary') };
  } catch (e) {
    return { error: `the primary's target: ${scrub(e instanceof Error ? e.message : String(e), undefined)}` };
  }
}
