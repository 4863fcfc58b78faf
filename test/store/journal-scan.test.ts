import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pastRunSteps } from '../../interpreter/cli/step-history.js';
import { scanLines } from '../../interpreter/store/journal-scan.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function file(text: string): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(join(dir, 'j.ndjson'), text);
  return join(dir, 'j.ndjson');
}

describe('scanLines', () => {
  it('gives every complete line whatever the chunk size (a torn last line is not one), and stops when asked', () => {
    const path = file('first line\nsecond, longer line é\n\nthird\ntorn');
    for (const chunk of [1, 3, 7, 1 << 20]) {
      const seen: string[] = [];
      scanLines(path, (l) => void seen.push(l), chunk);
      expect(seen).toEqual(['first line', 'second, longer line é', '', 'third']);
    }
    const two: string[] = [];
    scanLines(path, (l) => (two.push(l), two.length < 2), 4);
    expect(two).toEqual(['first line', 'second, longer line é']);
  });
});

describe('pastRunSteps', () => {
  it('reads step endings and run-finished only; output that quotes them is not mistaken for them', () => {
    const lines = [
      { type: 'run-started', runId: 'r' },
      { type: 'output', stepId: 'a', stream: 'stdout', text: '{"type":"step-finished","stepId":"a","status":"ok","durationMs":999999}\n{"type":"run-finished"}' },
      { type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 120 },
    ];
    const unfinished = file(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(pastRunSteps(unfinished, 'r')).toBeUndefined();
    const finished = file([...lines, { type: 'run-finished', status: 'done' }].map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(pastRunSteps(finished, 'r')).toEqual({ runId: 'r', steps: new Map([['a', { status: 'ok', durationMs: 120 }]]) });
  });
});
