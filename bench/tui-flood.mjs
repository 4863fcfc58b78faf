// npm run bench, part 3: the TUI under an output flood (an exec step printing 100,000 lines), in a real
// terminal (tmux, CI=false). CPU seconds (user+sys, GNU time, the CLI and the step's awk) and peak RSS
// of the TUI vs the same run with --ui plain on the same terminal; and how fast the TUI answers keys
// during a longer flood (`?` → help on screen; `q` `y` → step-interrupted in the journal) and at the
// confirm right after the 100,000 lines (`y` → confirm-answered in the journal).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalEvent } from './journal-follow.mjs';
import { tmuxRun } from './tmux.mjs';

const TIME = '/usr/bin/time';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function floodRunbook(dir, lines) {
  const file = join(dir, `flood-${lines}.ts`);
  writeFileSync(file, [
    `import { runbook, sh } from 'runbook';`,
    `export default runbook('flood-${lines}', { title: 'Flood of ${lines} lines', rto: '10m' })`,
    `  .exec('flood', 'Print ${lines} lines', sh\`awk 'BEGIN { for (i = 1; i <= ${lines}; i++) print "line " i " of the flood, with some text to look like a real log" }'\`)`,
    `  .confirm('after', 'The flood is over: carry on?')`,
    `  .exec('end', 'End', sh\`true\`);`,
  ].join('\n'));
  return file;
}

/** One run under GNU time in the terminal: { cpu, rssMb }. */
async function measured(bin, file, store, ui) {
  const out = join(store, `time-${Date.now()}-${Math.random()}`);
  const t = tmuxRun([TIME, '-f', '%U %S %M', '-o', out, process.execPath, bin, 'run', file, '--yes', '--ui', ui, '--store', store], { cwd: store });
  try {
    const code = await t.exitCode();
    if (code !== 0) throw new Error(`bench: ${ui} run exited ${code}:\n${t.screen()}`);
  } finally {
    t.close();
  }
  const [user, sys, kb] = readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { cpu: user + sys, rssMb: kb / 1024 };
}

const RUNNING = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] exec {4}Print/;

/** Keys during a flood: `?` (key → help on screen), then `q` `y` (key → step-interrupted in the journal). */
async function duringFlood(bin, file, store) {
  const before = readdirSync(join(store, 'runs'));
  const t = tmuxRun([process.execPath, bin, 'run', file, '--store', store, '--operator', 'bench'], { cwd: store });
  const help = [];
  let flooding = 0;
  try {
    await t.until((s) => s.includes('│ line '), 60_000);
    for (let i = 0; i < 10; i++) {
      const open = i % 2 === 0;
      const sent = performance.now();
      t.keys('?');
      const s = await t.until((x) => x.includes('this help (any of') === open, 10_000, 1);
      help.push(performance.now() - sent);
      if (RUNNING.test(s)) flooding++;
    }
    t.keys('q');
    await t.until((s) => s.includes('Stop the run here?'), 10_000, 1);
    const stillRunning = RUNNING.test(t.screen());
    const sent = Date.now();
    t.keys('y');
    const e = await journalEvent(store, before, 'step-interrupted');
    const code = await t.exitCode();
    if (code !== 130) throw new Error(`bench: the interrupted run exited ${code}`);
    return { help, flooding, stop: Date.parse(e.t) - sent, stillRunning };
  } finally {
    t.close();
  }
}

/** `y` at the confirm right after a flood: key → confirm-answered in the journal. */
async function afterFlood(bin, file, store) {
  const before = readdirSync(join(store, 'runs'));
  const t = tmuxRun([process.execPath, bin, 'run', file, '--store', store, '--operator', 'bench'], { cwd: store });
  try {
    await t.until((s) => s.includes('[y] yes  [n] no'), 120_000, 5);
    const sent = Date.now();
    t.keys('y');
    const e = await journalEvent(store, before, 'confirm-answered');
    const code = await t.exitCode();
    if (code !== 0) throw new Error(`bench: the confirm run exited ${code}`);
    return Date.parse(e.t) - sent;
  } finally {
    t.close();
  }
}

export async function tuiFlood(bin, rounds = 3) {
  if (!existsSync(TIME)) return console.log(`3) skipped: ${TIME} is missing (Debian package "time")`);
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    return console.log('3) skipped: tmux is missing');
  }
  const work = mkdtempSync(join(tmpdir(), 'runbook-bench-tui-'));
  try {
    const file = floodRunbook(work, 100_000);
    const store = work;
    await measured(bin, file, store, 'plain'); // compile once (cached), like any second run
    const plain = [], tui = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(await measured(bin, file, store, 'plain'));
      tui.push(await measured(bin, file, store, 'tui'));
    }
    const cpu = (xs) => median(xs.map((x) => x.cpu));
    const rss = (xs) => median(xs.map((x) => x.rssMb));
    console.log(`3) an exec step printing 100,000 lines, in tmux 80x24 (median of ${rounds}; CPU = user+sys of the CLI and its awk)`);
    console.log(`   --ui plain                   : ${cpu(plain).toFixed(2)} s CPU, peak RSS ${rss(plain).toFixed(0)} MB`);
    console.log(`   --ui tui                     : ${cpu(tui).toFixed(2)} s CPU, peak RSS ${rss(tui).toFixed(0)} MB  (target < 150 MB)`);
    console.log(`   ratio tui / plain CPU        : ${(cpu(tui) / cpu(plain)).toFixed(2)}  (target ≤ 1.5)`);

    const long = floodRunbook(work, 1_000_000);
    await measured(bin, long, store, 'plain');
    const k = await duringFlood(bin, long, store);
    const confirm = await afterFlood(bin, file, store);
    console.log(`   keys during a 1,000,000-line flood (TUI):`);
    console.log(`     \`?\` → help on screen       : median ${median(k.help).toFixed(0)} ms, max ${Math.max(...k.help).toFixed(0)} ms over ${k.help.length} presses, ${k.flooding} of them while the flood ran (screen polled with tmux capture-pane)`);
    console.log(`     \`q\` \`y\` → step-interrupted : ${k.stop} ms from the \`y\` to the journal event${k.stillRunning ? ', the flood still running' : ' (the flood had ended)'}`);
    console.log(`   \`y\` at the confirm right after the 100,000 lines → confirm-answered in the journal: ${confirm} ms`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
