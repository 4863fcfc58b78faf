// <lab dir>/state.json: what the lab started (every PID, as soon as it is spawned), its ports and
// how to reach each server. Written at each change (mode 0600: it holds the `ops` password), read
// by lab:status and lab:down, which stop every PID it lists.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabPorts } from './config.js';
import { postmasterPid } from './postgres.js';
import { pidAlive } from './process.js';

export type ComponentKind = 'postgres' | 'patroni' | 'etcd' | 'redis' | 'sshd';

export interface LabComponent {
  /** pg-primary, pg-standby, etcd, patroni-pg0, patroni-pg1, redis-primary, redis-replica, sshd. */
  readonly name: string;
  readonly kind: ComponentKind;
  readonly port: number;
  readonly pid: number;
  /** What its command line contains (its binary's name): a recycled PID is not ours. */
  readonly match: string;
  /** A PostgreSQL data dir (postgres, patroni): the postmaster in it (postmaster.pid) is stopped too, whoever started it. */
  readonly dataDir?: string;
  readonly log: string;
}

export interface LabState {
  readonly version: 1;
  status: 'starting' | 'up';
  readonly dir: string;
  readonly startedAt: string;
  /** Who the servers run as: PostgreSQL and Patroni, and the ssh login. */
  readonly runAs: { readonly postgres: string; readonly ssh: string };
  readonly ports: LabPorts;
  readonly components: LabComponent[];
  postgres?: {
    /** postgres://postgres@127.0.0.1:port/postgres (trust on 127.0.0.1). */
    readonly primary: string;
    readonly standby: string;
    /** A database with two tables of rows on the primary (and so the standby), for the backup runbook. */
    readonly database: string;
    /** Where the backup runbook may write, and a passphrase file (0600) for its encrypted copy. */
    readonly backupDir: string;
    readonly passphraseFile: string;
    /** The superuser `ops`, which must log in with its password (scram). */
    readonly ops: { readonly user: 'ops'; readonly password: string; readonly primary: string; readonly standby: string };
    readonly primaryDataDir: string;
    readonly standbyDataDir: string;
    readonly bin: string;
  };
  patroni?: {
    readonly scope: string;
    /** The members' REST API base URLs, pg0 first. */
    readonly api: readonly string[];
    readonly etcd: string;
    readonly nodes: readonly { readonly name: string; readonly api: string; readonly dsn: string; readonly dataDir: string; readonly config: string }[];
  };
  redis?: { readonly primary: string; readonly replica: string };
  ssh?: {
    /** user@127.0.0.1:port */
    readonly target: string;
    readonly host: '127.0.0.1';
    readonly port: number;
    readonly user: string;
    /** The client's private key (unencrypted, 0600) and a known_hosts file with the server's key. */
    readonly privateKey: string;
    readonly knownHosts: string;
  };
}

export const statePath = (dir: string): string => join(dir, 'state.json');

export function readState(dir: string): LabState | undefined {
  if (!existsSync(statePath(dir))) return undefined;
  try {
    return JSON.parse(readFileSync(statePath(dir), 'utf8')) as LabState;
  } catch (e) {
    throw new Error(`${statePath(dir)} is not readable JSON (${e instanceof Error ? e.message : String(e)}): stop what it started by hand, then remove ${dir}`);
  }
}

/** Written whole to a temp file and renamed: a crash never leaves half a state. */
export function writeState(s: LabState): void {
  const tmp = `${statePath(s.dir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, statePath(s.dir));
}

/** The PID the component runs as now: a data dir's postmaster.pid when it has one (a restarted server), else the recorded PID. */
export function livePid(c: LabComponent): number {
  if (c.kind === 'postgres' && c.dataDir !== undefined) return postmasterPid(c.dataDir) ?? c.pid;
  return c.pid;
}

export function componentAlive(c: LabComponent): boolean {
  return pidAlive(livePid(c), c.match);
}
