// A tabletop in a real terminal (tmux, 80x24, CI=false): the participants answer the confirm and the
// failure menu with keys, the time they took is journaled as time to decide and passes on the simulated
// clock; the header shows SIMULATION with simulated and real time; nothing is touched.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { journalEvents } from '../helpers/crash.js';
import { requires } from '../helpers/requires.js';
import { startInTmux, type TmuxSession } from '../helpers/tmux.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe.runIf(requires({ what: 'tmux', paths: ['/usr/bin/tmux', '/usr/local/bin/tmux'], install: 'apt-get install tmux' }))('a tabletop in the TUI', () => {
  it('asks the participants, times their decisions, and ends with the simulated RTO', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = join(dir, 'store');
    const marker = join(dir, 'marker');
    const s: TmuxSession = startInTmux(['run', join(ROOT, 'test/fixtures/simulate/failover.ts'), '--simulate', join(ROOT, 'test/fixtures/simulate/lagging.yaml'),
      '-p', `marker=${marker}`, '--store', store, '--operator', 'dana']);
    cleanups.push(() => s.close());

    const first = await s.waitFor('[y] yes  [n] no');
    expect(first).toContain(' SIMULATION ');
    expect(first).toMatch(/sim 0:30 · real \d+:\d\d/);
    expect(first).toContain('scenario: Standby lagging after the outage');
    await new Promise((r) => setTimeout(r, 1_200)); // the participants discuss
    s.keys('y');

    await s.waitFor('[r] retry');
    expect(s.screen()).toContain('ssh: connection timed out');
    s.keys('r');

    const { code, screen } = await s.exited();
    expect(code).toBe(0);
    expect(screen).toMatch(/DONE +simulated \d+m\d\ds of RTO 15m00s/);
    expect(existsSync(marker)).toBe(false);

    const runs = readdirSync(join(store, 'runs'));
    const events = journalEvents(join(store, 'runs', runs[0]!)) as { type: string; by?: string; auto?: boolean; decideMs?: number; simAtMs?: number; choice?: string }[];
    const answer = events.find((e) => e.type === 'confirm-answered');
    expect(answer).toMatchObject({ by: 'dana', auto: false });
    expect(answer?.decideMs).toBeGreaterThanOrEqual(1_000);
    // the discussion took real time, and that time passed on the simulated clock too (30s + decision)
    expect(answer?.simAtMs).toBeGreaterThanOrEqual(31_000);
    expect(events.find((e) => e.type === 'decision')).toMatchObject({ choice: 'retry', by: 'dana' });
  });
});
