// Crash and resume, as an operator would live it: a run is kill -9'ed during a long step, then resumed
// with `runbook resume`. Side effects are counted in a file, so "not rerun" and "rerun once" are exact.
// Fixture: test/fixtures/resume/resume.ts (copied into a temp dir per test, so it can be edited).
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../interpreter/store/journal-reader.js';
import { replay } from '../../interpreter/store/run-state.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { countLines, journalEvents, kill9, killGroup, killStarted, runIdFromOutput, startCli, trackGroupFromPidFile, waitFor } from '../helpers/crash.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'resume', 'resume.ts');
const TOKEN = 'resume-token-first-run';
const EARLIER = ['first', 'measure'];
const ALL = ['first', 'measure', 'long', 'gate', 'use-value', 'use-token', 'last'];

interface Scenario {
  readonly root: string;
  /** Where the steps write their side effects (the `dir` param). */
  readonly dir: string;
  readonly store: string;
  readonly file: string;
  counts(): Record<string, number>;
  journal(runId: string): string;
  cli(args: readonly string[], env?: Record<string, string | undefined>): Promise<CliResult>;
}

const cleanups: (() => void)[] = [];
afterEach(async () => {
  await killStarted();
  for (const c of cleanups.splice(0)) c();
});

function scenario(): Scenario {
  const t = tempDir('runbook-resume-');
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'work');
  mkdirSync(dir);
  const file = join(t.dir, 'resume.ts');
  copyFileSync(FIXTURE, file);
  const store = join(t.dir, 'store');
  return {
    root: t.dir, dir, store, file,
    counts: () => countLines(join(dir, 'counter')),
    journal: (runId) => join(store, 'runs', `${runId}.ndjson`),
    cli: (args, env = {}) => runCli([...args, '--store', store], { cwd: t.dir, env: { RESUME_TOKEN: undefined, ...env } }),
  };
}

/** Starts a live run that holds in its `long` step, kill -9s it there, and kills the orphaned step shell. */
async function crashInLongStep(s: Scenario): Promise<string> {
  const hold = join(s.dir, 'hold');
  writeFileSync(hold, '');
  const cli = startCli(['run', s.file, '--yes', '--store', s.store, '-p', `dir=${s.dir}`], { cwd: s.root, env: { RESUME_TOKEN: TOKEN } });
  const diag = (): string => `--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr()}`;
  const pgid = await waitFor('the long step to start (its shell writes long.pid)', () => {
    if (cli.done()) throw new Error(`the run ended before its long step started\n${diag()}`);
    return s.counts()['long'] === 1 ? trackGroupFromPidFile(join(s.dir, 'long.pid')) : undefined;
  }, { diag });
  const runId = runIdFromOutput(cli.stdout());
  expect(runId, diag()).toBeDefined();
  const killed = await kill9(cli);
  expect(killed.signal).toBe('SIGKILL');
  killGroup(pgid);
  rmSync(hold);
  const id = String(runId);
  const events = journalEvents(s.journal(id));
  expect(events.filter((e) => e.type !== 'process-started' && e.type !== 'output').at(-1)).toMatchObject({ type: 'step-started', stepId: 'long' });
  expect(events.some((e) => e.type === 'run-finished')).toBe(false);
  return id;
}

function expectUsage(r: CliResult, ...needles: string[]): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(2);
  for (const n of needles) expect(r.stderr).toContain(n);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

function stepStatuses(journalPath: string): Record<string, string> {
  const state = replay(readJournal(journalPath).events);
  return Object.fromEntries([...state.steps.values()].map((s) => [s.id, s.status]));
}

