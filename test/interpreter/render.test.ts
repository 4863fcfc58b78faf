import { describe, expect, it } from 'vitest';
import { runbook, sh } from 'runbook';
import { formatSpec } from '../../dsl/duration.js';
import { optionSummary } from '../../interpreter/render/render.js';

describe('optionSummary: what a reviewer sees besides the action', () => {
  it('lists limits, retries, waits, conditions and continue-on-error', () => {
    const plan = runbook('r', { title: 'R' })
      .exec('a', 'A', sh`true`, { timeout: '30s', retry: { attempts: 3, interval: '5s', backoff: 2 }, continueOnError: true, when: (c) => c.run.mode === 'live' })
      .check('b', 'B', sh`true`, { waitUntil: { timeout: '2m', interval: '5s' } })
      .exec('c', 'C', sh`true`)
      .exec('d', 'D', sh`vendor-tool`, { interactive: true })
      .toPlan();
    const [a, b, c, d] = plan.steps.map(optionSummary);
    expect(a).toBe('(timeout 30s · retry 3× every 5s ×2 · continue on error · only when (c) => c.run.mode === "live")');
    expect(b).toBe('(wait up to 2m, polling every 5s)');
    expect(c).toBe('');
    expect(d).toBe('(interactive (gets the terminal))');
  });

  it('formats durations the way authors write them', () => {
    expect([formatSpec(500), formatSpec(1500), formatSpec(30_000), formatSpec(150_000), formatSpec(5_400_000)]).toEqual(['500ms', '1.5s', '30s', '2m30s', '1h30m']);
  });
});
