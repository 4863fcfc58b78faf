// ssh.each against a real sshd: 20 "hosts" are aliases of one server (same 127.0.0.1:port, distinct
// names, so distinct pooled connections). The remote commands write start/end lines to a shared log,
// and wait on files the test creates when it sees events, so batches, concurrency and the skipped set
// are proven by order, never by wall-clock time.
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fn, runbook, sh, ssh, type FanOutResult, type SshTargetOptions } from 'runbook';
import { runCli, tempDir } from '../helpers/cli.js';
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

const name = (i: number): string => `web-${String(i + 1).padStart(2, '0')}`;

function hosts(n: number, prefix = ''): SshTargetOptions[] {
  return Array.from({ length: n }, (_, i) => ({
    host: '127.0.0.1', port: s.port, user: s.user, privateKey: s.clientKeyPath, knownHosts: s.knownHosts, name: `${prefix}${name(i)}`,
  }));
}

/** A bounded wait inside a remote command: at most 10 s, then it reports the timeout and exits 9. */
function waitFor(test: string): string {
  return `i=0; until ${test}; do i=$((i+1)); [ $i -gt 200 ] && { echo "gave up waiting for: ${test.replace(/["$`\\]/g, '')}" >&2; exit 9; }; sleep 0.05; done`;
}

/** An empty log the remote user (not root) can append to. */
function sharedLog(file: string): string {
  const p = join(s.shared, file);
  writeFileSync(p, '');
  chmodSync(p, 0o666);
  return p;
}

function logLines(log: string): { what: 'start' | 'end'; host: string }[] {
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [what, host] = l.split(' ');
    return { what: what as 'start' | 'end', host: host ?? '' };
  });
}

