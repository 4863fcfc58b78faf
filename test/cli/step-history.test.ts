// ETA from history: medians of how long each step took in earlier finished live runs of the same runbook.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { earlierRuns, HISTORY_RUNS, median, readHistory } from '../../interpreter/cli/step-history.js';
import { stepEstimates } from '../../interpreter/cli/ui.js';
import { StorePaths } from '../../interpreter/store/paths.js';
import { tempDir } from '../helpers/cli.js';
import { pastRuns } from '../helpers/history.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones; none for no samples', () => {
    expect(median([])).toBeUndefined();
    expect(median([7])).toBe(7);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([1, 2])).toBe(2); // 1.5 rounded: durations are whole milliseconds
  });
});

describe('step history from the store', () => {
  it('medians of steps that ended ok, in finished live runs of this runbook only', () => {
    const store = pastRuns(dir(), [
      { steps: { a: ['ok', 100], b: ['ok', 1000] } },
      { steps: { a: ['ok', 300], b: ['skipped', 5] } },
      { steps: { a: ['ok', 200], b: ['failed', 9] } },
      { runbookId: 'other', steps: { a: ['ok', 99_000] } },
      { mode: 'dry-run', steps: { a: ['planned', 0] } },
      { mode: 'simulate', steps: { a: ['ok', 50_000] } },
      { finished: false, steps: { a: ['ok', 77_000] } },
    ]);
    const h = readHistory(store, 'rb', 'none');
    expect(h.runs).toBe(3);
    expect([...h.medians]).toEqual([['a', 200], ['b', 1000]]);
  });

  it('a confirm answered by --yes says nothing about how long people take: it is not a sample', () => {
    const store = pastRuns(dir(), [
      { steps: { go: ['ok', 95_000] } },
      { steps: { go: ['ok', 3, 'auto'] } },
      { steps: { go: ['ok', 2, 'auto'] } },
    ]);
    expect([...readHistory(store, 'rb', 'none').medians]).toEqual([['go', 95_000]]);
  });

  it('reads at most the 20 newest runs of the runbook, and never the run being started', () => {
    const runs = Array.from({ length: 25 }, (_, i) => ({ steps: { a: ['ok', i < 5 ? 1_000_000 : 10] as const } }));
    const store = pastRuns(dir(), runs);
    const read = earlierRuns(store, 'rb', 'none');
    expect(read).toHaveLength(HISTORY_RUNS);
    expect(read.every((r) => r.steps.get('a')?.durationMs === 10)).toBe(true); // the 5 oldest were not read
    const newest = read[0]!.runId;
    expect(earlierRuns(store, 'rb', newest).map((r) => r.runId)).not.toContain(newest);
    expect(readHistory(store, 'rb', 'none').medians.get('a')).toBe(10);
  });

  it('an empty store, no store at all, or an unreadable one gives no history (never an error)', () => {
    expect(readHistory(pastRuns(dir(), []), 'rb', 'x')).toEqual({ runs: 0, medians: new Map() });
    expect(readHistory(new StorePaths(join(dir(), 'nothing-here')), 'rb', 'x')).toEqual({ runs: 0, medians: new Map() });
    const broken = dir();
    writeFileSync(join(broken, 'runs'), 'not a directory');
    expect(readHistory(new StorePaths(broken), 'rb', 'x')).toEqual({ runs: 0, medians: new Map() });
  });

  it('ETA estimates: history first, then the step’s estimate, else none', () => {
    const steps = [{ id: 'a', options: { estimateMs: 5000 } }, { id: 'b', options: { estimateMs: 7000 } }, { id: 'c', options: {} }];
    expect([...stepEstimates(steps, { runs: 2, medians: new Map([['a', 1200]]) })]).toEqual([['a', 1200], ['b', 7000]]);
  });
});
