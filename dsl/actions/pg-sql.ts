/**
 * The SQL the pg helpers and the promote driver run: plan data, shown verbatim by the dry-run
 * renderer and executed by the adapter. Lag and LSN differences are cast to float8 so they
 * arrive as numbers, not numeric strings.
 */
export const PG_SQL = {
  inRecovery: 'select pg_is_in_recovery() as value',
  standbyLag: `select pg_last_wal_receive_lsn()::text as receive_lsn, pg_last_wal_replay_lsn()::text as replay_lsn,
  pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as bytes,
  case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0::float8
       else extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as seconds,
  pg_is_wal_replay_paused() as replay_paused,
  r.status as receiver_status, r.sender_host, r.sender_port, r.received_tli,
  coalesce(r.received_tli, (select timeline_id from pg_control_checkpoint())) as timeline
from (select 1) one left join pg_stat_wal_receiver r on true`,
  primaryReplicas: `select application_name, client_addr::text as client_addr, state, sync_state,
  pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)::float8 as sent_lag_bytes,
  pg_wal_lsn_diff(pg_current_wal_lsn(), write_lsn)::float8 as write_lag_bytes,
  pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::float8 as flush_lag_bytes,
  pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 as replay_lag_bytes,
  extract(epoch from replay_lag)::float8 as replay_lag_seconds
from pg_stat_replication order by application_name, client_addr`,
  primaryPosition: `select pg_current_wal_lsn()::text as lsn,
  ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int as timeline`,
  promote: 'select pg_promote(true, $1) as promoted',
  verifyWrite: ['begin', 'create temp table runbook_verify(x int)', 'insert into runbook_verify values (1)', 'rollback'],
} as const;

/** How dry-run names the lag helper's queries (they depend on the role found first). */
export const REPLICATION_LAG_SUMMARY =
  `${PG_SQL.inRecovery}; standby: pg_last_wal_receive_lsn() − pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp(), pg_stat_wal_receiver; primary: pg_stat_replication (sent/write/flush/replay lag bytes via pg_wal_lsn_diff, replay_lag)`;
