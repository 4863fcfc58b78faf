// The TUI's state is a pure reducer over journal events; keys are a pure function of the prompt.
import { describe, expect, it, vi } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { handleKey, type Prompt } from '../../tui/prompt.js';
import { cleanLine, eta, initialState, OUTPUT_LINES, reduce, sealedCount, type FullState } from '../../tui/state.js';
import { TuiStore } from '../../tui/store.js';

import { ev, started, T0 } from '../helpers/events.js';

const run = (events: JournalEvent[], s: FullState = initialState()): FullState => events.reduce(reduce, s);

describe('reducer', () => {
  it('follows a step through running, a failure, a retry and a skip with its reason', () => {
    const s = run([
      started([{ id: 'a', phase: 'One' }, { id: 'b', phase: 'Two' }]),
      ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'Title a', phase: 'One', attempt: 1, action: { text: 'sh: false', effect: 'mutating' } }, 1000),
      ev({ type: 'output', stepId: 'a', stream: 'stderr', text: 'boom\n' }),
      ev({ type: 'attempt-failed', stepId: 'a', attempt: 1, error: 'exit 1', retryInMs: null }),
      ev({ type: 'decision', stepId: 'a', choice: 'retry', by: 'dana' }),
      ev({ type: 'attempt-failed', stepId: 'a', attempt: 2, error: 'exit 1', retryInMs: null }),
      ev({ type: 'decision', stepId: 'a', choice: 'skip', by: 'dana', reason: 'INC-1' }),
      ev({ type: 'step-finished', stepId: 'a', status: 'skipped', durationMs: 1500, attempts: 2, reason: 'INC-1', by: 'dana' }),
    ]);
    expect(s.steps[0]).toMatchObject({ status: 'skipped', durationMs: 1500, attempts: 2, detail: 'INC-1', startedAtMs: T0 + 1000 });
    expect(s.output).toEqual([{ stream: 'stderr', text: 'boom' }]);
    expect(s.failures).toEqual([
      { stepId: 'a', error: 'exit 1', resolution: 'retry (by dana)' },
      { stepId: 'a', error: 'exit 1', resolution: 'skip: INC-1 (by dana)' },
    ]);
    expect(sealedCount(s)).toBe(0); // phase One ended, but the run has not moved on yet
    const next = reduce(s, ev({ type: 'step-started', stepId: 'b', kind: 'exec', title: 'Title b', phase: 'Two', attempt: 1, action: null }));
    expect(sealedCount(next)).toBe(1);
    expect(next.output).toEqual([]); // the detail pane follows the new step
  });

  it('marks every status: waiting on a prompt, done by hand, planned, interrupted, restored', () => {
    const steps = ['c', 'd', 'p', 'i', 'r'].map((id) => ({ id, phase: null }));
    let s = run([started(steps)], initialState({ restored: new Set(['r']) }));
    expect(s.steps.find((x) => x.id === 'r')?.status).toBe('restored');
    s = reduce(s, { type: 'ui/prompt', prompt: { kind: 'confirm', stepId: 'c', question: 'ok?', description: null } });
    expect(s.steps[0]?.status).toBe('waiting');
    s = run([
      ev({ type: 'confirm-answered', stepId: 'c', answer: true, by: 'dana', auto: false }),
      ev({ type: 'step-finished', stepId: 'c', status: 'ok', durationMs: 5, attempts: 1 }),
      ev({ type: 'step-finished', stepId: 'd', status: 'done-by-hand', durationMs: 5, attempts: 1, note: 'by hand' }),
      ev({ type: 'step-finished', stepId: 'p', status: 'planned', durationMs: 0, attempts: 0 }),
      ev({ type: 'step-interrupted', stepId: 'i', signal: 'SIGINT', durationMs: 9 }),
      ev({ type: 'run-finished', status: 'interrupted', durationMs: 100, exitCode: 130 }),
    ], s);
    expect(s.steps.map((x) => x.status)).toEqual(['ok', 'done-by-hand', 'planned', 'interrupted', 'restored']);
    expect(s.finished).toEqual({ status: 'interrupted', durationMs: 100, exitCode: 130 });
    expect(sealedCount(s)).toBe(1);
  });

  it('keeps a bounded output tail, without control sequences', () => {
    let s = run([started([{ id: 'a', phase: null }]), ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'a', phase: null, attempt: 1, action: null })]);
    for (let i = 0; i < OUTPUT_LINES + 50; i++) s = reduce(s, ev({ type: 'output', stepId: 'a', stream: 'stdout', text: `line ${i}\n` }));
    expect(s.output).toHaveLength(OUTPUT_LINES);
    expect(s.output.at(-1)?.text).toBe(`line ${OUTPUT_LINES + 49}`);
    expect(s.outputTotal).toBe(OUTPUT_LINES + 50);
    expect(cleanLine('\x1b[31mred\x1b[0m\r\x07ok')).toBe('redok');
  });

  it('estimates the time left from step estimates', () => {
    const s = run([started([{ id: 'a', phase: null }, { id: 'b', phase: null }, { id: 'c', phase: null }])], initialState({ estimates: new Map([['a', 10_000], ['b', 5_000]]) }));
    const r = reduce(s, ev({ type: 'step-started', stepId: 'a', kind: 'exec', title: 'a', phase: null, attempt: 1, action: null }, 4_000));
    expect(eta(r, T0 + 6_000)).toEqual({ ms: 8_000 + 5_000, known: 2, unknown: 1 });
  });
});

