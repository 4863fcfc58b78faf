// The lab's settings: its directory (RUNBOOK_LAB_DIR, default .runbook-lab/ in the working
// directory), its ports (fixed defaults in an unlikely range; `--port name=N` or
// RUNBOOK_LAB_PORTS="name=N,…" to move one) and the server binaries (RUNBOOK_LAB_PG_BIN, …).
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ETCD, PATRONI } from './patroni.js';
import { PG_BIN } from './postgres.js';
import { REDIS_SERVER } from './redis.js';
import { SSHD } from './sshd.js';

export const DEFAULT_PORTS = {
  'pg-primary': 55432,
  'pg-standby': 55433,
  etcd: 55440,
  'etcd-peer': 55441,
  'patroni-pg0-api': 55442,
  'patroni-pg1-api': 55443,
  'patroni-pg0': 55444,
  'patroni-pg1': 55445,
  'redis-primary': 56379,
  'redis-replica': 56380,
  sshd: 52222,
} as const;

export type PortName = keyof typeof DEFAULT_PORTS;
export type LabPorts = Record<PortName, number>;
export const PORT_NAMES = Object.keys(DEFAULT_PORTS) as PortName[];

export interface LabBinaries {
  /** The PostgreSQL 15 bin directory (postgres, initdb, pg_basebackup, pg_ctl). */
  readonly pgBin: string;
  readonly patroni: string;
  readonly etcd: string;
  readonly redis: string;
  readonly sshd: string;
}

export interface LabConfig {
  readonly dir: string;
  readonly ports: LabPorts;
  readonly bin: LabBinaries;
  /** The ssh login: a dedicated non-root user (LAB_SSH_USER) as root, else the current user. */
  readonly sshUser: string;
}

/** The login the lab's sshd accepts when the lab runs as root. */
export const LAB_SSH_USER = 'runbook-lab';

/** A usage error: the CLI prints it and exits 2. */
export class LabUsageError extends Error {}

function parsePorts(spec: string, into: LabPorts, from: string): void {
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(\d+)$/.exec(part);
    const name = m?.[1] as PortName | undefined;
    if (!m || name === undefined || !(name in DEFAULT_PORTS)) {
      throw new LabUsageError(`${from}: "${part}" is not name=port; the names are ${PORT_NAMES.join(', ')}`);
    }
    const port = Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new LabUsageError(`${from}: ${name}=${m[2]} is not a port (1-65535)`);
    into[name] = port;
  }
}

/** The settings from the environment and `--port name=N` arguments (which win). */
export function labConfig(env: NodeJS.ProcessEnv, portArgs: readonly string[], cwd = process.cwd()): LabConfig {
  const ports: LabPorts = { ...DEFAULT_PORTS };
  if (env['RUNBOOK_LAB_PORTS']) parsePorts(env['RUNBOOK_LAB_PORTS'], ports, 'RUNBOOK_LAB_PORTS');
  for (const a of portArgs) parsePorts(a, ports, '--port');
  const seen = new Map<number, PortName>();
  for (const name of PORT_NAMES) {
    const other = seen.get(ports[name]);
    if (other !== undefined) throw new LabUsageError(`ports: ${other} and ${name} are both ${ports[name]}; give each its own (--port ${name}=N)`);
    seen.set(ports[name], name);
  }
  return {
    dir: resolve(cwd, env['RUNBOOK_LAB_DIR'] || '.runbook-lab'),
    ports,
    bin: {
      pgBin: env['RUNBOOK_LAB_PG_BIN'] || PG_BIN,
      patroni: env['RUNBOOK_LAB_PATRONI'] || PATRONI,
      etcd: env['RUNBOOK_LAB_ETCD'] || ETCD,
      redis: env['RUNBOOK_LAB_REDIS_SERVER'] || REDIS_SERVER,
      sshd: env['RUNBOOK_LAB_SSHD'] || SSHD,
    },
    sshUser: process.getuid?.() === 0 ? LAB_SSH_USER : userInfo().username,
  };
}
