import type { RedisNode } from '../../../dsl/nodes.js';
import type { ParsedRedisConn } from '../../../dsl/actions/redis.js';
import type { RedisInfoResult, RedisReplicaState, RedisResult } from '../../../dsl/results.js';
import { sleep } from '../../engine/sleep.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { dropRedisClient, redisClient } from './client.js';
import { commandText, resolveArgs, resolveConn } from './describe.js';
import { redisError, type RedisError } from './errors.js';
import { parseInfo, plainReply, replyText } from './reply.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const VERIFY_INTERVAL_MS = 200;

interface Sent {
  readonly ok: boolean;
  readonly reply: unknown;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly error?: RedisError;
}

/** One command; every failure (connect, auth, timeout, server error, abort) comes back as data. */
async function send(env: ActionEnv, conn: ParsedRedisConn, command: string, args: readonly string[], timeoutMs: number): Promise<Sent> {
  const started = performance.now();
  const took = (): number => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<RedisError & { timedOut: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ code: 'ETIMEDOUT', message: `no reply within ${timeoutMs} ms`, timedOut: true }), timeoutMs);
    onAbort = () => resolve({ code: 'EABORTED', message: 'interrupted', timedOut: false });
    if (env.signal.aborted) onAbort();
    else env.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const work = redisClient(env, conn).then((r) => r.call(command, ...args));
    work.catch(() => undefined);
    const r = await Promise.race([work.then((reply) => ({ reply })), stop]);
    if ('reply' in r) return { ok: true, reply: plainReply(r.reply), durationMs: took(), timedOut: false };
    // A command still in flight leaves the connection out of step with its replies: start afresh next time.
    void dropRedisClient(env, conn);
    return { ok: false, reply: null, durationMs: took(), timedOut: r.timedOut, error: { code: r.code, message: r.message } };
  } catch (e) {
    return { ok: false, reply: null, durationMs: took(), timedOut: false, error: redisError(e) };
  } finally {
    clearTimeout(timer);
    if (onAbort) env.signal.removeEventListener('abort', onAbort);
  }
}

export async function runRedis(node: RedisNode, env: ActionEnv): Promise<ActionOutcome> {
  switch (node.op) {
    case 'command':
    case 'info':
      return command(node, env);
    case 'promote-precheck':
      return precheck(node, env);
    case 'promote-verify':
      return verify(node, env);
  }
}

function target(node: RedisNode, env: ActionEnv, what = 'redis connection'): { conn: ParsedRedisConn; text: string } {
  const { conn, text } = resolveConn(node.conn, env.ctx, what);
  if (conn === null) throw new TypeError(`${what}: ${text} is not known in this run`);
  return { conn, text };
}

function failure(target: string, command: string, e: RedisError): string {
  return `redis ${target}: ${command}: ${e.code} ${e.message}`;
}

