// Resizing the terminal while a step runs (tmux, CI=false): each size gets one clean frame that fits it,
// with the running step in view, and the run completes. The store holds one earlier run of the same
// runbook, so the header's ETA comes from its step durations.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { journalEvents } from '../helpers/crash.js';
import { requires } from '../helpers/requires.js';
import { startInTmux } from '../helpers/tmux.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const count = (screen: string, text: string): number => screen.split(text).length - 1;

/** One frame, no leftovers of an earlier one, nothing wider than the terminal, the running step shown. */
function legible(screen: string, cols: number): boolean {
  const lines = screen.split('\n');
  return lines.every((l) => [...l].length <= cols)
    && count(screen, ' LIVE ') === 1
    && count(screen, '? keys · q stop') === 1
    && count(screen, 'sh: i=0; while') === 1
    && lines.some((l) => l === '─'.repeat(cols - 1))
    && /›[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] exec {4}Print ticks until/.test(screen)
    && /│ tick \d+: a line of output/.test(screen);
}

describe.runIf(requires({ what: 'tmux', paths: ['/usr/bin/tmux', '/usr/local/bin/tmux'], install: 'apt-get install tmux' }))('resizing the TUI', () => {
  it('80x24 → 60x20 → 100x30 mid-step: a clean frame at each size, the run completes', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const fixture = join(ROOT, 'test/fixtures/tui/resize.ts');
    // An earlier run of the same runbook (plain UI; the go file is there, so nothing waits).
    writeFileSync(join(dir, 'go'), '');
    const earlier = await runCli(['run', fixture, '-p', `dir=${dir}`, '--store', store, '--ui', 'plain']);
    expect(earlier.code).toBe(0);
    rmSync(join(dir, 'go'));
    const before = readdirSync(join(store, 'runs'));

    const s = startInTmux(['run', fixture, '-p', `dir=${dir}`, '--store', store]);
    cleanups.push(() => s.close());
    const first = await s.waitFor((x) => legible(x, 80));
    expect(first).toMatch(/ETA ~\d+(ms|\.\d+s) · 1 earlier run$/m);

    for (const [cols, rows] of [[60, 20], [100, 30]] as const) {
      s.resize(cols, rows);
      const screen = await s.waitFor((x) => x.replace(/\n$/, '').split('\n').length === rows && legible(x, cols));
      expect(screen).toContain('── During the resize 0/2');
    }

    writeFileSync(join(dir, 'go'), '');
    const { code, screen } = await s.exited();
    expect(code).toBe(0);
    expect(screen).toMatch(/DONE {2}\d+(ms|\.\d+s) of RTO 10m00s/);
    expect(screen).toMatch(/✔ exec {4}Print ticks until the go signal arrives from the test harness ticking +\d+(ms|\.\d+s)/);
    const mine = readdirSync(join(store, 'runs')).filter((f) => !before.includes(f));
    expect(mine).toHaveLength(1);
    const events = journalEvents(join(store, 'runs', mine[0]!));
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
  });
});
