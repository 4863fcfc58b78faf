// Run store bench, standalone: `node bench/store.mjs` (part of `npm run bench`). File store vs the
// PostgreSQL store (its own server, started with test/helpers/servers/postgres.ts on 127.0.0.1 and
// stopped at the end; skipped without PostgreSQL 15):
//   1. append throughput: a 10,000-event run written as the engine writes it (each step's events, then
//      the durability barrier before the next step: fsync for the file store, commit for PostgreSQL);
//   2. resume: reading a 10,000-event run back and replaying it (what `runbook resume` does before it
//      asks anything; target ≤ 200 ms on the file store), and verifying its hash chain;
//   3. the whole `runbook resume` process on that run (load the runbook, read, replay, continue).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs } from './import-ts.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EVENTS = Number(process.env.BENCH_STORE_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

async function load() {
  const m = await importTs('store', [
    "export { startPrimary, stopAll, PG_BIN } from './test/helpers/servers/postgres.ts';",
    "export { openStore } from './interpreter/store/open-store.ts';",
    "export { replay } from './interpreter/store/run-state.ts';",
    "export { verifyChain } from './interpreter/store/verify-chain.ts';",
    "export { JOURNAL_VERSION } from './interpreter/events.ts';",
  ]);
  return m;
}

/** A run of `events` events, step by step: started, output, finished (≈ 3 per step). */
function* runEvents(m, runId, events) {
  const steps = Math.floor((events - 2) / 3);
  const ids = Array.from({ length: steps }, (_, i) => `step-${i}`);
  let seq = 0;
  const at = () => ({ seq: ++seq, t: new Date().toISOString() });
  yield [{
    type: 'run-started', v: m.JOURNAL_VERSION, runId, runbookId: 'bench-store', title: 'Bench', file: 'bench.ts', sourceHash: 'h',
    fingerprints: Object.fromEntries(ids.map((id) => [id, 'f'])), steps: ids.map((id) => ({ id, kind: 'exec', title: id, phase: null })),
    params: {}, secretParams: [], operator: 'bench', host: hostname(), pid: process.pid, mode: 'live', rtoMs: null, lockKey: null, from: null, only: null, ...at(),
  }];
  for (const id of ids) {
    yield [
      { type: 'step-started', stepId: id, kind: 'exec', title: id, phase: null, attempt: 1, action: { text: `sh: systemctl restart ${id}`, effect: 'mutating' }, ...at() },
      { type: 'output', stepId: id, stream: 'stdout', text: `restarted ${id} on db-7.example.internal\n`, ...at() },
      { type: 'step-finished', stepId: id, status: 'ok', durationMs: 12, attempts: 1, value: { exitCode: 0, stdout: `restarted ${id}` }, ...at() },
    ];
  }
  yield [{ type: 'run-finished', status: 'done', durationMs: 1000, exitCode: 0, ...at() }];
}

