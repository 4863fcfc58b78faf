// An OpenSSH server on 127.0.0.1 from the machine's /usr/sbin/sshd: its own ed25519 host key,
// public-key login only, for one login (a dedicated non-root user as root, created if missing;
// otherwise the current user), its log in a file (-E). Used by the lab and by test/helpers/servers/sshd.ts.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { childrenOf, pidAlive, readText, spawnLogged, stopPid, tryKill, type PidRef, type Proc, type SpawnOptions } from './process.js';

export const SSHD = '/usr/sbin/sshd';

export interface LoginUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function lookupUser(name: string): LoginUser | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const f = line.split(':');
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? `/home/${name}` };
}

/**
 * As root: the non-root login `name` with /bin/sh and a home directory (created if missing, unlocked
 * for key logins, home and ~/.ssh as StrictModes wants them).
 */
export function ensureLoginUser(name: string): LoginUser {
  let u = lookupUser(name);
  if (!u) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { stdio: 'pipe' });
    } catch (e) {
      // another process may have created it at the same moment
      if (!lookupUser(name)) throw e;
    }
    u = lookupUser(name);
    if (!u) throw new Error(`could not create the login ${name}`);
  }
  // useradd leaves the password "!" (locked); without PAM, sshd refuses locked accounts even for keys.
  const shadow = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (shadow?.split(':')[1]?.startsWith('!')) execFileSync('usermod', ['-p', '*', name], { stdio: 'pipe' });
  if (!existsSync(u.home)) mkdirSync(u.home, { recursive: true });
  // StrictModes: the home and ~/.ssh belong to the user and are not group/world-writable.
  chownSync(u.home, u.uid, u.gid);
  chmodSync(u.home, 0o755);
  const ssh = join(u.home, '.ssh');
  mkdirSync(ssh, { recursive: true });
  chownSync(ssh, u.uid, u.gid);
  chmodSync(ssh, 0o700);
  return u;
}

/** The login running this process. */
export function currentLogin(): LoginUser {
  const u = userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir };
}

/** An unencrypted ed25519 key pair at `path` and `path.pub`. */
export function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'pipe' });
}

/** `ssh-ed25519 AAAA…` from a .pub file (the comment dropped). */
export function publicKeyLine(pubPath: string): string {
  return readFileSync(pubPath, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

/** Writes `pubPath`'s key as the authorized_keys file `path`, owned by `user`, mode 0600. */
export function authorize(path: string, pubPath: string, user: LoginUser): void {
  writeFileSync(path, readFileSync(pubPath));
  if (process.getuid?.() === 0) chownSync(path, user.uid, user.gid);
  chmodSync(path, 0o600);
}

export interface SshdConfig {
  readonly port: number;
  readonly dir: string;
  readonly hostKey: string;
  readonly authorizedKeys: string;
  readonly user: string;
  /** StrictModes (default yes): off for an authorized_keys file outside the user's home (the lab's). */
  readonly strictModes?: boolean;
  readonly extra?: readonly string[];
}

/** sshd_config text: 127.0.0.1:port, public keys only, one login. */
export function sshdConfig(c: SshdConfig): string {
  return [
    `Port ${c.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${c.hostKey}`,
    `PidFile ${join(c.dir, 'sshd.pid')}`,
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${c.authorizedKeys}`,
    `StrictModes ${c.strictModes === false ? 'no' : 'yes'}`,
    'PermitRootLogin no',
    `AllowUsers ${c.user}`,
    'AllowTcpForwarding yes',
    // fan-out tests and benches open 20+ connections at once; the default 10:30:100 drops some
    'MaxStartups 200',
    'MaxSessions 50',
    'LogLevel VERBOSE',
    'PrintMotd no',
    ...(c.extra ?? []),
    '',
  ].join('\n');
}

export interface SshdStart {
  readonly outcome: 'listening' | 'failed';
  readonly proc: Proc;
  log(): string;
}

/**
 * Starts sshd -D with `configPath`, its log (-E, and its stderr) in `logPath` — a file, not a pipe:
 * a test that blocks its event loop would otherwise stall sshd on a full pipe mid-handshake. Waits
 * (bounded, 10 s) until the log says it listens on `port`; a failed start is killed.
 */
export async function startSshd(o: { configPath: string; logPath: string; port: number; bin?: string; spawn?: SpawnOptions }): Promise<SshdStart> {
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation
  writeFileSync(o.logPath, '');
  const proc = spawnLogged('sshd', o.bin ?? SSHD, ['-D', '-E', o.logPath, '-f', o.configPath], { ...o.spawn, log: o.logPath });
  const log = (): string => readText(o.logPath);
  const until = Date.now() + 10_000;
  let outcome: SshdStart['outcome'] = 'failed';
  while (!proc.exited() && Date.now() < until) {
    if (log().includes(`Server listening on 127.0.0.1 port ${o.port}`)) {
      outcome = 'listening';
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (outcome === 'failed') tryKill(proc.pid, 'SIGKILL');
  return { outcome, proc, log };
}

/** Kills the per-connection sshd processes (every open client connection breaks); returns how many. */
export function killConnections(pid: number): number {
  return childrenOf(pid).filter((c) => tryKill(c, 'SIGKILL')).length;
}

/** The connections, then the listener (SIGTERM, SIGKILL after 5 s). */
export async function stopSshd(p: PidRef): Promise<boolean> {
  if (pidAlive(p.pid, p.match)) killConnections(p.pid);
  return stopPid(p.pid, 'SIGTERM', 5_000, p.match);
}
