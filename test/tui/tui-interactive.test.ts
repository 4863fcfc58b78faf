// An `interactive` exec inside the TUI (tmux, CI=false): the UI steps aside, the command gets the real
// terminal and its prompt is answered by typing, the UI comes back with its state, the step is journaled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { journalEvents } from '../helpers/crash.js';
import { requires } from '../helpers/requires.js';
import { startInTmux } from '../helpers/tmux.js';
import { onlyRun } from '../helpers/store.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe.runIf(requires({ what: 'tmux', paths: ['/usr/bin/tmux', '/usr/local/bin/tmux'], install: 'apt-get install tmux' }))('interactive exec in the TUI', () => {
  it('steps aside for the prompt, the typed answer reaches the command, the checklist comes back intact', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const s = startInTmux(['run', join(ROOT, 'test/fixtures/tui/interactive.ts'), '-p', `dir=${dir}`, '--store', store, '--operator', 'dana']);
    cleanups.push(() => s.close());

    // capture-pane trims the prompt's trailing space
    const aside = await s.waitFor(/vendor has the terminal \(interactive\).*\n(.*\n)*cluster name\?/);
    expect(aside).not.toContain('[y] yes');
    s.text('db-7');
    s.keys('Enter');

    // Back in the UI: earlier steps still there, with their durations; the confirm is asked inside it.
    const back = await s.waitFor('[y] yes  [n] no');
    expect(back).toContain(' LIVE ');
    expect(back).toMatch(/✔ exec {4}Before the prompt before +\d+(ms|\.\d+s)/);
    expect(back).toMatch(/✔ exec {4}Vendor tool asks a name vendor +\d+(ms|\.\d+s)/);
    expect(back).toContain('The vendor tool is done: carry on?');
    s.keys('y');

    const { code, modes, screen } = await s.exited();
    expect(code).toBe(0);
    expect(modes.split(' ')).toEqual(expect.arrayContaining(['icanon', 'echo']));
    expect(s.cursorVisible()).toBe(true);
    expect(screen).toMatch(/DONE {2}\d+(ms|\.\d+s)/);
    expect(readFileSync(join(dir, 'answer.txt'), 'utf8')).toBe('db-7\n');
    expect(readFileSync(join(dir, 'after.txt'), 'utf8')).toBe('after\n');

    const events = journalEvents(onlyRun(store));
    const vendor = events.find((e) => e.type === 'step-finished' && e.stepId === 'vendor');
    expect(vendor).toMatchObject({ status: 'ok', attempts: 1, result: { exitCode: 0 } });
    expect(vendor).toHaveProperty('durationMs', expect.any(Number));
    expect(events.find((e) => e.type === 'confirm-answered')).toMatchObject({ stepId: 'carry-on', answer: true, by: 'dana' });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
  });
});