describe('resume after kill -9 during a long step', () => {
  it('without a terminal and without a decision flag: refuses (exit 2), naming the interrupted step and the flags, and changes nothing', async () => {
    const s = scenario();
    const id = await crashInLongStep(s);
    const before = readFileSync(s.journal(id));
    const r = await s.cli(['resume', id], { RESUME_TOKEN: TOKEN });
    expectUsage(r, '"long"', '--retry-interrupted', '--mark-interrupted-done', '--note', id);
    expect(readFileSync(s.journal(id)).equals(before)).toBe(true);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1 });
    expect(stepStatuses(s.journal(id))).toMatchObject({ first: 'ok', measure: 'ok', long: 'interrupted', gate: 'pending' });
  });

  it('--retry-interrupted: earlier steps are not rerun, the interrupted step runs once more, later steps see restored outputs', async () => {
    const s = scenario();
    const id = await crashInLongStep(s);
    const r = await s.cli(['resume', id, '--retry-interrupted'], { RESUME_TOKEN: 'resume-token-second' });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    // Each earlier side effect exactly once; the interrupted step twice (the killed attempt + the rerun).
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 2, gate: 1, 'use-value': 1, 'use-token': 1, last: 1 });
    // `use-value` read c.steps['measure'].value, restored from the journal (measure did not run again).
    expect(readFileSync(join(s.dir, 'value.txt'), 'utf8').trim()).toBe('value-from-measure-42');
    // Secrets are not journaled: the resumed session used the one given to it.
    expect(readFileSync(join(s.dir, 'token.txt'), 'utf8')).toBe('resume-token-second');

    const events = journalEvents(s.journal(id));
    expect(events.filter((e) => e.type === 'run-started')).toHaveLength(1);
    for (const step of EARLIER) expect(events.filter((e) => e.type === 'step-started' && e.stepId === step)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'step-started' && e.stepId === 'long')).toHaveLength(2);
    const resumed = events.find((e) => e.type === 'run-resumed');
    expect(resumed).toMatchObject({ type: 'run-resumed', forced: false, changedSteps: [] });
    expect(events.find((e) => e.type === 'decision')).toMatchObject({ stepId: 'long', choice: 'retry' });
    // The killed run's lock was stale: taken over and recorded.
    const takeover = events.find((e) => e.type === 'lock-takeover');
    expect(takeover?.type === 'lock-takeover' && takeover.previous['runId']).toBe(id);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
    // seq keeps counting across sessions.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Neither token is in the journal.
    const bytes = readFileSync(s.journal(id), 'utf8');
    expect(bytes).not.toContain(TOKEN);
    expect(bytes).not.toContain('resume-token-second');

    expect(stepStatuses(s.journal(id))).toEqual(Object.fromEntries(ALL.map((x) => [x, 'ok'])));
    const shown = await s.cli(['show', id, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ runId: id, status: 'done', exitCode: 0 });

    // A finished run has nothing left to resume.
    expectUsage(await s.cli(['resume', id, '--retry-interrupted'], { RESUME_TOKEN: TOKEN }), 'nothing to resume');
    expect(s.counts()['long']).toBe(2);
  });

  it('--mark-interrupted-done --note: the step is recorded done by hand with the note and is not rerun', async () => {
    const s = scenario();
    const id = await crashInLongStep(s);
    expectUsage(await s.cli(['resume', id, '--mark-interrupted-done'], { RESUME_TOKEN: TOKEN }), '--note');
    expectUsage(await s.cli(['resume', id, '--mark-interrupted-done', '--retry-interrupted', '--note', 'x'], { RESUME_TOKEN: TOKEN }), '--retry-interrupted', '--mark-interrupted-done');

    const note = 'checked the replica by hand: promotion had completed';
    const r = await s.cli(['resume', id, '--mark-interrupted-done', '--note', note, '--operator', 'dana'], { RESUME_TOKEN: TOKEN });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1, gate: 1, 'use-value': 1, 'use-token': 1, last: 1 });
    expect(readFileSync(join(s.dir, 'value.txt'), 'utf8').trim()).toBe('value-from-measure-42');

    const events = journalEvents(s.journal(id));
    expect(events.filter((e) => e.type === 'step-started' && e.stepId === 'long')).toHaveLength(1);
    expect(events.find((e) => e.type === 'decision')).toMatchObject({ stepId: 'long', choice: 'done', note, by: 'dana' });
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'long')).toMatchObject({ status: 'done-by-hand', note, by: 'dana' });
    expect(events.find((e) => e.type === 'run-resumed')).toMatchObject({ operator: 'dana' });

    const state = replay(readJournal(s.journal(id)).events);
    expect(state.steps.get('long')).toMatchObject({ status: 'done-by-hand', note, by: 'dana' });
    expect(state.status).toBe('done');
    const shown = await s.cli(['show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/long\b.*done-by-hand/);
    expect(shown.stdout).toContain(note);
  });

  it('refuses when the source changed since the run began (exit 2, naming the step); --force resumes and records it', async () => {
    const s = scenario();
    const id = await crashInLongStep(s);
    const src = readFileSync(s.file, 'utf8');
    const edited = src.replace('echo last >> counter', 'echo last-edited >> counter');
    expect(edited).not.toBe(src);
    writeFileSync(s.file, edited);
    const before = readFileSync(s.journal(id));

    const refused = await s.cli(['resume', id, '--retry-interrupted'], { RESUME_TOKEN: TOKEN });
    expectUsage(refused, '--force');
    expect(refused.stderr).toMatch(/\blast\b/);
    for (const other of ALL.filter((x) => x !== 'last')) expect(refused.stderr).not.toContain(`${other} (`);
    expect(readFileSync(s.journal(id)).equals(before)).toBe(true);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1 });

    const forced = await s.cli(['resume', id, '--retry-interrupted', '--force'], { RESUME_TOKEN: TOKEN });
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    // The current version of the edited step ran; earlier steps still not rerun.
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 2, gate: 1, 'use-value': 1, 'use-token': 1, 'last-edited': 1 });
    const resumed = journalEvents(s.journal(id)).find((e) => e.type === 'run-resumed');
    expect(resumed).toMatchObject({ forced: true });
    const changed = resumed?.type === 'run-resumed' ? resumed.changedSteps : [];
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^last\b/);
  });

  it('finds the run by a unique id prefix and by "last"; an ambiguous prefix is refused', async () => {
    const s = scenario();
    // An earlier run that completed, so the store holds two runs.
    const done = await s.cli(['run', s.file, '--yes', '-p', `dir=${s.dir}`], { RESUME_TOKEN: TOKEN });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const doneId = String(runIdFromOutput(done.stdout));
    // Run ids have one-second resolution; let the clock pass a second so the crashed run is the newest.
    const second = Math.floor(Date.now() / 1000);
    await waitFor('the clock to pass a second', () => Math.floor(Date.now() / 1000) > second, { timeoutMs: 3000 });
    rmSync(join(s.dir, 'counter'));

    const id = await crashInLongStep(s);
    expect(readdirSync(join(s.store, 'runs')).sort()).toEqual([`${doneId}.ndjson`, `${id}.ndjson`].sort());
    let common = 0;
    while (common < id.length && id[common] === doneId[common]) common++;
    expect(common).toBeGreaterThan(0); // both start with the year
    expectUsage(await s.cli(['resume', id.slice(0, common), '--retry-interrupted'], { RESUME_TOKEN: TOKEN }), 'ambiguous');

    // A unique prefix resolves to the crashed run (the refusal names it in full and its interrupted step).
    expectUsage(await s.cli(['resume', id.slice(0, common + 1)], { RESUME_TOKEN: TOKEN }), id, '"long"');
    expectUsage(await s.cli(['resume', doneId.slice(0, common + 1), '--retry-interrupted'], { RESUME_TOKEN: TOKEN }), doneId, 'nothing to resume');

    const r = await s.cli(['resume', 'last', '--retry-interrupted'], { RESUME_TOKEN: TOKEN });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 2, gate: 1, 'use-value': 1, 'use-token': 1, last: 1 });
    expect(replay(readJournal(s.journal(id)).events).status).toBe('done');
  });

  it('a required secret must be given again on resume: missing → exit 2 naming it; from -p → works', async () => {
    const s = scenario();
    const id = await crashInLongStep(s);
    const before = readFileSync(s.journal(id));
    expectUsage(await s.cli(['resume', id, '--retry-interrupted']), '"token"', 'RESUME_TOKEN');
    expect(readFileSync(s.journal(id)).equals(before)).toBe(true);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1 });

    const r = await s.cli(['resume', id, '--retry-interrupted', '-p', 'token=from-the-p-flag']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(s.dir, 'token.txt'), 'utf8')).toBe('from-the-p-flag');
    expect(readFileSync(s.journal(id), 'utf8')).not.toContain('from-the-p-flag');
    expect(r.stdout).not.toContain('from-the-p-flag');
  });
});

