// A real OpenSSH server for integration tests and benches: /usr/sbin/sshd on 127.0.0.1:<free port>,
// its own ed25519 host key, public-key login only, as a dedicated non-root user (created once if
// missing). Stopped by PID (and its per-connection children) in stop() and on process exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requires } from '../requires.js';

export const SSHD = '/usr/sbin/sshd';
export const SSHD_REQUIREMENT = { what: 'OpenSSH server', paths: [SSHD], install: 'apt-get install openssh-server' } as const;
/**
 * Whether the sshd suites can run: sshd installed (`requires()`: a loud skip, or an error under
 * RUNBOOK_REQUIRE_ALL=1) and root (to start sshd for another login and create that login).
 */
export function sshdAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!requires(SSHD_REQUIREMENT, env)) return false;
  if (process.getuid?.() === 0) return true;
  const message = `the sshd suites need root: they start ${SSHD} for the login ${SSH_TEST_USER} and create it if missing`;
  if (env['RUNBOOK_REQUIRE_ALL'] === '1') throw new Error(`RUNBOOK_REQUIRE_ALL=1 and a suite cannot run: ${message}`);
  process.stderr.write(`\n\x1b[33m!!! SKIPPED SUITE: ${message}\x1b[0m\n\n`);
  return false;
}

/** The login the tests use: non-root, /bin/sh, a home directory. */
export const SSH_TEST_USER = 'runbook-ssh-test';

export interface Sshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  /** The listener's PID. */
  readonly pid: number;
  /** Scratch directory (root-only): host key, client key, config, known_hosts. */
  readonly dir: string;
  /** A directory the test user can write (for markers and logs of remote commands). */
  readonly shared: string;
  /** The client's private key (OpenSSH format, unencrypted) and its path. */
  readonly clientKey: string;
  readonly clientKeyPath: string;
  /** The server's host public key line, `ssh-ed25519 AAAA…`. */
  readonly hostKey: string;
  /** A known_hosts file with the plain `[127.0.0.1]:port` entry for this server. */
  readonly knownHosts: string;
  /** `user@127.0.0.1:port`. */
  readonly target: string;
  /** sshd's log so far (-E: a file in `dir`). */
  log(): string;
  /** How many logins sshd accepted so far (`Accepted publickey` lines). */
  accepted(): number;
  /** Kills the per-connection sshd processes: every open client connection breaks. Returns how many. */
  killConnections(): number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) {
    if (c.pid === undefined) continue;
    for (const pid of childrenOf(c.pid)) tryKill(pid, 'SIGKILL');
    tryKill(c.pid, 'SIGKILL');
  }
});

