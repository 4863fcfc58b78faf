// The `-p name=value` params that point the library runbooks (runbooks/) at the lab, from
// state.json. One table: when a runbook's params change, change its entry here.
import { join } from 'node:path';
import type { LabState } from './state.js';

export interface RunbookParams {
  /** The runbook module, e.g. runbooks/pg-failover-streaming.ts. */
  readonly runbook: string;
  readonly params: readonly (readonly [string, string | number | boolean])[];
  readonly note?: string;
}

/** A value as one shell word. */
export function shellWord(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function paramArgs(p: RunbookParams): string {
  return p.params.map(([k, v]) => `-p ${shellWord(`${k}=${String(v)}`)}`).join(' ');
}

/** `pg_ctl <args>` as the servers' user (runuser as root: pg_ctl refuses root). */
function pgCtl(s: LabState, args: string): string {
  const bin = join(s.postgres?.bin ?? '/usr/lib/postgresql/15/bin', 'pg_ctl');
  return s.runAs.postgres === 'postgres' && process.getuid?.() === 0 ? `runuser -u postgres -- ${bin} ${args}` : `${bin} ${args}`;
}

/** The command that stops the lab's plain primary (the failure to recover from). */
export function stopPrimaryCommand(s: LabState, mode: 'fast' | 'immediate'): string | undefined {
  return s.postgres ? pgCtl(s, `stop -D ${s.postgres.primaryDataDir} -m ${mode}`) : undefined;
}

/** The fence: stops the plain primary if it runs, succeeds if it is already stopped (like `systemctl stop`; pg_ctl status says 3). */
export function fencePrimaryCommand(s: LabState): string | undefined {
  return s.postgres ? `${pgCtl(s, `status -D ${s.postgres.primaryDataDir}`)} >/dev/null; [ $? -eq 3 ] || ${stopPrimaryCommand(s, 'fast') ?? ''}` : undefined;
}

/** Per runbook, the params that point it at the lab; `leader` is Patroni's current leader (pg0 when unknown). */
export function runbookParams(s: LabState, leader = 'pg0'): RunbookParams[] {
  const out: RunbookParams[] = [];
  if (s.postgres) {
    out.push({
      runbook: 'runbooks/pg-failover-streaming.ts',
      params: [['primary', s.postgres.primary], ['standby', s.postgres.standby], ['fenceVia', 'local'], ['fenceCommand', fencePrimaryCommand(s) ?? ''], ['conjur', false]],
      note: `fail the primary first: ${stopPrimaryCommand(s, 'immediate') ?? ''}`,
    });
  }
  if (s.postgres) {
    const bin = s.postgres.bin;
    const primary = new URL(s.postgres.primary);
    out.push({
      runbook: 'runbooks/backup-verification.ts',
      params: [
        ['host', primary.hostname], ['port', Number(primary.port)], ['user', 'postgres'], ['database', s.postgres.database],
        ['backupDir', s.postgres.backupDir], ['encryption', 'openssl'], ['passphraseFile', s.postgres.passphraseFile], ['upload', false],
        ['pgDump', join(bin, 'pg_dump')], ['pgRestore', join(bin, 'pg_restore')], ['createdb', join(bin, 'createdb')], ['dropdb', join(bin, 'dropdb')],
      ],
    });
  }
  if (s.patroni) {
    const candidate = s.patroni.nodes.find((n) => n.name !== leader) ?? s.patroni.nodes[1];
    out.push({
      runbook: 'runbooks/pg-failover-patroni.ts',
      params: [
        ['api', s.patroni.api.join(',')], ['leader', leader], ['candidate', candidate?.name ?? 'pg1'], ['candidateDsn', candidate?.dsn ?? ''],
        ['patronictl', `patronictl -c ${s.patroni.nodes[0]?.config ?? ''}`], ['conjur', false],
      ],
    });
  }
  if (s.postgres) {
    out.push({
      runbook: 'runbooks/dr-test.ts',
      params: [
        ['vault', false], ['dbMethod', 'streaming'], ['dbPrimary', s.postgres.primary], ['dbStandby', s.postgres.standby],
        ['dbStopPrimaryCommand', stopPrimaryCommand(s, 'immediate') ?? ''], ['conjur', false],
      ],
      note: 'or dbMethod=patroni with the Patroni params above as patroniApi, patroniLeader, patroniCandidate',
    });
  }
  if (s.redis) {
    const [p, r] = [new URL(s.redis.primary), new URL(s.redis.replica)];
    out.push({
      runbook: 'runbooks/redis-cache-failover.ts',
      params: [
        ['primaryHost', p.hostname], ['primaryPort', Number(p.port)], ['replicaHost', r.hostname], ['replicaPort', Number(r.port)],
        ['platform', 'hosts'], ['repoint', 'command'], ['repointCommand', 'echo "clients now use $NEW_REDIS_HOST:$NEW_REDIS_PORT"'],
      ],
      note: `fail the primary first: redis-cli -p ${p.port} shutdown nosave`,
    });
  }
  return out;
}