describe('resume after a failed step', () => {
  it('reruns the failed step and continues (earlier steps not rerun)', async () => {
    const s = scenario();
    writeFileSync(join(s.dir, 'fail'), '');
    const failed = await s.cli(['run', s.file, '--yes', '-p', `dir=${s.dir}`], { RESUME_TOKEN: TOKEN });
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const id = String(runIdFromOutput(failed.stdout));
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1, gate: 1 });
    expect(stepStatuses(s.journal(id))).toMatchObject({ long: 'ok', gate: 'failed', 'use-value': 'pending' });
    expect(existsSync(join(s.store, 'locks')) ? readdirSync(join(s.store, 'locks')) : []).toEqual([]); // released

    rmSync(join(s.dir, 'fail'));
    const r = await s.cli(['resume', id], { RESUME_TOKEN: TOKEN });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.counts()).toEqual({ first: 1, measure: 1, long: 1, gate: 2, 'use-value': 1, 'use-token': 1, last: 1 });
    expect(readFileSync(join(s.dir, 'value.txt'), 'utf8').trim()).toBe('value-from-measure-42');
    const events = journalEvents(s.journal(id));
    expect(events.filter((e) => e.type === 'run-finished').map((e) => e.type === 'run-finished' && e.exitCode)).toEqual([1, 0]);
    expect(stepStatuses(s.journal(id))).toEqual(Object.fromEntries(ALL.map((x) => [x, 'ok'])));
  });
});