describe.runIf(available)('ssh.each', () => {
  it('20 hosts, concurrency 5, batch 10, maxFailures 1, one failing: batches in order, never more than 5 at once, every host reported', async () => {
    const log = sharedLog(`fan-${++serial}.log`);
    const logins = s.accepted();
    const rb = runbook('ssh-fan', { title: 'fan' })
      .exec('fan', 'Fan out', ssh.each(hosts(20), (h) => sh`echo start ${h.name} >> ${log}; ${sh.raw(
        // the first five wait until five have started: this passes only if five really run at once
        h.index < 5 ? `${waitFor(`[ $(grep -c '^start' ${log}) -ge 5 ]`)};` : '',
      )} echo hello from ${h.name}; sleep 0.1; echo end ${h.name} >> ${log}; ${sh.raw(h.index === 7 ? `echo ${h.name} is broken >&2; exit 3` : 'true')}`,
      { concurrency: 5, batch: 10, maxFailures: 1 }));
    const run = await runLive(rb);
    expect(run.result.exitCode).toBe(1);
    const r = run.finished.get('fan')?.result as FanOutResult;

    // every host ran, one failed
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual(['web-08']);
    expect(r.skipped).toEqual([]);
    expect(r.hosts.map((h) => h.host)).toEqual(Array.from({ length: 20 }, (_, i) => name(i)));
    expect(r.hosts.map((h) => h.batch)).toEqual([...Array(10).fill(1), ...Array(10).fill(2)]);
    expect(r.hosts.map((h) => h.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 'failed' : 'ok')));
    expect(r.hosts[7]).toMatchObject({ ok: false, exitCode: 3, stdout: 'hello from web-08', stderr: 'web-08 is broken', status: 'failed' });
    expect(r.hosts[0]).toMatchObject({ ok: true, exitCode: 0, signal: null, stdout: 'hello from web-01', stderr: '', status: 'ok' });
    expect(run.finished.get('fan')?.error).toBe('1 of 20 hosts failed (web-08: command exited with code 3: web-08 is broken)');

    // batches in order; at most five at once (and five were reached: the barrier above)
    const lines = logLines(log);
    expect(lines).toHaveLength(40);
    const batchOf = (h: string): number => Number(h.slice(4)) <= 10 ? 1 : 2;
    const lastEnd1 = Math.max(...lines.flatMap((l, i) => (l.what === 'end' && batchOf(l.host) === 1 ? [i] : [])));
    const firstStart2 = Math.min(...lines.flatMap((l, i) => (l.what === 'start' && batchOf(l.host) === 2 ? [i] : [])));
    expect(lastEnd1).toBeLessThan(firstStart2);
    let running = 0;
    let peak = 0;
    for (const l of lines) {
      running += l.what === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(5);

    // output: each line prefixed with its host, one summary line per host
    const out = run.output('fan', 'stdout');
    for (let i = 0; i < 20; i++) expect(out).toContain(`[${name(i)}] hello from ${name(i)}\n`);
    for (let i = 0; i < 20; i++) if (i !== 7) expect(out).toMatch(new RegExp(`^\\[${name(i)}\\] ok \\d+ ms$`, 'm'));
    expect(run.output('fan', 'stderr')).toBe('[web-08] web-08 is broken\n[web-08] failed exit 3: web-08 is broken\n');

    // one connection (one login) per host alias
    expect(s.accepted() - logins).toBe(20);
  });

  it('once failures exceed maxFailures, no further host starts: the rest are reported as skipped', async () => {
    const log = sharedLog(`skip-${++serial}.log`);
    const seen = join(s.shared, `seen-${serial}`);
    // web-01 fails at once; its slot goes to web-06. web-02 fails once web-06 has started. web-03..06
    // finish only after the test has seen web-02's failure, so no slot frees up before the limit is hit.
    const command = (i: number): string => {
      if (i === 0) return 'exit 3';
      if (i === 1) return `${waitFor(`grep -q '^start web-06$' ${log}`)}; exit 4`;
      if (i <= 5) return `${waitFor(`[ -e ${seen} ]`)}; echo done`;
      return 'echo should not run';
    };
    const rb = runbook('ssh-skip', { title: 'skip' })
      .exec('fan', 'Fan out', ssh.each(hosts(20, ''), (h) => sh`echo start ${h.name} >> ${log}; ${sh.raw(command(h.index))}`, { concurrency: 5, batch: 10, maxFailures: 1 }), { continueOnError: true })
      .exec('after', 'The run goes on', fn(async () => 'after'));
    const run = await runLive(rb, {
      onEvent: (e) => {
        if (e.type === 'output' && e.text.includes('[web-02] failed')) writeFileSync(seen, '');
      },
    });
    const r = run.finished.get('fan')?.result as FanOutResult;
    expect(r.failed).toEqual(['web-01', 'web-02']);
    expect(r.skipped).toEqual(Array.from({ length: 14 }, (_, i) => name(i + 6)));
    expect(r.hosts.slice(2, 6).map((h) => [h.host, h.status, h.stdout])).toEqual([2, 3, 4, 5].map((i) => [name(i), 'ok', 'done']));
    expect(r.hosts[6]).toMatchObject({ host: 'web-07', status: 'skipped', ok: false, exitCode: null, batch: 1, error: 'not started: 2 hosts failed, more than maxFailures 1' });
    expect(r.hosts[19]).toMatchObject({ host: 'web-20', status: 'skipped', batch: 2 });
    expect(logLines(log).filter((l) => l.what === 'start').map((l) => l.host).sort()).toEqual([0, 1, 2, 3, 4, 5].map(name));
    expect(run.output('fan', 'stderr')).toContain('[web-07] skipped: not started: 2 hosts failed, more than maxFailures 1\n');
    expect(run.output('fan', 'stderr')).toContain('[web-01] failed exit 3\n');
    expect(run.finished.get('fan')?.error).toMatch(/^2 of 20 hosts failed \(web-01: command exited with code 3; web-02: command exited with code 4\); 14 skipped \(web-07, web-08, web-09, web-10, web-11, …\)$/);
    expect(run.finished.get('after')?.status).toBe('ok');
  });

  it("the step's timeout bounds the whole fan-out: the running host is killed remotely, the rest skipped", async () => {
    const tag = `${process.pid}${++serial}`;
    const rb = runbook('ssh-fan-timeout', { title: 't' })
      .exec('fan', 'Fan out', ssh.each(hosts(3, 't-'), sh`sleep 94${tag}`, { concurrency: 1 }), { timeout: '1s', continueOnError: true });
    const run = await runLive(rb);
    const r = run.finished.get('fan')?.result as FanOutResult;
    expect(r.hosts.map((h) => h.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(r.hosts[0]).toMatchObject({ timedOut: true, error: 'timed out after 1000 ms; the remote command was killed' });
    expect(r.hosts[1]?.error).toBe("not started: the step's timeout (1000 ms) ran out");
    expect(processesMatching(`sleep 94${tag}`)).toEqual([]);
  });

  it('a host list computed from an earlier step; two hosts with the same name are refused', async () => {
    const rb = runbook('ssh-fan-lazy', { title: 'l' })
      .exec('inventory', 'Inventory', fn(async () => hosts(3, 'inv-')))
      .exec('fan', 'Fan out', ssh.each((c) => c.steps.inventory.value, (h) => sh`echo ${h.index}`))
      .exec('dupes', 'Dupes', ssh.each(() => [...hosts(2, 'd-'), ...hosts(1, 'd-')], sh`true`), { continueOnError: true });
    const run = await runLive(rb);
    const r = run.finished.get('fan')?.result as FanOutResult;
    expect(r.hosts.map((h) => [h.host, h.stdout])).toEqual([['inv-web-01', '0'], ['inv-web-02', '1'], ['inv-web-03', '2']]);
    expect(run.finished.get('dupes')?.error).toBe('ssh.each: hosts #1 and #3 are both "d-web-01"; give each a distinct name (name: \'web-2\') so their output and results can be told apart');
  });

  it('through the CLI: the plan shows every host and the limits; a live run prints [host] lines and stops after the first failure', async () => {
    const tmp = tempDir('runbook-ssh-fan-');
    try {
      const file = join(tmp.dir, 'fan-out.ts');
      copyFileSync(fileURLToPath(new URL('../fixtures/ssh/fan-out.ts', import.meta.url)), file);
      const args = ['run', file, '-p', `port=${s.port}`, '-p', `user=${s.user}`, '-p', `keyFile=${s.clientKeyPath}`, '-p', `knownHosts=${s.knownHosts}`, '--store', join(tmp.dir, 'store')];
      const dry = await runCli([...args, '--dry-run'], { cwd: tmp.dir });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('ssh.each 6 hosts (concurrency 2, batch 3, maxFailures 0):');
      expect(dry.stdout).toContain(`ssh runbook-ssh-test@127.0.0.1:${s.port} (web-03): echo restarting web-03; test web-03 != web-03 || { echo web-03 is broken >&2; exit 3; }`);
      const live = await runCli([...args, '--ui', 'plain'], { cwd: tmp.dir });
      expect(live.code).toBe(1);
      const all = live.stdout + live.stderr;
      expect(all).toContain('[web-01] restarting web-01');
      expect(all).toMatch(/\[web-02\] ok \d+ ms/);
      expect(all).toContain('[web-03] failed exit 3: web-03 is broken');
      for (const h of ['web-04', 'web-05', 'web-06']) expect(all).toContain(`[${h}] skipped: not started: 1 host failed, more than maxFailures 0`);
      expect(all).not.toContain('[web-04] restarting');
    } finally {
      tmp.cleanup();
    }
  });
});
