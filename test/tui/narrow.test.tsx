// A narrow terminal (a split pane): every line fits, the frame fits, the failure menu and the current step stay visible.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../tui/components/app.js';
import { PromptPane, promptHeight } from '../../tui/components/prompt-pane.js';
import { initialState } from '../../tui/state.js';
import { TuiStore } from '../../tui/store.js';
import { ev, started, T0 } from '../helpers/events.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

describe('a narrow terminal', () => {
  it.each([[50, 16], [41, 12]])('%ix%i: no line wider than the terminal, the frame fits, the failure menu is shown whole', (cols, rows) => {
    const store = new TuiStore(initialState({ estimates: new Map([['b', 90_000]]), historyRuns: 4 }), { intervalMs: 0, clock: () => T0 + 5_000 });
    const steps = ['a', 'b', 'c', 'd'].map((id) => ({ id: `${id}-step-with-a-long-identifier`, phase: 'A phase with a long title' }));
    store.write(started(steps));
    const current = steps[1]!.id;
    store.write(ev({ type: 'step-started', stepId: steps[0]!.id, kind: 'exec', title: 'First', phase: steps[0]!.phase, attempt: 1, action: null }));
    store.write(ev({ type: 'step-finished', stepId: steps[0]!.id, status: 'ok', durationMs: 12, attempts: 1 }));
    store.write(ev({ type: 'step-started', stepId: current, kind: 'exec', title: 'Second', phase: steps[1]!.phase, attempt: 1, action: { text: `sh: ${'z'.repeat(90)}`, effect: 'mutating' } }));
    store.write(ev({ type: 'output', stepId: current, stream: 'stderr', text: `${'e'.repeat(70)}\n` }));
    store.dispatch({ type: 'ui/prompt', prompt: { kind: 'failure', stepId: current, error: `exit 1: ${'w'.repeat(80)}`, attempts: 1, stage: 'menu', text: '' } });
    store.flush();
    const r = render(<App store={store} width={cols} rows={rows} color={false} />);
    mounted.push(r);
    const lines = (r.lastFrame() ?? '').split('\n');
    for (const l of lines) expect([...l].length).toBeLessThan(cols);
    expect(lines.length).toBeLessThan(rows);
    const frame = lines.join('\n');
    expect(frame).toMatch(/^ LIVE /m);
    expect(frame).toMatch(/\?\S* exec {4}Title b-step/);
    const menu = lines.find((l) => l.startsWith('[r]')) ?? '';
    for (const k of ['[r]', '[s]', '[d]', '[a]']) expect(menu).toContain(k);
  });

  it('a question too long for its line wraps (not cut) and keeps its keys on the next line; stopping shows its keys first', () => {
    const long = 'Is the primary database really down, and not just unreachable from this bastion host?';
    const confirm = render(<PromptPane prompt={{ kind: 'confirm', stepId: 'c', question: long, description: null }} help={false} width={49} />);
    mounted.push(confirm);
    expect(confirm.lastFrame()?.split('\n').at(-1)).toBe('  [y] yes  [n] no');
    // the whole question is readable: two wrapped lines, then the keys
    expect(confirm.lastFrame()?.split('\n').slice(0, -1).join(' ').replace(/\s+/g, ' ')).toBe(`? ${long}`);
    expect(promptHeight({ kind: 'confirm', stepId: 'c', question: long, description: null }, false, 49)).toBe(3);
    expect(promptHeight({ kind: 'confirm', stepId: 'c', question: 'Go?', description: null }, false, 49)).toBe(1);
    const quit = render(<PromptPane prompt={{ kind: 'quit', stepId: null, back: null }} help={false} width={49} />);
    mounted.push(quit);
    expect(quit.lastFrame()?.split('\n')[0]).toBe('Stop the run here? [y] stop  [n] back');
  });
});
