// npm run bench: interpreter overhead and start-up, as ratios to baselines measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tuiFlood } from './tui-flood.mjs';
import { sshBench } from './ssh.mjs';
import { reviewBench } from './review.mjs';
import { storeBench } from './store.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'runbook.js');
const work = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
const STEPS = Number(process.env.BENCH_STEPS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

function generate(name, n, body) {
  const file = join(work, `${name}.ts`);
  const lines = [`import { runbook, sh } from 'runbook';`, `let b = runbook('${name}', { title: '${name}', rto: '1h' }).phase('All');`];
  for (let i = 0; i < n; i++) lines.push(`b = b.exec('step-${i}' as string, 'step ${i}', ${body(i)}) as typeof b;`);
  lines.push('export default b;');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function timeCli(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const dt = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`runbook ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return dt;
}

/** The engine's own time for the newest run in a store: run-started → run-finished, from the journal. */
function engineMs(store) {
  const runs = join(store, 'runs');
  const newest = readdirSync(runs).sort().at(-1);
  const lines = readFileSync(join(runs, newest), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const end = lines.at(-1);
  if (end.type !== 'run-finished' || end.status !== 'done') throw new Error(`run ${newest} did not finish: ${JSON.stringify(end)}`);
  return Date.parse(end.t) - Date.parse(lines[0].t);
}

function rawLoop(kind, n) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'raw-loop.mjs'), kind, String(n)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`raw ${kind} loop failed`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function nodeBaseline() {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

try {
  console.log(`runbook bench — node ${process.version}, ${STEPS} steps × ${ROUNDS} rounds\n`);

  // 1. Interpreter overhead per step, journal included.
  const big = generate('thousand', STEPS, () => 'sh`true`');
  const store = join(work, 'store');
  timeCli(['run', big, '--dry-run', '--store', store]); // compile once (cached), like any second run
  const rb = [], en = [], ex = [], es = [], sp = [];
  for (let r = 0; r < ROUNDS; r++) {
    ex.push(rawLoop('execa', STEPS));
    es.push(rawLoop('execa-same', STEPS));
    sp.push(rawLoop('spawn', STEPS));
    rb.push(timeCli(['run', big, '--yes', '--store', store]));
    en.push(engineMs(store));
  }
  const [mRb, mEn, mEx, mEs, mSp] = [median(rb), median(en), median(ex), median(es), median(sp)];
  console.log(`1) ${STEPS} × sh\`true\` (median of ${ROUNDS}; the journal is written and fsync'ed, the plain reporter prints)`);
  console.log(`   raw child_process.spawn loop : ${ms(mSp)}  (whole process; ${(mSp / STEPS).toFixed(2)} ms/step)`);
  console.log(`   raw execa loop               : ${ms(mEx)}  (whole process; ${(mEx / STEPS).toFixed(2)} ms/step)`);
  console.log(`   raw execa loop, same options : ${ms(mEs)}  (whole process; ${(mEs / STEPS).toFixed(2)} ms/step; as runbook's sh adapter spawns)`);
  console.log(`   runbook run                  : ${ms(mRb)}  (whole process; ${(mRb / STEPS).toFixed(2)} ms/step)`);
  console.log(`     of which the engine        : ${ms(mEn)}  (run-started → run-finished in the journal)`);
  console.log(`   ratio runbook / execa loop   : ${(mRb / mEx).toFixed(3)}  (target ≤ 1.15)`);
  console.log(`   ratio runbook / same-options : ${(mRb / mEs).toFixed(3)}  (the interpreter's own overhead, journal included)`);
  console.log(`   ratio runbook / spawn loop   : ${(mRb / mSp).toFixed(3)}\n`);

  // 2. Start-up: a 50-step dry-run, whole process, vs `node -e ''`.
  const fifty = generate('fifty', 50, (i) => `sh\`systemctl restart svc-${i} --host \${(c) => c.run.id}\``);
  timeCli(['run', fifty, '--dry-run', '--store', store]);
  const dr = [], nb = [];
  for (let r = 0; r < 15; r++) {
    nb.push(nodeBaseline());
    dr.push(timeCli(['run', fifty, '--dry-run', '--ui', 'plain', '--store', store]));
  }
  const [mDr, mNb] = [median(dr), median(nb)];
  console.log(`2) runbook run <50 steps> --dry-run --ui plain (median of 15)`);
  console.log(`   node -e ''                   : ${ms(mNb)}`);
  console.log(`   runbook dry-run              : ${ms(mDr)}  (target ≤ 250 ms)`);
  console.log(`   ratio dry-run / node         : ${(mDr / mNb).toFixed(2)}`);
  const cold = [];
  for (let r = 0; r < 3; r++) {
    rmSync(join(tmpdir(), `runbook-cache-${process.env.USER ?? 'root'}`), { recursive: true, force: true });
    cold.push(timeCli(['run', fifty, '--dry-run', '--ui', 'plain', '--store', store]));
  }
  console.log(`   first load (compile, cold)   : ${ms(median(cold))}\n`);

  // 3. The terminal UI under an output flood, in a real terminal.
  await tuiFlood(BIN, Number(process.env.BENCH_TUI_ROUNDS ?? 3));

  // 4. Static review (ts-morph): lint and diff, whole processes.
  await reviewBench(BIN);

  // 5. SSH: pooled connection vs a new one per command, and fan-out concurrency (its own sshd).
  console.log('');
  await sshBench();

  // 6. Run store: append throughput and resume of a 10,000-event run, file store vs PostgreSQL (its own server).
  console.log('');
  await storeBench(BIN);
} finally {
  rmSync(work, { recursive: true, force: true });
}
