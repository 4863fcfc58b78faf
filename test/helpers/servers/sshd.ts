// A real OpenSSH server for integration tests and benches (lab/sshd.ts does the work):
// /usr/sbin/sshd on 127.0.0.1:<free port>, its own ed25519 host key, public-key login only, as a
// dedicated non-root user (created once if missing). Stopped by PID (and its per-connection
// children) in stop() and on process exit.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf, freePort, onExit, processesMatching, stopProc, tryKill } from '../../../lab/process.js';
import { authorize, ensureLoginUser, keygen, killConnections, publicKeyLine, SSHD, sshdConfig, startSshd as startServer, stopSshd } from '../../../lab/sshd.js';
import { requires } from '../requires.js';

export { childrenOf, processesMatching, SSHD };
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

const running = new Set<number>();
onExit(() => {
  for (const pid of running) for (const c of childrenOf(pid)) tryKill(c, 'SIGKILL');
});

/** The test login, with any authorized_keys.<pid>.* left by a test process killed before its stop() removed. */
function ensureUser(): ReturnType<typeof ensureLoginUser> {
  const u = ensureLoginUser(SSH_TEST_USER);
  const ssh = join(u.home, '.ssh');
  for (const f of readdirSync(ssh)) {
    const pid = /^authorized_keys\.(\d+)\./.exec(f)?.[1];
    if (pid !== undefined && !existsSync(`/proc/${pid}`)) rmSync(join(ssh, f), { force: true });
  }
  return u;
}

export interface SshdOptions {
  /** Extra sshd_config lines. */
  readonly config?: readonly string[];
}

/** Starts sshd; resolves when it listens. Retries on a port taken between probe and bind. */
export async function startSshd(o: SshdOptions = {}): Promise<Sshd> {
  const user = ensureUser();
  const dir = mkdtempSync(join(tmpdir(), 'runbook-sshd-'));
  const shared = join(dir, 'shared');
  mkdirSync(shared);
  chmodSync(dir, 0o711);
  chmodSync(shared, 0o777);
  keygen(join(dir, 'host_ed25519'), 'runbook-test-host');
  keygen(join(dir, 'client_ed25519'), 'runbook-test-client');
  const hostKey = publicKeyLine(join(dir, 'host_ed25519.pub'));
  const clientKeyPath = join(dir, 'client_ed25519');
  // One authorized_keys file per server, in the user's ~/.ssh (StrictModes checks its path).
  const authorized = join(user.home, '.ssh', `authorized_keys.${process.pid}.${Math.random().toString(36).slice(2, 8)}`);
  authorize(authorized, `${clientKeyPath}.pub`, user);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, sshdConfig({ port, dir, hostKey: join(dir, 'host_ed25519'), authorizedKeys: authorized, user: SSH_TEST_USER, extra: o.config ?? [] }));
    const s = await startServer({ configPath: config, logPath: join(dir, `sshd-${attempt}.log`), port });
    if (s.outcome !== 'listening') {
      if (attempt < 3 && /Bind to port|Address already in use/.test(s.log())) continue;
      const why = s.log().trim();
      rmSync(dir, { recursive: true, force: true });
      rmSync(authorized, { force: true });
      throw new Error(`sshd did not start: ${why}`);
    }
    const pid = s.proc.pid;
    running.add(pid);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
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
      log: s.log,
      accepted: () => s.log().split('\n').filter((l) => l.includes('Accepted publickey')).length,
      killConnections: () => killConnections(pid),
      stop: async () => {
        await stopProc(s.proc, stopSshd);
        running.delete(pid);
        rmSync(dir, { recursive: true, force: true });
        rmSync(authorized, { force: true });
      },
    };
  }
}