/** Writes a run as the engine does: a step's events, then the barrier (and before its action, beforeAction). */
async function writeRun(m, store, runId) {
  const j = await store.openJournal(runId);
  let n = 0;
  const t = process.hrtime.bigint();
  for (const batch of runEvents(m, runId, EVENTS)) {
    await j.settled();
    const [first, ...rest] = batch;
    j.write(first);
    await j.beforeAction();
    for (const e of rest) j.write(e);
    n += batch.length;
  }
  await j.close();
  return { n, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

async function resumeRead(m, store, runId) {
  const t = process.hrtime.bigint();
  const { events } = await store.readRun(runId);
  const state = m.replay(events);
  const dt = Number(process.hrtime.bigint() - t) / 1e6;
  if (state.status !== 'done') throw new Error(`bench: replay says ${state.status}`);
  return dt;
}

async function verifyRun(m, store, runId) {
  const t = process.hrtime.bigint();
  const r = m.verifyChain(await store.rawRun(runId));
  const dt = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 'ok') throw new Error(`bench: verify says ${r.status}`);
  return dt;
}

/** A runbook whose last step fails, run once (≈ EVENTS events), so `runbook resume` has a 10,000-event run to continue. */
function cliResume(bin, work, flag, label) {
  mkdirSync(join(work, 'rb'), { recursive: true });
  const file = join(work, 'rb', 'resume-bench.ts');
  if (!existsSync(file)) {
    const steps = Math.floor((EVENTS - 2) / 2) - 1;
    const lines = ["import { fn, runbook, sh } from 'runbook';", "let b = runbook('bench-resume', { title: 'Resume bench' }).phase('All');"];
    for (let i = 0; i < steps; i++) lines.push(`b = b.exec('s-${i}' as string, 's ${i}', fn(async () => ${i})) as typeof b;`);
    lines.push("export default b.exec('last', 'Fails', sh`exit 3`);");
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
  const env = { ...process.env, NO_COLOR: '1', RUNBOOK_STORE: undefined, RUNBOOK_LOCK_DIR: join(work, 'locks') };
  const run = spawnSync(process.execPath, [bin, 'run', file, '--yes', '--ui', 'json', '--store', flag], { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 1) throw new Error(`bench: the resume run exited ${run.status}: ${run.stderr}`);
  const runId = JSON.parse(run.stdout.split('\n')[0]).runId;
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [bin, 'resume', runId, '--yes', '--ui', 'plain', '--store', flag], { cwd: work, env, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 1) throw new Error(`bench: runbook resume (${label}) exited ${res.status}: ${res.stderr}`);
  }
  return median(times);
}

/** The same runbook loaded without any journal (`runbook list` imports it): what the whole-process resume pays before reading a thing. */
function cliLoad(bin, work) {
  const env = { ...process.env, NO_COLOR: '1' };
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [bin, 'list', join(work, 'rb')], { cwd: work, env, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 0) throw new Error(`bench: runbook list exited ${res.status}: ${res.stderr}`);
  }
  return median(times);
}

export async function storeBench(bin = join(ROOT, 'bin', 'runbook.js')) {
  const m = await load();
  const work = mkdtempSync(join(tmpdir(), 'runbook-bench-store-'));
  let server;
  try {
    const haveServer = existsSync(join(m.PG_BIN, 'postgres'));
    if (haveServer) server = await m.startPrimary();
    const stores = [{ label: 'file store', flag: join(work, 'store') }];
    if (server) stores.push({ label: 'PostgreSQL', flag: server.dsn('ops', server.password) });
    console.log(`store bench — node ${process.version}, a ${EVENTS}-event run, median of ${ROUNDS}${server ? '' : ' (PostgreSQL skipped: no PostgreSQL 15 server binaries)'}\n`);
    const rows = [];
    for (const s of stores) {
      const store = await m.openStore(s.flag, { ...process.env, RUNBOOK_LOCK_DIR: join(work, 'locks') });
      try {
        const appends = [], reads = [], verifies = [];
        let runId = '';
        for (let r = 0; r < ROUNDS; r++) {
          runId = `20260101-000000-${s.label === 'file store' ? 'f' : 'p'}${String(r).padStart(3, '0')}`;
          const w = await writeRun(m, store, runId);
          appends.push(w.n / (w.ms / 1000));
        }
        for (let r = 0; r < ROUNDS; r++) reads.push(await resumeRead(m, store, runId));
        for (let r = 0; r < ROUNDS; r++) verifies.push(await verifyRun(m, store, runId));
        rows.push({ label: s.label, append: median(appends), read: median(reads), verify: median(verifies), cli: cliResume(bin, work, s.flag, s.label) });
      } finally {
        await store.close();
      }
    }
    const file = rows[0];
    const ratio = (a, b) => (b === undefined ? '' : `  (× ${(a / b).toFixed(2)} of the file store)`);
    console.log('1) append, as the engine writes (a barrier after each step: fsync / commit)');
    for (const r of rows) console.log(`   ${r.label.padEnd(12)}: ${Math.round(r.append).toLocaleString('en')} events/s${r === file ? '' : ratio(r.append, file.append)}`);
    console.log(`2) resume: read the ${EVENTS}-event run and replay it (target ≤ 200 ms on the file store)`);
    for (const r of rows) console.log(`   ${r.label.padEnd(12)}: ${ms(r.read)}${r === file ? (r.read <= 200 ? '  (within target)' : '  (OVER TARGET)') : ratio(r.read, file.read)}`);
    console.log('   verify the hash chain');
    for (const r of rows) console.log(`   ${r.label.padEnd(12)}: ${ms(r.verify)}${r === file ? '' : ratio(r.verify, file.verify)}`);
    console.log('3) `runbook resume` of that run, whole process (load the runbook, read, replay, rerun the failed last step)');
    for (const r of rows) console.log(`   ${r.label.padEnd(12)}: ${ms(r.cli)}${r === file ? '' : ratio(r.cli, file.cli)}`);
    console.log(`   baseline: loading that ${Math.floor((EVENTS - 2) / 2)}-step runbook alone (runbook list): ${ms(cliLoad(bin, work))}`);
  } finally {
    if (server) await m.stopAll(server, []);
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await storeBench();
