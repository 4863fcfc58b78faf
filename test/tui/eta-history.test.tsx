// The header's ETA comes from earlier runs' median step durations when the store has them.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../interpreter/cli/step-history.js';
import { stepEstimates } from '../../interpreter/cli/ui.js';
import { Header } from '../../tui/components/header.js';
import { ColorContext } from '../../tui/components/theme.js';
import { initialState, reduce } from '../../tui/state.js';
import { tempDir } from '../helpers/cli.js';
import { started, T0 } from '../helpers/events.js';
import { pastRuns } from '../helpers/history.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function eta(history: ReturnType<typeof readHistory>): string {
  const steps = [{ id: 'a', options: { estimateMs: 60_000 } }, { id: 'b', options: { estimateMs: 2_000 } }, { id: 'c', options: {} }];
  const s = reduce(initialState({ estimates: stepEstimates(steps, history), historyRuns: history.runs }), started(steps.map((x) => ({ id: x.id, phase: null }))));
  const r = render(<ColorContext.Provider value={false}><Header state={s} now={T0} width={80} /></ColorContext.Provider>);
  cleanups.push(() => r.unmount());
  return (r.lastFrame() ?? '').split('\n')[1] ?? '';
}

describe('header ETA', () => {
  it('uses the median of earlier runs, then estimates, and says how many runs it comes from', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = pastRuns(dir, [{ steps: { a: ['ok', 3_000] } }, { steps: { a: ['ok', 5_000] } }, { steps: { a: ['ok', 4_000] } }]);
    // a: median 4s (not its 60s estimate) + b: its 2s estimate; c has neither.
    expect(eta(readHistory(store, 'rb', 'r-1'))).toMatch(/ETA ~6\.00s \+ 1 unestimated · 3 earlier runs$/);
  });

  it('without history: the estimates alone, no mention of earlier runs', () => {
    expect(eta({ runs: 0, medians: new Map() })).toMatch(/ETA ~1m02s \+ 1 unestimated$/);
  });
});
