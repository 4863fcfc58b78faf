// SSH adapter bench, standalone: `node bench/ssh.mjs` (needs /usr/sbin/sshd and root, like the tests:
// it starts its own sshd on 127.0.0.1 with test/helpers/servers/sshd.ts and stops it at the end).
//   1. 100 × `true` over one pooled connection vs 100 × a new connection each (ssh2), vs the OpenSSH
//      client (`ssh host true`, what `sh\`ssh …\`` costs), vs Ansible's per-task cost when installed;
//      and the raw ssh2 exec cost with and without setNoDelay (why the adapter sets it).
//   2. ssh.each over 20 targets (aliases of the one server, one connection each, connect included)
//      at concurrency 1, 5 and 20: wall time of the step and ratio to concurrency 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { importTs } from './import-ts.mjs';

const N = Number(process.env.BENCH_SSH_N ?? 100);
const FAN = 20;

export async function sshBench() {
  if (!existsSync('/usr/sbin/sshd') || process.getuid?.() !== 0) {
    console.log('ssh bench skipped: needs /usr/sbin/sshd and root (to run sshd and create its test user)');
    return;
  }
  // The harness and the adapter are TypeScript: bundle them once (ssh2 stays external, resolved from node_modules).
  const m = await importTs('ssh', [
    "export { startSshd } from './test/helpers/servers/sshd.ts';",
    "export { runOnHost } from './interpreter/adapters/ssh/host.ts';",
    "export { connectSpec } from './interpreter/adapters/ssh/target.ts';",
    "export { resolveTarget } from './interpreter/render/ssh.ts';",
    "export { RunResources } from './interpreter/engine/resources.ts';",
    "export { runEngine } from './interpreter/engine/engine.ts';",
    "export { noPrompter } from './interpreter/engine/prompter.ts';",
    "export { liveMode } from './interpreter/modes/index.ts';",
    "export { runbook, ssh, sh } from './dsl/index.ts';",
  ]);

  const s = await m.startSshd();
  try {
    const target = (name) => ({ host: '127.0.0.1', port: s.port, user: s.user, privateKey: s.clientKeyPath, knownHosts: s.knownHosts, name });
    const ctx = { params: {}, steps: {}, run: {} };
    const spec = (name) => m.connectSpec(m.resolveTarget({ lazy: false, target: nodeOf(m, target(name)) }, ctx, 'bench', false));
    const opts = (resources) => ({ resources, timeoutMs: undefined, signal: new AbortController().signal, onOutput: () => {} });
    const must = (r) => { if (!r.ok) throw new Error(`bench exec failed: ${r.error ?? r.stderr}`); };

    console.log(`ssh bench — node ${process.version}, sshd on 127.0.0.1:${s.port}\n`);
    const per = (x) => `${(x / N).toFixed(2)} ms/exec`;
    console.log(`1) ${N} × true`);
    // 1a. pooled: one connection (opened before timing), N execs
    const pool = new m.RunResources();
    const pooledSpec = spec('pooled');
    must(await m.runOnHost(pooledSpec, 'true', opts(pool)));
    let t = performance.now();
    for (let i = 0; i < N; i++) must(await m.runOnHost(pooledSpec, 'true', opts(pool)));
    const pooled = performance.now() - t;
    await pool.closeAll();
    console.log(`   runbook, one pooled connection : ${pooled.toFixed(0)} ms  (${per(pooled)})`);

    // 1b. a new connection for every exec
    t = performance.now();
    for (let i = 0; i < N; i++) {
      const fresh = new m.RunResources();
      must(await m.runOnHost(spec(`fresh-${i}`), 'true', opts(fresh)));
      await fresh.closeAll();
    }
    const fresh = performance.now() - t;
    console.log(`   runbook, new connection each   : ${fresh.toFixed(0)} ms  (${per(fresh)})`);
    console.log(`   ratio new / pooled             : ${(fresh / pooled).toFixed(1)}×`);

    // 1c. the OpenSSH client, one process and one connection per command
    let openssh;
    if (existsSync('/usr/bin/ssh')) {
      const args = ['-i', s.clientKeyPath, '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-p', String(s.port), `${s.user}@127.0.0.1`, 'true'];
      const n = Math.min(N, 30); // ~0.25 s each: 30 are enough for a per-exec figure
      t = performance.now();
      for (let i = 0; i < n; i++) {
        const r = spawnSync('/usr/bin/ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
        if (r.status !== 0) throw new Error(`ssh failed: ${r.stderr}`);
      }
      openssh = ((performance.now() - t) / n) * N;
      console.log(`   OpenSSH client, one process each: ${(openssh / N).toFixed(2)} ms/exec  (${n} runs; what sh\`ssh host …\` costs)`);
      console.log(`   ratio OpenSSH / pooled         : ${(openssh / pooled).toFixed(1)}× per exec`);
    }

    // 1d. raw ssh2 on one connection, Nagle on vs off (setNoDelay)
    const { Client } = (await import('ssh2')).default;
    const raw = async (noDelay) => {
      const c = new Client();
      await new Promise((resolve, reject) => c.on('ready', resolve).on('error', reject).connect({ host: '127.0.0.1', port: s.port, username: s.user, privateKey: s.clientKey }));
      if (noDelay) c.setNoDelay(true);
      const once = () => new Promise((resolve, reject) => c.exec('true', (e, ch) => (e ? reject(e) : ch.on('close', resolve).resume())));
      await once();
      const start = performance.now();
      const n = Math.min(N, 40);
      for (let i = 0; i < n; i++) await once();
      c.end();
      return (performance.now() - start) / n;
    };
    const nagle = await raw(false);
    const noDelay = await raw(true);

    console.log(`   raw ssh2 exec, Nagle on        : ${nagle.toFixed(2)} ms/exec`);
    console.log(`   raw ssh2 exec, setNoDelay(true): ${noDelay.toFixed(2)} ms/exec  (the adapter sets it)`);
    const ansible = spawnSync('sh', ['-c', 'command -v ansible'], { encoding: 'utf8' }).stdout.trim();
    if (!ansible) console.log('   Ansible                        : ansible not installed, skipped');
    else {
      const a = ['all', '-i', '127.0.0.1,', '-u', s.user, '--private-key', s.clientKeyPath, '-e', `ansible_port=${s.port}`, '-m', 'raw', '-a', 'true'];
      const runs = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const r = spawnSync(ansible, a, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False' } });
        if (r.status !== 0) throw new Error(`ansible failed: ${r.stderr}`);
        runs.push(performance.now() - t0);
      }
      const med = runs.sort((x, y) => x - y)[2];
      console.log(`   Ansible ad-hoc raw task        : ${med.toFixed(0)} ms/task (median of 5; ${(med / (pooled / N)).toFixed(0)}× a pooled exec)`);
    }

    // 2. fan-out: a fresh run each time (connections included), 20 aliases, `sleep 0.2` each
    console.log(`\n2) ssh.each over ${FAN} targets (one connection each, connect included), each running sleep 0.2`);
    const walls = new Map();
    for (const concurrency of [1, 5, 20]) {
      const rb = m.runbook('bench-fan', { title: 'fan' })
        .exec('fan', 'fan', m.ssh.each(Array.from({ length: FAN }, (_, i) => target(`c${concurrency}-h${i}`)), m.sh`sleep 0.2`, { concurrency }));
      let finished;
      const r = await m.runEngine({
        plan: rb.toPlan(), mode: await m.liveMode(), params: {},
        run: { id: `bench-${concurrency}`, runbookId: 'bench-fan', mode: 'live', operator: 'bench', startedAt: new Date().toISOString() },
        prompter: m.noPrompter, emit: (e) => { if (e.type === 'step-finished') finished = e; }, redact: (x) => x,
        signal: new AbortController().signal, yes: true, runStartedAtMs: Date.now(),
      });
      if (r.exitCode !== 0) throw new Error(`fan-out at concurrency ${concurrency} failed: ${finished?.error}`);
      walls.set(concurrency, finished.durationMs);
      const base = walls.get(1);
      console.log(`   concurrency ${String(concurrency).padStart(2)}: ${String(finished.durationMs).padStart(5)} ms wall  (ratio to concurrency 1: ${(finished.durationMs / base).toFixed(2)})`);
    }
    console.log('   (2 shared cores: the handshakes are CPU work on both ends, so 20 at once is not 20× faster)');
  } finally {
    await s.stop();
  }
}

/** The node of a target object, the way `ssh(target)` builds it. */
function nodeOf(m, t) {
  const action = m.ssh(t)`true`;
  const node = action[Symbol.for('runbook.action')];
  return node.target.target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await sshBench();
}
