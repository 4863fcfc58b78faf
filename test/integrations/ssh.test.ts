// The ssh adapter against a real OpenSSH sshd on 127.0.0.1 (test/helpers/servers/sshd.ts): streamed
// output, exit codes, remote kill on timeout and Ctrl-C, host-key verification against known_hosts,
// one pooled connection per target, reconnect after a broken connection, auth and transport failures
// as data, jump hosts.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fn, runbook, ssh, type SshResult, type SshTargetOptions } from 'runbook';
import { processesMatching, sshdAvailable, startSshd, type Sshd } from '../helpers/servers/sshd.js';
import { runLive } from './ssh-engine.js';

const available = sshdAvailable();
let s: Sshd;
let serial = 0;

beforeAll(async () => {
  if (available) s = await startSshd();
});
afterAll(async () => {
  await s?.stop();
});

/** The test server as a target; each test gets its own name (its own pooled connection). */
function target(extra: Partial<SshTargetOptions> = {}): SshTargetOptions {
  return { host: '127.0.0.1', port: s.port, user: s.user, privateKey: s.clientKeyPath, knownHosts: s.knownHosts, ...extra };
}

function file(name: string, text: string, mode = 0o644): string {
  const p = join(s.dir, `${name}-${++serial}`);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

/** OpenSSH's own fingerprint of the server's host key (`ssh-keygen -lf`). */
function hostFingerprint(): string {
  const out = execFileSync('ssh-keygen', ['-lf', join(s.dir, 'host_ed25519.pub')], { encoding: 'utf8' });
  const fp = /SHA256:\S+/.exec(out)?.[0];
  if (!fp) throw new Error(`no fingerprint in ${out}`);
  return fp;
}

function result(run: Awaited<ReturnType<typeof runLive>>, id: string): SshResult {
  return run.finished.get(id)?.result as SshResult;
}

describe.runIf(available)('ssh: commands', () => {
  it('streams output while the command runs: the command waits for a file the test creates on seeing its first line', async () => {
    const flag = join(s.shared, `flag-${++serial}`);
    // Bounded wait (10 s): without streaming, "first" would only arrive at the end, the flag never appear, and "second" never print.
    const rb = runbook('ssh-stream', { title: 'stream' })
      .exec('stream', 'Stream', ssh(target({ name: 'stream' }))`echo first; i=0; while [ ! -e ${flag} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; [ -e ${flag} ] && echo second || echo 'no flag'`);
    const run = await runLive(rb, {
      onEvent: (e) => {
        if (e.type === 'output' && e.text.includes('first')) writeFileSync(flag, '');
      },
    });
    expect(run.result.exitCode).toBe(0);
    expect(run.output('stream', 'stdout')).toBe('first\nsecond\n');
    expect(result(run, 'stream')).toMatchObject({ ok: true, exitCode: 0, stdout: 'first\nsecond', host: 'stream', command: expect.stringContaining('echo first') as string });
  });

  it('returns exit code, stdout and the stderr tail; a failed command fails the step with them', async () => {
    const rb = runbook('ssh-exit', { title: 'exit' })
      .exec('fails', 'Fails', ssh(target())`echo out; echo e1 >&2; echo e2 >&2; exit 3`, { continueOnError: true })
      .exec('killed', 'Killed by a signal', ssh(target())`kill -9 $$`, { continueOnError: true })
      .exec('quoted', 'Quoted interpolation', ssh(target())`printf '%s\n' ${"it's; $(rm -rf /)"} ${['a b', 'c']}`);
    const run = await runLive(rb);
    const fails = result(run, 'fails');
    expect(fails).toMatchObject({ ok: false, exitCode: 3, signal: null, stdout: 'out', stderr: 'e1\ne2', timedOut: false });
    expect(run.finished.get('fails')?.error).toBe(`runbook-ssh-test@127.0.0.1:${s.port}: command exited with code 3: e1 | e2`);
    expect(run.output('fails', 'stderr')).toBe('e1\ne2\n'); // the wrapper's PID line never shows
    expect(result(run, 'killed')).toMatchObject({ ok: false, exitCode: null, signal: 'SIGKILL' });
    expect(result(run, 'quoted')).toMatchObject({ ok: true, stdout: "it's; $(rm -rf /)\na b\nc" });
  });

  it('a timeout kills the remote command and everything it started; a follow-up step on the same connection finds nothing left', async () => {
    const tag = `${process.pid}${++serial}`;
    const rb = runbook('ssh-timeout', { title: 'timeout' })
      .exec('slow', 'Slow', ssh(target({ name: 'slow' }))`sleep 91${tag}.1 & sleep 91${tag}.2; echo never`, { timeout: '1s', continueOnError: true })
      .check('gone', 'Nothing left', ssh(target({ name: 'slow' }))`ps -eo args | grep -c '[s]leep 91${tag}' || true`, { parse: (out) => Number(out.trim()), expect: 0 });
    const run = await runLive(rb);
    expect(result(run, 'slow')).toMatchObject({ ok: false, timedOut: true, exitCode: null, signal: 'SIGKILL', error: 'timed out after 1000 ms; the remote command was killed' });
    expect(run.finished.get('slow')?.error).toBe('slow: timed out after 1000 ms; the remote command was killed');
    expect(run.finished.get('gone')?.status).toBe('ok');
    expect(processesMatching(`sleep 91${tag}`)).toEqual([]);
    expect(s.log()).toMatch(/Accepted publickey/);
  });

  it('Ctrl-C (the run aborted) kills the remote command', async () => {
    const tag = `${process.pid}${++serial}`;
    const ac = new AbortController();
    const rb = runbook('ssh-abort', { title: 'abort' })
      .exec('slow', 'Slow', ssh(target())`echo started; sleep 92${tag}`);
    const run = await runLive(rb, { signal: ac.signal, onEvent: (e) => { if (e.type === 'output' && e.text.includes('started')) ac.abort('SIGINT'); } });
    expect(run.result.exitCode).toBe(130);
    expect(run.events.some((e) => e.type === 'step-interrupted')).toBe(true);
    expect(processesMatching(`sleep 92${tag}`)).toEqual([]);
  });

  it('control: closing the channel alone leaves the remote command running (why the adapter kills it)', async () => {
    const tag = `${process.pid}${++serial}`;
    const c = new Client();
    await new Promise<void>((resolve, reject) => {
      c.on('ready', () => resolve()).on('error', reject).connect({ host: '127.0.0.1', port: s.port, username: s.user, privateKey: s.clientKey });
    });
    const ch = await new Promise<import('ssh2').ClientChannel>((resolve, reject) => c.exec(`sleep 93${tag}`, (e, st) => (e ? reject(e) : resolve(st))));
    for (let i = 0; i < 100 && processesMatching(`sleep 93${tag}`).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    ch.close();
    c.end();
    await new Promise((r) => setTimeout(r, 300));
    const left = processesMatching(`sleep 93${tag}`);
    for (const p of left) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    expect(left.length).toBeGreaterThan(0);
  });
});

describe.runIf(available)('ssh: host keys', () => {
  it('refuses a changed host key, naming the offered SHA256 fingerprint and how to fix known_hosts', async () => {
    const other = execFileSync('sh', ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${s.dir}/other-${++serial} && cat ${s.dir}/other-${serial}.pub`], { encoding: 'utf8' });
    const known = file('known-wrong', `[127.0.0.1]:${s.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const before = s.accepted();
    const run = await runLive(runbook('ssh-wrong-key', { title: 'x' }).exec('x', 'x', ssh(target({ knownHosts: known }))`echo should not run`, { continueOnError: true }));
    const r = result(run, 'x');
    expect(r.ok).toBe(false);
    expect(r.error).toContain(`HOST KEY MISMATCH for [127.0.0.1]:${s.port}`);
    expect(r.error).toContain(hostFingerprint());
    expect(r.error).toContain(`ssh-keyscan -p ${s.port} -t ed25519 127.0.0.1 >> ${known}`);
    expect(r.error).toContain(`ssh-keygen -R '[127.0.0.1]:${s.port}'`);
    expect(s.accepted()).toBe(before); // never authenticated, let alone ran
  });

  it('refuses an unknown host (missing file or no entry), with the fingerprint and the ssh-keyscan line', async () => {
    const empty = file('known-empty', `# nothing\n[127.0.0.1]:1 ${s.hostKey}\n127.0.0.1 ${s.hostKey}\n`);
    const missing = join(s.dir, 'no-such-known-hosts');
    const run = await runLive(runbook('ssh-unknown', { title: 'x' })
      .exec('no-entry', 'x', ssh(target({ knownHosts: empty }))`true`, { continueOnError: true })
      .exec('no-file', 'x', ssh(target({ knownHosts: missing }))`true`, { continueOnError: true }));
    const fp = hostFingerprint();
    expect(result(run, 'no-entry').error).toBe(`host [127.0.0.1]:${s.port} is not in ${empty}; it offered ED25519 key ${fp}. Check that fingerprint out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then trust it with: ssh-keyscan -p ${s.port} -t ed25519 127.0.0.1 >> ${empty}`);
    expect(result(run, 'no-file').error).toContain(`is not in ${missing} (the file does not exist)`);
    expect(existsSync(missing)).toBe(false); // never written: trusting is the operator's act
  });

  it('accepts a hashed entry (ssh-keygen -H) and a wildcard pattern; refuses a key marked @revoked', async () => {
    const hashed = file('known-hashed', `[127.0.0.1]:${s.port} ${s.hostKey}\n`, 0o600);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'pipe' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    const wildcard = file('known-wild', `other,[127.0.0.?]:${s.port},!10.* ${s.hostKey}\n`);
    const revoked = file('known-revoked', `[127.0.0.1]:${s.port} ${s.hostKey}\n@revoked * ${s.hostKey}\n`);
    const run = await runLive(runbook('ssh-hashed', { title: 'x' })
      .exec('hashed', 'x', ssh(target({ knownHosts: hashed, name: 'hashed' }))`echo ok`, { continueOnError: true })
      .exec('wild', 'x', ssh(target({ knownHosts: wildcard, name: 'wild' }))`echo ok`, { continueOnError: true })
      .exec('revoked', 'x', ssh(target({ knownHosts: revoked, name: 'revoked' }))`echo ok`, { continueOnError: true }));
    expect(result(run, 'hashed')).toMatchObject({ ok: true, stdout: 'ok' });
    expect(result(run, 'wild')).toMatchObject({ ok: true, stdout: 'ok' });
    expect(result(run, 'revoked').error).toContain(`host key of [127.0.0.1]:${s.port} (ED25519 key ${hostFingerprint()}) is marked @revoked in ${revoked} line 2; refusing to connect`);
  });
});

describe.runIf(available)('ssh: connections', () => {
  it('reuses one connection per target for every step of a run (one TCP connection, one login)', async () => {
    const logins = s.accepted();
    const connections = (): number => s.log().split('\n').filter((l) => l.startsWith('Connection from 127.0.0.1')).length;
    const tcp = connections();
    let rb = runbook('ssh-pool', { title: 'pool' }).phase('p');
    for (let i = 0; i < 8; i++) rb = rb.exec(`s${i}` as string, `step ${i}`, ssh(target({ name: 'pooled' }))`echo ${i}`) as typeof rb;
    const run = await runLive(rb);
    expect(run.result.exitCode).toBe(0);
    expect(s.accepted() - logins).toBe(1);
    expect(connections() - tcp).toBe(1);
  });

  it('a connection that broke between steps is replaced; one that breaks under a command fails that attempt and the retry reconnects', async () => {
    const flag = join(s.shared, `broke-${++serial}`);
    const logins = s.accepted();
    const rb = runbook('ssh-reconnect', { title: 'reconnect' })
      .exec('first', 'First', ssh(target({ name: 'fragile' }))`echo one`)
      .exec('break', 'Kill the server side of every connection', fn(async () => ({ killed: s.killConnections() })))
      .exec('second', 'After the break', ssh(target({ name: 'fragile' }))`echo two`)
      // kills its own sshd session process the first time: the connection dies under the command
      .exec('third', 'Dies once', ssh(target({ name: 'fragile' }))`if [ ! -e ${flag} ]; then touch ${flag}; kill -9 $PPID; sleep 5; fi; echo recovered`, { retry: { attempts: 2, interval: '10ms' } });
    const run = await runLive(rb);
    expect(run.result.exitCode).toBe(0);
    expect(result(run, 'second')).toMatchObject({ ok: true, stdout: 'two' });
    const failedAttempt = run.events.find((e) => e.type === 'attempt-failed' && e.stepId === 'third');
    expect(failedAttempt).toMatchObject({ error: expect.stringMatching(/connection to .* was lost before the command finished; a retry reconnects/) as string });
    expect(run.finished.get('third')).toMatchObject({ status: 'ok', attempts: 2 });
    expect(result(run, 'third').stdout).toBe('recovered');
    expect(s.accepted() - logins).toBe(3); // first, after the break, after the broken attempt
  });

  it('goes through a jump host (forwardOut + sock): two logins, one TCP connection from here', async () => {
    const logins = s.accepted();
    const connect = vi.spyOn(Socket.prototype, 'connect');
    try {
      const run = await runLive(runbook('ssh-jump', { title: 'jump' })
        .exec('via', 'Via a jump host', ssh(target({ name: 'behind', jumpHost: target({ name: 'bastion' }) }))`echo through`));
      expect(result(run, 'via')).toMatchObject({ ok: true, stdout: 'through', host: 'behind' });
      expect(s.accepted() - logins).toBe(2); // the bastion, then the target through it
      expect(connect).toHaveBeenCalledTimes(1); // only to the bastion: the target's connection is a channel inside it
    } finally {
      connect.mockRestore();
    }
  });

  it('auth failure, refused connection, DNS failure: ok:false with a clear error, never a crash', async () => {
    const stranger = join(s.dir, `stranger-${++serial}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
      });
    });
    const run = await runLive(runbook('ssh-failures', { title: 'x' })
      .exec('auth', 'x', ssh(target({ privateKey: stranger }))`true`, { continueOnError: true })
      .exec('refused', 'x', ssh(target({ port: closed }))`true`, { continueOnError: true })
      .exec('dns', 'x', ssh(target({ host: 'no-such-host.invalid' }))`true`, { continueOnError: true, timeout: '10s' })
      .exec('nokey', 'x', ssh(target({ privateKey: join(s.dir, 'missing-key') }))`true`, { continueOnError: true }));
    expect(result(run, 'auth').error).toBe(`authentication failed for runbook-ssh-test@127.0.0.1:${s.port} (tried key ${stranger}): the server accepted none of them`);
    expect(result(run, 'refused').error).toBe(`connection refused by 127.0.0.1:${closed} (no SSH server listening?)`);
    expect(result(run, 'dns').error).toMatch(/^cannot resolve host "no-such-host.invalid" \((ENOTFOUND|EAI_AGAIN)\)$|^no SSH handshake/);
    expect(result(run, 'nokey').error).toBe(`cannot read the private key file ${join(s.dir, 'missing-key')}: no such file`);
    expect(run.result.exitCode).toBe(0); // continueOnError: recorded as failed, the run went on
    for (const id of ['auth', 'refused', 'dns', 'nokey']) expect(run.finished.get(id)?.status).toBe('failed');
  });

  it('a target computed at run time from a param; a bad one fails the step with the reason', async () => {
    const rb = runbook('ssh-lazy', { title: 'x' })
      .exec('lazy', 'x', ssh((c) => ({ ...target(), name: `n-${String(c.params.suffix)}` }))`echo lazy`)
      .exec('bad', 'x', ssh(() => 'ops@bad host')`true`, { continueOnError: true });
    const run = await runLive(rb, { params: { suffix: 'a' } });
    expect(result(run, 'lazy')).toMatchObject({ ok: true, host: 'n-a', stdout: 'lazy' });
    expect(run.finished.get('bad')?.error).toContain('bad ssh target "ops@bad host"');
  });
});
