// SSH through the built CLI: a dry-run renders `ssh user@127.0.0.1:PORT: …` and opens no socket
// (spawn recorder); a probe runs the read-only ssh check only; a live run (the control) acts over one
// pooled connection. Secrets (key text, passphrase) never reach the screen or the journal.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { sshdAvailable, startSshd, type Sshd } from '../helpers/servers/sshd.js';

const available = sshdAvailable();
const RECORDER = fileURLToPath(new URL('../helpers/spawn-recorder.mjs', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/ssh/${name}`, import.meta.url));

interface Recorded {
  readonly pid: number;
  readonly kind: 'recorder' | 'child_process' | 'socket';
  readonly command?: string;
  readonly args?: string[];
  readonly target?: string;
  readonly line: string;
}

let s: Sshd;
beforeAll(async () => {
  if (available) s = await startSshd();
});
afterAll(async () => {
  await s?.stop();
});

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-ssh-cli-');
});
afterEach(() => tmp.cleanup());

function journalText(store: string): string {
  const runs = join(store, 'runs');
  return readdirSync(runs).map((f) => readFileSync(join(runs, f), 'utf8')).join('');
}

describe.runIf(available)('ssh through the CLI: dry-run, probe, live', () => {
  let file: string;
  let marker: string;
  let probeLog: string;
  let spawnLog: string;
  let store: string;

  beforeEach(() => {
    // a fresh path: a fresh compile, so the loader's esbuild service is seen (and recognised) too
    file = join(tmp.dir, 'stop-vault.ts');
    copyFileSync(fixture('stop-vault.ts'), file);
    marker = join(s.shared, `marker-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    probeLog = `${marker}.probe`;
    spawnLog = join(tmp.dir, 'spawn.ndjson');
    store = join(tmp.dir, 'store');
  });

  function run(extra: readonly string[]): Promise<CliResult> {
    return runCli(['run', file, '-p', `port=${s.port}`, '-p', `user=${s.user}`, '-p', `knownHosts=${s.knownHosts}`,
      '-p', `marker=${marker}`, '-p', `probeLog=${probeLog}`, '--store', store, ...extra], {
      cwd: tmp.dir,
      env: { NODE_OPTIONS: `--import ${RECORDER}`, RUNBOOK_SPAWN_LOG: spawnLog, RUNBOOK_TEST_SSH_KEY: s.clientKey },
    });
  }

  function effects(): Recorded[] {
    if (!existsSync(spawnLog)) return [];
    const log = readFileSync(spawnLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded);
    expect(log.some((e) => e.kind === 'recorder')).toBe(true); // the recorder was there: an empty list means something
    const esbuild = (e: Recorded): boolean => e.kind === 'child_process' && /[\\/]esbuild(\.exe)?$/.test(e.command ?? '') && (e.args ?? []).some((a) => a.startsWith('--service='));
    return log.filter((e) => e.kind !== 'recorder' && !esbuild(e));
  }

  it('--dry-run renders each ssh action with its target and opens no socket', async () => {
    const logins = s.accepted();
    const r = await run(['--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ssh runbook-ssh-test@127.0.0.1:${s.port}: echo probe >> ${probeLog}; uname -s`);
    expect(r.stdout).toContain(`ssh runbook-ssh-test@127.0.0.1:${s.port}: touch ${marker} && echo systemctl stop vault`);
    expect(r.stdout).toContain(`ssh runbook-ssh-test@127.0.0.1:${s.port}: id -un`);
    expect(effects()).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(probeLog)).toBe(false);
    expect(s.accepted()).toBe(logins);
    expect(r.stdout).not.toContain('PRIVATE KEY');
  });

  it('--dry-run --probe runs the read-only ssh check for real, and not the exec', async () => {
    const logins = s.accepted();
    const r = await run(['--dry-run', '--probe']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(probeLog, 'utf8')).toBe('probe\n');
    expect(existsSync(marker)).toBe(false);
    expect(s.accepted() - logins).toBe(1);
    const sockets = effects().filter((e) => e.kind === 'socket');
    expect(sockets.map((e) => e.target)).toEqual([`127.0.0.1:${s.port}`]);
    expect(effects().filter((e) => e.kind === 'child_process')).toEqual([]);
  });

  it('live (the control): every step acts, over one connection', async () => {
    const logins = s.accepted();
    const r = await run(['--yes', '--ui', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(readFileSync(probeLog, 'utf8')).toBe('probe\n');
    expect(s.accepted() - logins).toBe(1);
    const sockets = effects().filter((e) => e.kind === 'socket');
    expect(sockets.map((e) => e.target)).toEqual([`127.0.0.1:${s.port}`]);
    const who = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; stepId?: string; value?: unknown }).find((e) => e.type === 'step-finished' && e.stepId === 'who');
    expect(who?.value).toBe('runbook-ssh-test');
    expect(journalText(store)).not.toContain('PRIVATE KEY');
  });
});

describe.runIf(available)('ssh through the CLI: secrets', () => {
  const passphrase = 'c0rrect horse $battery';
  let encrypted: string;

  beforeAll(() => {
    // the authorized key, re-encrypted with a passphrase (same key pair)
    const p = join(s.dir, 'client_encrypted');
    copyFileSync(s.clientKeyPath, p);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', passphrase, '-f', p], { stdio: 'pipe' });
    encrypted = readFileSync(p, 'utf8');
    expect(encrypted).toContain('BEGIN OPENSSH PRIVATE KEY');
  });

  function run(pass: string, ui: string): Promise<CliResult> {
    const file = join(tmp.dir, 'secrets.ts');
    copyFileSync(fixture('secrets.ts'), file);
    return runCli(['run', file, '-p', `port=${s.port}`, '-p', `user=${s.user}`, '-p', `knownHosts=${s.knownHosts}`, '--store', join(tmp.dir, 'store'), '--ui', ui], {
      cwd: tmp.dir,
      env: { RUNBOOK_TEST_SSH_KEY: encrypted, RUNBOOK_TEST_SSH_PASSPHRASE: pass },
    });
  }

  /** No line of the key body (nor the whole key, nor the passphrase) anywhere. */
  function assertNoSecret(text: string, pass: string): void {
    const lines = encrypted.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(text).not.toContain(l);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(pass);
  }

  it('an encrypted key from a secret param, opened with a secret passphrase: works, and neither shows', async () => {
    for (const ui of ['plain', 'json']) {
      const r = await run(passphrase, ui);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('hello from runbook-ssh-test');
      assertNoSecret(r.stdout + r.stderr, passphrase);
    }
    assertNoSecret(journalText(join(tmp.dir, 'store')), passphrase);
  });

  it('a wrong passphrase fails the step with a clear message that holds neither secret', async () => {
    const wrong = 'not the passphrase';
    const r = await run(wrong, 'plain');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('the private key (given as text) is encrypted and the passphrase does not open it');
    assertNoSecret(r.stdout + r.stderr + journalText(join(tmp.dir, 'store')), wrong);
    assertNoSecret(r.stdout + r.stderr, passphrase);
  });

  it('the journal records the secret params as redacted', async () => {
    await run(passphrase, 'plain');
    const started = JSON.parse(journalText(join(tmp.dir, 'store')).split('\n')[0] ?? '{}') as { params?: Record<string, unknown> };
    expect(started.params?.['key']).toBe('***');
    expect(started.params?.['passphrase']).toBe('***');
  });
});
