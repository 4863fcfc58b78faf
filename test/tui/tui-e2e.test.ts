// The TUI in a real terminal (tmux, 80x24, CI=false so ink draws live): the operator answers with keys,
// every choice lands in the journal, the final screen shows durations; Ctrl-C interrupts cleanly.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../interpreter/store/process-alive.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { journalEvents } from '../helpers/crash.js';
import { requires } from '../helpers/requires.js';
import { startInTmux, type TmuxSession } from '../helpers/tmux.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function session(args: string[]): TmuxSession {
  const s = startInTmux(args);
  cleanups.push(() => s.close());
  return s;
}

function onlyRun(store: string): string {
  const runs = readdirSync(join(store, 'runs')).filter((f) => f.endsWith('.ndjson'));
  expect(runs).toHaveLength(1);
  return join(store, 'runs', runs[0]!);
}

describe.runIf(requires({ what: 'tmux', paths: ['/usr/bin/tmux', '/usr/local/bin/tmux'], install: 'apt-get install tmux' }))('the TUI in a terminal', () => {
  it('runs examples/hello.ts live: a confirm by key, a failure retried then skipped with a reason, all journaled', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const workdir = join(dir, 'work');
    writeFileSync(workdir, 'a file where the directory should be\n'); // mkdir -p fails: the forced failure
    const s = session(['run', join(ROOT, 'examples/hello.ts'), '-p', `workdir=${workdir}`, '--store', store, '--operator', 'dana']);

    const first = await s.waitFor('[y] yes  [n] no');
    expect(first).toContain(' LIVE ');
    expect(first).toContain('Create the scratch directory and write a greeting?');
    expect(first).toContain('This writes one small file under the scratch directory.');
    expect(first).toMatch(/── Assess/);
    s.keys('y');

    await s.waitFor('[r] retry');
    expect(s.screen()).toContain('make-workdir failed');
    s.keys('r');
    await s.waitFor(/make-workdir failed \(2 attempts\)/);
    // The operator fixes it by hand while the run waits, then skips the step with a reason.
    rmSync(workdir);
    mkdirSync(workdir);
    s.keys('s');
    await s.waitFor('reason for skipping (recorded):');
    s.text('made by hand INC-7');
    s.keys('Enter');

    const { code, modes, screen } = await s.exited();
    expect(code).toBe(0);
    expect(modes.split(' ')).toEqual(expect.arrayContaining(['icanon', 'echo']));
    expect(s.cursorVisible()).toBe(true);
    // The final screen: every phase with its steps and durations, and the summary against the RTO.
    expect(screen).toMatch(/✔ check {3}A shell is available shell-works +\d+(ms|\.\d+s)/);
    expect(screen).toMatch(/» exec {4}Create the scratch directory make-workdir — made by hand .* \d+(ms|\.\d+s) ×2/);
    expect(screen).toMatch(/── Act 4\/4 +\d+(ms|\.\d+s)/);
    expect(screen).toMatch(/DONE {2}\d+(ms|\.\d+s) of RTO 2m00s/);
    expect(screen).toContain('✖ make-workdir → retry (by dana) · command exited with code 1');
    expect(screen).toContain('✖ make-workdir → skip: made by hand INC-7 (by dana) · command exited with code');

    const events = journalEvents(onlyRun(store));
    expect(events.find((e) => e.type === 'confirm-answered')).toMatchObject({ stepId: 'go-ahead', answer: true, by: 'dana', auto: false });
    expect(events.filter((e) => e.type === 'decision')).toMatchObject([
      { stepId: 'make-workdir', choice: 'retry', by: 'dana' },
      { stepId: 'make-workdir', choice: 'skip', by: 'dana', reason: 'made by hand INC-7' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
    expect(readFileSync(join(workdir, 'greeting.txt'), 'utf8')).toMatch(/^hello on-call/);
  });

  it('Ctrl-C during a running step: the command is killed, the terminal restored, the journal says interrupted, exit 130', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const s = session(['run', join(ROOT, 'test/fixtures/signals/long-step.ts'), '-p', `dir=${dir}`, '--store', store]);
    await s.waitFor(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    await s.waitFor('Long step');
    const deadline = Date.now() + 20_000;
    let grandchild = NaN;
    while (Number.isNaN(grandchild) && Date.now() < deadline) {
      try {
        grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8').trim());
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(processAlive(grandchild)).toBe(true);
    s.keys('C-c');

    const { code, modes, screen } = await s.exited();
    expect(code).toBe(130);
    expect(modes.split(' ')).toEqual(expect.arrayContaining(['icanon', 'echo', 'isig']));
    expect(s.cursorVisible()).toBe(true);
    expect(screen).toContain('INTERRUPTED');
    expect(screen).toMatch(/■ exec {4}Long step long — interrupted by SIGINT +\d+(ms|\.\d+s)/);
    expect(processAlive(grandchild)).toBe(false);
    const events = journalEvents(onlyRun(store));
    expect(events.find((e) => e.type === 'step-interrupted')).toMatchObject({ stepId: 'long', signal: 'SIGINT' });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'interrupted', exitCode: 130 });
    expect(readFileSync(join(dir, 'ran.txt'), 'utf8')).toBe('before\n');
  });
});
