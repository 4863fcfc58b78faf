import type { PgNode } from '../../../dsl/nodes.js';
import type { PgReplica, PgReplicationLag } from '../../../dsl/results.js';
import { PG_SQL } from '../../../dsl/actions/pg-sql.js';
import type { ActionEnv, ActionOutcome } from '../../modes/types.js';
import { num, str } from './lsn.js';
import { outcome, pgResult } from './result.js';
import { runStatements, type Ran } from './statement.js';
import { describeTarget, type PgTarget } from './target.js';

/** What a standby says about itself (PG_SQL.standbyLag). */
export interface StandbyState {
  readonly receiveLsn: string | null;
  readonly replayLsn: string | null;
  readonly bytes: number | null;
  readonly seconds: number | null;
  readonly replayPaused: boolean;
  readonly receiver: PgReplicationLag['receiver'];
  readonly timeline: number | null;
}

export function parseStandby(row: Readonly<Record<string, unknown>> | undefined): StandbyState {
  const r = row ?? {};
  const status = str(r['receiver_status']);
  return {
    receiveLsn: str(r['receive_lsn']),
    replayLsn: str(r['replay_lsn']),
    bytes: num(r['bytes']),
    seconds: num(r['seconds']),
    replayPaused: r['replay_paused'] === true,
    receiver: status === null && r['sender_host'] == null ? null : { status, senderHost: str(r['sender_host']), senderPort: num(r['sender_port']), timeline: num(r['received_tli']) },
    timeline: num(r['timeline']),
  };
}

export function parseReplicas(rows: readonly Readonly<Record<string, unknown>>[]): PgReplica[] {
  return rows.map((r) => ({
    applicationName: str(r['application_name']) ?? '',
    clientAddr: str(r['client_addr']),
    state: str(r['state']) ?? '',
    syncState: str(r['sync_state']) ?? '',
    sentLagBytes: num(r['sent_lag_bytes']),
    writeLagBytes: num(r['write_lag_bytes']),
    flushLagBytes: num(r['flush_lag_bytes']),
    replayLagBytes: num(r['replay_lag_bytes']),
    replayLagSeconds: num(r['replay_lag_seconds']),
  }));
}

function max(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** pg.replicationLag: the role first, then the standby's own view or the primary's pg_stat_replication. */
export async function replicationLag(node: PgNode, env: ActionEnv, t: PgTarget): Promise<ActionOutcome> {
  const target = describeTarget(t);
  const role = await runStatements(env, t, [{ text: PG_SQL.inRecovery }], { readOnly: true });
  if (!role.ok) return outcome(env, pgResult(target, node.sql, role), { value: null });
  const standby = role.results[0]?.rows[0]?.['value'] === true;
  const ran: Ran = await runStatements(env, t, [{ text: standby ? PG_SQL.standbyLag : PG_SQL.primaryReplicas }], { readOnly: true });
  const r = pgResult(target, node.sql, ran);
  if (!r.ok) return outcome(env, r, { value: null });
  let value: PgReplicationLag;
  if (standby) {
    const s = parseStandby(r.rows[0]);
    value = { role: 'standby', bytes: s.bytes, seconds: s.seconds, receiving: s.receiver?.status === 'streaming', receiver: s.receiver, replayPaused: s.replayPaused, replicas: [] };
    env.onOutput('stdout', `standby: ${s.bytes ?? 'unknown'} bytes received but not replayed, ${s.seconds === null ? 'unknown' : s.seconds.toFixed(3)} s behind; WAL receiver ${s.receiver?.status ?? 'absent'}${s.receiver?.senderHost ? ` from ${s.receiver.senderHost}:${s.receiver.senderPort ?? ''}` : ''}${s.replayPaused ? '; replay PAUSED' : ''}\n`);
  } else {
    const replicas = parseReplicas(r.rows);
    value = { role: 'primary', bytes: max(replicas.map((x) => x.replayLagBytes)), seconds: max(replicas.map((x) => x.replayLagSeconds)), receiving: false, receiver: null, replayPaused: false, replicas };
    env.onOutput('stdout', `primary: ${replicas.length} replica${replicas.length === 1 ? '' : 's'}\n`);
    for (const x of replicas) env.onOutput('stdout', `  ${x.applicationName} ${x.clientAddr ?? 'local'} ${x.state}/${x.syncState}: replay lag ${x.replayLagBytes ?? '?'} bytes, ${(x.replayLagSeconds ?? 0).toFixed(3)} s\n`);
  }
  const result = { ...r, value };
  return { ok: true, result, text: JSON.stringify(value) };
}