async function command(node: RedisNode, env: ActionEnv): Promise<ActionOutcome> {
  const { conn, text: t } = target(node, env);
  const args = resolveArgs(node, env.ctx);
  const cmd = commandText(node.command, args);
  const s = await send(env, conn, node.command, args, env.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const text = s.ok ? replyText(s.reply) : '';
  const base: RedisResult = { ok: s.ok, target: t, command: cmd, reply: s.reply, text, durationMs: s.durationMs, ...(s.error ? { error: s.error } : {}) };
  const result: RedisResult | RedisInfoResult = node.op === 'info' ? { ...base, info: s.ok ? parseInfo(text) : {} } : base;
  return { ok: s.ok, result, text, timedOut: s.timedOut, ...(s.error ? { error: failure(t, cmd, s.error) } : {}) };
}

function num(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The replica before anything changes: its ROLE must be slave; link state and lag are reported. */
async function precheck(node: RedisNode, env: ActionEnv): Promise<ActionOutcome> {
  const { conn, text: t } = target(node, env);
  const timeoutMs = env.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const role = await send(env, conn, 'ROLE', [], timeoutMs);
  if (!role.ok) {
    const e = role.error ?? { code: 'EREDIS', message: 'no reply' };
    const facts = { driver: 'redis', oldPrimary: node.primary === undefined ? null : resolveConn(node.primary, env.ctx, 'redis primary').text, newPrimary: null, roleBefore: null, roleAfter: null, before: null };
    return { ok: false, result: { ...stateOf(t, 'unknown', {}, null, e), facts }, text: '', timedOut: role.timedOut, error: failure(t, 'ROLE', e) };
  }
  const roleName = Array.isArray(role.reply) ? String(role.reply[0]) : String(role.reply);
  const info = await send(env, conn, 'INFO', ['replication'], timeoutMs);
  const rep = info.ok ? parseInfo(replyText(info.reply)) : {};
  let primaryOffset: number | null = null;
  let primaryNote = '';
  if (node.primary !== undefined) {
    const p = resolveConn(node.primary, env.ctx, 'redis primary');
    if (p.conn !== null) {
      const pi = await send(env, p.conn, 'INFO', ['replication'], Math.min(timeoutMs, 3_000));
      if (pi.ok) primaryOffset = num(parseInfo(replyText(pi.reply))['master_repl_offset']);
      else primaryNote = `; primary ${p.text} did not answer (${pi.error?.code ?? 'error'}), lag unknown`;
    }
  }
  const state = stateOf(t, roleName, rep, primaryOffset);
  // What the promotion's result reports (merged by runPromote): the old primary, the role and link state before.
  const primaryText = node.primary === undefined ? null : resolveConn(node.primary, env.ctx, 'redis primary').text;
  const oldPrimary = state.masterHost !== null ? `redis://${state.masterHost.includes(':') ? `[${state.masterHost}]` : state.masterHost}:${state.masterPort ?? 6379}` : primaryText;
  const facts = { driver: 'redis', oldPrimary, newPrimary: null, roleBefore: roleName, roleAfter: null, before: state };
  const lines = [
    `role: ${roleName}${state.masterHost ? ` of ${state.masterHost}:${state.masterPort ?? '?'}` : ''}`,
    `master_link_status: ${state.masterLinkStatus ?? '?'}, master_last_io_seconds_ago: ${state.masterLastIoSecondsAgo ?? '?'}, master_sync_in_progress: ${state.masterSyncInProgress === null ? '?' : state.masterSyncInProgress ? 1 : 0}`,
    `offset: ${state.offset ?? '?'}${state.primaryOffset === null ? '' : `, primary offset: ${state.primaryOffset}, lag: ${state.lagBytes ?? '?'} bytes`}${primaryNote}`,
  ];
  const text = lines.join('\n');
  env.onOutput('stdout', `${text}\n`);
  if (roleName !== 'slave') {
    return { ok: false, result: { ...state, facts }, text, error: `redis ${t} is not a replica (ROLE says ${roleName}): nothing to promote` };
  }
  return { ok: true, result: { ...state, facts }, text };
}

function stateOf(target: string, role: string, rep: Record<string, string>, primaryOffset: number | null, error?: RedisError): RedisReplicaState {
  const offset = num(rep['slave_repl_offset']) ?? (role === 'master' ? num(rep['master_repl_offset']) : null);
  const sync = rep['master_sync_in_progress'];
  return {
    target,
    role,
    masterHost: rep['master_host'] ?? null,
    masterPort: num(rep['master_port']),
    masterLinkStatus: rep['master_link_status'] ?? null,
    masterLastIoSecondsAgo: num(rep['master_last_io_seconds_ago']),
    masterSyncInProgress: sync === undefined ? null : sync === '1',
    offset,
    primaryOffset,
    lagBytes: primaryOffset !== null && offset !== null ? primaryOffset - offset : null,
    ...(error ? { error } : {}),
  };
}

/** Polls `INFO replication` (bounded) until the promoted node says role:master. */
async function verify(node: RedisNode, env: ActionEnv): Promise<ActionOutcome> {
  const { conn, text: t } = target(node, env);
  const limitMs = node.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  let last = { role: 'unknown', note: '' };
  for (let polls = 1; ; polls++) {
    const s = await send(env, conn, 'INFO', ['replication'], Math.min(limitMs, 3_000));
    const rep = s.ok ? parseInfo(replyText(s.reply)) : {};
    last = { role: rep['role'] ?? 'unknown', note: s.error ? ` (${s.error.code} ${s.error.message})` : '' };
    if (last.role === 'master') {
      const text = `role: slave → master (INFO replication, poll ${polls}); connected_slaves: ${rep['connected_slaves'] ?? '?'}`;
      env.onOutput('stdout', `${text}\n`);
      return { ok: true, result: { target: t, roleBefore: 'slave', roleAfter: 'master', polls, info: rep, facts: { newPrimary: t, roleAfter: 'master' } }, text };
    }
    const elapsed = performance.now() - started;
    if (env.signal.aborted || elapsed + VERIFY_INTERVAL_MS > limitMs) {
      const text = `role is still ${last.role}${last.note} after ${polls} polls over ${Math.round(elapsed)} ms`;
      return { ok: false, result: { target: t, roleBefore: 'slave', roleAfter: last.role, polls, info: rep, facts: { roleAfter: last.role } }, text, error: `redis ${t}: ${text}` };
    }
    await sleep(VERIFY_INTERVAL_MS, env.signal);
  }
}