describe('keys', () => {
  const failure: Prompt = { kind: 'failure', stepId: 'a', error: 'x', attempts: 1, stage: 'menu', text: '' };
  it('answers a confirm with y or n; q asks before stopping', () => {
    const confirm: Prompt = { kind: 'confirm', stepId: 'c', question: 'go?', description: null };
    expect(handleKey(confirm, false, 'y', {})).toEqual({ type: 'confirm', answer: true });
    expect(handleKey(confirm, false, 'n', {})).toEqual({ type: 'confirm', answer: false });
    expect(handleKey(confirm, false, 'x', {})).toEqual({ type: 'none' });
    const quit = handleKey(confirm, false, 'q', {});
    expect(quit).toEqual({ type: 'prompt', prompt: { kind: 'quit', stepId: null, back: confirm } });
    expect(handleKey({ kind: 'quit', stepId: null, back: confirm }, false, 'n', {})).toEqual({ type: 'prompt', prompt: confirm });
    expect(handleKey({ kind: 'quit', stepId: null, back: confirm }, false, 'y', {})).toEqual({ type: 'interrupt' });
    expect(handleKey(null, false, 'c', { ctrl: true })).toEqual({ type: 'interrupt' });
  });

  it('on a failure: r retries, s asks a reason, d a note, a asks before aborting', () => {
    expect(handleKey(failure, false, 'r', {})).toEqual({ type: 'decide', decision: { choice: 'retry' } });
    const reason = { ...failure, stage: 'reason' as const, text: '' };
    expect(handleKey(failure, false, 's', {})).toEqual({ type: 'prompt', prompt: reason });
    expect(handleKey(reason, false, '', { return: true })).toEqual({ type: 'none' }); // a reason is required
    expect(handleKey(reason, false, 'INC', {})).toEqual({ type: 'prompt', prompt: { ...reason, text: 'INC' } });
    expect(handleKey({ ...reason, text: 'INC' }, false, '', { backspace: true })).toEqual({ type: 'prompt', prompt: { ...reason, text: 'IN' } });
    expect(handleKey({ ...reason, text: 'INC-1 ' }, false, '', { return: true })).toEqual({ type: 'decide', decision: { choice: 'skip', reason: 'INC-1' } });
    expect(handleKey({ ...failure, stage: 'note', text: 'did it' }, false, '', { return: true })).toEqual({ type: 'decide', decision: { choice: 'done', note: 'did it' } });
    expect(handleKey(failure, false, 'a', {})).toEqual({ type: 'prompt', prompt: { ...failure, stage: 'abort' } });
    expect(handleKey({ ...failure, stage: 'abort' }, false, 'y', {})).toEqual({ type: 'decide', decision: { choice: 'abort' } });
    expect(handleKey({ ...failure, stage: 'abort' }, false, 'n', {})).toEqual({ type: 'prompt', prompt: failure });
  });

  it('? opens and closes the key help', () => {
    expect(handleKey(failure, false, '?', {})).toEqual({ type: 'help', open: true });
    expect(handleKey(failure, true, 'r', {})).toEqual({ type: 'none' });
    expect(handleKey(failure, true, '?', {})).toEqual({ type: 'help', open: false });
  });
});

describe('store', () => {
  it('publishes at most once per interval however fast events come', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const store = new TuiStore(initialState(), { intervalMs: 50, clock: () => now });
      let published = 0;
      store.subscribe(() => published++);
      now = 100;
      store.write(started([{ id: 'a', phase: null }]));
      expect(published).toBe(1); // leading edge: the first change shows at once
      for (let i = 0; i < 1000; i++) store.write(ev({ type: 'output', stepId: 'a', stream: 'stdout', text: `${i}\n` }));
      expect(published).toBe(1);
      now = 150;
      vi.advanceTimersByTime(50);
      expect(published).toBe(2); // the trailing edge carries the latest state
      expect(store.getSnapshot().state).toBe(store.state);
    } finally {
      vi.useRealTimers();
    }
  });
});