describe('resume guards added after a new-user review', () => {
  it('refuses while the crashed run\'s command is still running, naming the step and its process group', async () => {
    const s = scenario();
    writeFileSync(join(s.dir, 'hold'), '');
    const cli = startCli(['run', s.file, '--store', s.store, '-p', `dir=${s.dir}`], { cwd: s.root, env: { RESUME_TOKEN: TOKEN } });
    const pgid = await waitFor('the long step to start', () => (s.counts()['long'] === 1 ? trackGroupFromPidFile(join(s.dir, 'long.pid')) : undefined));
    const id = String(runIdFromOutput(cli.stdout()));
    await kill9(cli);
    // The step's shell outlived the CLI (kill -9 does not reach its process group).
    const r = await s.cli(['resume', id, '--retry-interrupted'], { RESUME_TOKEN: TOKEN });
    expectUsage(r, '"long"', 'still running', `process group ${pgid}`, `kill -TERM -- -${pgid}`);
    expect(s.counts()['long']).toBe(1);
    killGroup(pgid);
    rmSync(join(s.dir, 'hold'));
    const ok = await s.cli(['resume', id, '--retry-interrupted'], { RESUME_TOKEN: TOKEN });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('params cannot change on resume (secrets may be given again); the resumed output shows the run and how to continue', async () => {
    const s = scenario();
    writeFileSync(join(s.dir, 'fail'), '');
    const first = await s.cli(['run', s.file, '-p', `dir=${s.dir}`], { RESUME_TOKEN: TOKEN });
    expect(first.code).toBe(1);
    const id = String(runIdFromOutput(first.stdout));
    expect(first.stdout).toContain(`to continue: runbook resume ${id}`);
    expect(first.stdout).toMatch(/steps: .*1 failed.*3 not run/);

    const changed = await s.cli(['resume', id, '-p', 'dir=/somewhere/else'], { RESUME_TOKEN: TOKEN });
    expectUsage(changed, '-p dir=/somewhere/else', 'params cannot change halfway through a run');

    rmSync(join(s.dir, 'fail'));
    const same = await s.cli(['resume', id, '-p', `dir=${s.dir}`, '-p', 'token=another-token-value'], { RESUME_TOKEN: undefined });
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain(' LIVE ');
    expect(same.stdout).toContain(`run ${id}`);
    expect(same.stdout).toContain('Resume fixture');
    expect(same.stdout.match(/── After/g)).toHaveLength(1);
    expect(readFileSync(join(s.dir, 'token.txt'), 'utf8')).toBe('another-token-value');
  });

  it('"resume last" picks the newest unfinished run, not a later dry-run', async () => {
    const s = scenario();
    writeFileSync(join(s.dir, 'fail'), '');
    const failed = await s.cli(['run', s.file, '-p', `dir=${s.dir}`], { RESUME_TOKEN: TOKEN });
    expect(failed.code).toBe(1);
    const id = String(runIdFromOutput(failed.stdout));
    await new Promise((r) => setTimeout(r, 1100)); // a later second, so the dry-run sorts after it
    const dry = await s.cli(['run', s.file, '-p', `dir=${s.dir}`, '--dry-run']);
    expect(dry.code).toBe(0);
    rmSync(join(s.dir, 'fail'));
    const r = await s.cli(['resume', 'last'], { RESUME_TOKEN: TOKEN });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`run ${id}`);
  });

  it('an interrupted read-only check is simply run again (it changes nothing), without a flag', async () => {
    const s = scenario();
    const file = join(s.root, 'check-only.ts');
    writeFileSync(file, `import { param, runbook, sh } from 'runbook';
export default runbook('check-only', { title: 'Check only', params: { dir: param.string() } })
  .exec('first', 'First', sh\`cd \${(c) => c.params.dir} && echo first >> counter\`)
  .check('wait', 'Wait for it', sh\`cd \${(c) => c.params.dir} && echo wait >> counter && echo $$ > long.pid; n=0; while [ -e hold ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done\`)
  .exec('after', 'After', sh\`cd \${(c) => c.params.dir} && echo after >> counter\`);
`);
    writeFileSync(join(s.dir, 'hold'), '');
    const cli = startCli(['run', file, '--store', s.store, '-p', `dir=${s.dir}`], { cwd: s.root });
    const pgid = await waitFor('the check to start', () => (s.counts()['wait'] === 1 ? trackGroupFromPidFile(join(s.dir, 'long.pid')) : undefined));
    const id = String(runIdFromOutput(cli.stdout()));
    await kill9(cli);
    killGroup(pgid);
    rmSync(join(s.dir, 'hold'));
    const r = await s.cli(['resume', id]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.counts()).toEqual({ first: 1, wait: 2, after: 1 });
    const decision = journalEvents(s.journal(id)).find((e) => e.type === 'decision');
    expect(decision).toMatchObject({ stepId: 'wait', choice: 'retry', note: expect.stringContaining('read-only') as unknown });
  });
});