function tryKill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** PIDs whose parent is `ppid`, from /proc (sshd forks one process per connection). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Command lines of live processes containing `needle` (for "is the remote command gone?"). */
export function processesMatching(needle: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const state = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/\) Z /.test(state)) continue; // a zombie is dead
      if (args.includes(needle)) out.push(`${name} ${args}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function ensureUser(): { uid: number; gid: number; home: string } {
  const lookup = (): { uid: number; gid: number; home: string } | undefined => {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${SSH_TEST_USER}:`));
    if (!line) return undefined;
    const f = line.split(':');
    return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? `/home/${SSH_TEST_USER}` };
  };
  let u = lookup();
  if (!u) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', SSH_TEST_USER], { stdio: 'pipe' });
    } catch (e) {
      // another test file may have created it at the same moment
      if (!lookup()) throw e;
    }
    u = lookup();
    if (!u) throw new Error(`could not create the test user ${SSH_TEST_USER}`);
  }
  // useradd leaves the password "!" (locked); without PAM, sshd refuses locked accounts even for keys.
  const shadow = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${SSH_TEST_USER}:`));
  if (shadow?.split(':')[1]?.startsWith('!')) execFileSync('usermod', ['-p', '*', SSH_TEST_USER], { stdio: 'pipe' });
  if (!existsSync(u.home)) mkdirSync(u.home, { recursive: true });
  // StrictModes: the home and ~/.ssh belong to the user and are not group/world-writable.
  chownSync(u.home, u.uid, u.gid);
  chmodSync(u.home, 0o755);
  const ssh = join(u.home, '.ssh');
  mkdirSync(ssh, { recursive: true });
  chownSync(ssh, u.uid, u.gid);
  chmodSync(ssh, 0o700);
  // authorized_keys.<pid>.* left by a test process that was killed before its stop()
  for (const f of readdirSync(ssh)) {
    const pid = /^authorized_keys\.(\d+)\./.exec(f)?.[1];
    if (pid !== undefined && !existsSync(`/proc/${pid}`)) rmSync(join(ssh, f), { force: true });
  }
  return u;
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'pipe' });
}

export interface SshdOptions {
  /** Extra sshd_config lines. */
  readonly config?: readonly string[];
}

/** Starts sshd; resolves when it listens. Retries on a port taken between probe and bind. */
export async function startSshd(o: SshdOptions = {}): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = ensureUser();
  const dir = mkdtempSync(join(tmpdir(), 'runbook-sshd-'));
  const shared = join(dir, 'shared');
  mkdirSync(shared);
  chmodSync(dir, 0o711);
  chmodSync(shared, 0o777);
  keygen(join(dir, 'host_ed25519'), 'runbook-test-host');
  keygen(join(dir, 'client_ed25519'), 'runbook-test-client');
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const clientKeyPath = join(dir, 'client_ed25519');
  // One authorized_keys file per server, in the user's ~/.ssh (StrictModes checks its path).
  const authorized = join(user.home, '.ssh', `authorized_keys.${process.pid}.${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(authorized, readFileSync(`${clientKeyPath}.pub`));
  chownSync(authorized, user.uid, user.gid);
  chmodSync(authorized, 0o600);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${authorized}`,
      'StrictModes yes',
      'PermitRootLogin no',
      `AllowUsers ${SSH_TEST_USER}`,
      'AllowTcpForwarding yes',
      // fan-out tests and benches open 20+ connections at once; the default 10:30:100 drops some
      'MaxStartups 200',
      'MaxSessions 50',
      'LogLevel VERBOSE',
      'PrintMotd no',
      ...(o.config ?? []),
      '',
    ].join('\n'));
    // The log goes to a file (-E), not a pipe: a test or bench that blocks its event loop (spawnSync)
    // would otherwise stop draining the pipe, and sshd would stall on a full pipe mid-handshake.
    const logFile = join(dir, `sshd-${attempt}.log`);
    writeFileSync(logFile, '');
    const child = spawn(SSHD, ['-D', '-E', logFile, '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let early = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (early += s));
    const readLog = (): string => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    const outcome = await new Promise<'listening' | 'exited'>((resolve) => {
      let polls = 0;
      const timer = setInterval(() => {
        if (readLog().includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearInterval(timer);
          resolve('listening');
        } else if (++polls > 500) {
          clearInterval(timer);
          resolve('exited');
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        resolve('exited');
      });
    });
    const log = (): string => early + readLog();
    if (outcome !== 'listening') {
      if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
      running.delete(child);
      if (attempt < 3 && /Bind to port|Address already in use/.test(log())) continue;
      const why = log().trim();
      rmSync(dir, { recursive: true, force: true });
      rmSync(authorized, { force: true });
      throw new Error(`sshd did not start: ${why}`);
    }
    const pid = child.pid ?? -1;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.on('exit', () => resolve());
    });
    return {
      host: '127.0.0.1',
      port,
      user: SSH_TEST_USER,
      pid,
      dir,
      shared,
      clientKey: readFileSync(clientKeyPath, 'utf8'),
      clientKeyPath,
      hostKey,
      knownHosts,
      target: `${SSH_TEST_USER}@127.0.0.1:${port}`,
      log,
      accepted: () => log().split('\n').filter((l) => l.includes('Accepted publickey')).length,
      killConnections: () => childrenOf(pid).filter((c) => tryKill(c, 'SIGKILL')).length,
      stop: async () => {
        for (const c of childrenOf(pid)) tryKill(c, 'SIGKILL');
        tryKill(pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        tryKill(pid, 'SIGKILL');
        running.delete(child);
        rmSync(dir, { recursive: true, force: true });
        rmSync(authorized, { force: true });
      },
    };
  }
}
