// The screens, rendered with ink-testing-library from events (no terminal, no engine).
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../tui/components/app.js';
import { Header } from '../../tui/components/header.js';
import { PromptPane } from '../../tui/components/prompt-pane.js';
import { StepLine } from '../../tui/components/step-line.js';
import { ColorContext } from '../../tui/components/theme.js';
import { initialState, reduce, type StepView, type ViewStatus } from '../../tui/state.js';
import { TuiStore } from '../../tui/store.js';
import { TuiPrompter } from '../../tui/tui-prompter.js';
import type { StepNode } from '../../dsl/nodes.js';
import { ev, started, T0 } from '../helpers/events.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});
function show(el: React.JSX.Element): () => string {
  const r = render(<ColorContext.Provider value={false}>{el}</ColorContext.Provider>);
  mounted.push(r);
  return () => r.lastFrame() ?? '';
}

/** React commits store updates asynchronously: wait (bounded) for a frame showing `text`. */
async function frameWith(r: { lastFrame(): string | undefined }, text: string): Promise<void> {
  for (let i = 0; i < 100 && !(r.lastFrame() ?? '').includes(text); i++) await new Promise((ok) => setImmediate(ok));
  expect(r.lastFrame()).toContain(text);
}

const step = (status: ViewStatus, extra: Partial<StepView> = {}): StepView => ({
  id: 'promote', kind: 'exec', title: 'Promote the standby', phase: 'Fail over', status, attempts: 1, startedAtMs: 0,
  durationMs: status === 'pending' || status === 'running' || status === 'waiting' ? null : 1234, estimateMs: null, action: null,
  detail: null, rendered: false, ...extra,
});

describe('checklist line', () => {
  it.each([
    ['pending', '·', ''], ['running', '⠋', '2.00s'], ['waiting', '?', '2.00s'], ['ok', '✔', '1.23s'], ['failed', '✖', '1.23s'],
    ['skipped', '»', '1.23s'], ['done-by-hand', '✎', '1.23s'], ['planned', '○', ''], ['interrupted', '■', '1.23s'], ['restored', '✔', ''],
  ] as const)('%s shows %s, the kind tag and the duration', (status, icon, dur) => {
    const frame = show(<StepLine step={step(status)} now={2000} width={80} />)();
    expect(frame).toMatch(new RegExp(`^ ${icon === '?' ? '\\?' : icon} exec {4}Promote the standby promote`));
    if (dur) expect(frame.trimEnd()).toMatch(new RegExp(`${dur.replace('.', '\\.')}$`));
  });

  it('shows why a step ended, and a retried step’s attempts', () => {
    expect(show(<StepLine step={step('skipped', { detail: 'INC-42', attempts: 2 })} now={0} width={80} />)()).toMatch(/promote — INC-42 +1\.23s ×2/);
  });
});

describe('header', () => {
  it.each([['live', 'LIVE'], ['dry-run', 'DRY-RUN'], ['probe', 'PROBE']] as const)('in %s mode says %s first', (mode, word) => {
    const s = reduce(initialState(), started([{ id: 'a', phase: null }], mode));
    const frame = show(<Header state={s} now={Date.parse('2026-01-01T00:00:45Z')} width={80} />)();
    expect(frame.split('\n')[0]).toMatch(new RegExp(`^ ${word} {2}Failover · run r-1 · dana +0:45$`));
    expect(frame.split('\n')[1]).toMatch(/^RTO 1m00s █+░+ 75%/);
  });

  it('in simulate mode says SIMULATION first, shows simulated and real time side by side, and spends the RTO in simulated time', () => {
    let s = reduce(initialState(), started([{ id: 'a', phase: null }, { id: 'b', phase: null }], 'simulate'));
    s = reduce(s, ev({ type: 'step-finished', stepId: 'a', status: 'ok', durationMs: 30_000, attempts: 1, simAtMs: 30_000 }, 2_000));
    s = reduce(s, ev({ type: 'sim-event', atMs: 45_000, message: 'standby lag jumps to 2 GiB', set: { lag: 2 } }, 3_000));
    const frame = show(<Header state={s} now={Date.parse('2026-01-01T00:00:05Z')} width={80} />)();
    expect(frame.split('\n')[0]).toMatch(/^ SIMULATION {2}Failover · run r-1 · dana +sim 0:45 · real 0:05$/);
    // 45 s of a 1 min RTO in simulated time: 75 %, not the 5 s of real time
    expect(frame.split('\n')[1]).toMatch(/^RTO 1m00s █+░+ 75%/);
  });

  it('in simulate mode the simulated clock runs while the participants decide', () => {
    let s = reduce(initialState(), started([{ id: 'a', phase: null, kind: 'confirm' }], 'simulate'));
    s = reduce(s, ev({ type: 'step-started', stepId: 'a', kind: 'confirm', title: 'Go?', phase: null, attempt: 1, action: null, simAtMs: 30_000 }, 1_000));
    const asked = Date.parse('2026-01-01T00:00:02Z');
    s = reduce(s, { type: 'ui/prompt', prompt: { kind: 'confirm', stepId: 'a', question: 'Go?', description: null }, askedAtMs: asked });
    const frame = show(<Header state={s} now={asked + 12_000} width={80} />)();
    expect(frame.split('\n')[0]).toMatch(/sim 0:42 · real 0:14$/);
  });
});

describe('prompts', () => {
  it('confirm: question, keys and the description with its bold', () => {
    const f = show(<PromptPane prompt={{ kind: 'confirm', stepId: 'c', question: 'Primary really down?', description: 'Check the **monitoring** first.' }} help={false} width={80} />)();
    expect(f).toBe('? Primary really down? [y] yes  [n] no\n  Check the monitoring first.');
  });
  it('failure: the menu, then the reason being typed, then the abort question', () => {
    const base = { kind: 'failure', stepId: 'promote', error: 'exit 1', attempts: 2 } as const;
    expect(show(<PromptPane prompt={{ ...base, stage: 'menu', text: '' }} help={false} width={80} />)()).toBe('✖ promote failed (2 attempts): exit 1\n[r] retry  [s] skip  [d] done by hand  [a] abort  ? help');
    expect(show(<PromptPane prompt={{ ...base, stage: 'reason', text: 'INC-4' }} help={false} width={80} />)()).toContain('reason for skipping (recorded): INC-4');
    expect(show(<PromptPane prompt={{ ...base, stage: 'note', text: '' }} help={false} width={80} />)()).toContain('what was done by hand (recorded): ');
    expect(show(<PromptPane prompt={{ ...base, stage: 'abort', text: '' }} help={false} width={80} />)()).toContain('Abort the whole run? [y] abort  [n] back  (resume later)');
  });
  it('quit asks first; ? shows every key', () => {
    expect(show(<PromptPane prompt={{ kind: 'quit', stepId: null, back: null }} help={false} width={80} />)()).toContain('Stop the run here?');
    const help = show(<PromptPane prompt={null} help width={80} />)();
    for (const k of ['y / n', 'r ', 's ', 'd ', 'a ', 'q ', 'Ctrl-C', '?']) expect(help).toContain(`  ${k}`);
  });
});

describe('the whole screen', () => {
  it('at 80x24 with 70 steps: no line wider than 80, the frame fits, the current step is in view', () => {
    const store = new TuiStore(initialState(), { intervalMs: 0, clock: () => T0 + 60_000 });
    const steps = Array.from({ length: 70 }, (_, i) => ({ id: `step-${i}-with-a-rather-long-identifier-for-width`, phase: `Phase ${Math.floor(i / 35)}` }));
    store.write(started(steps));
    for (let i = 0; i < 50; i++) {
      const id = steps[i]!.id;
      store.write(ev({ type: 'step-started', stepId: id, kind: 'exec', title: `Title ${id}`, phase: steps[i]!.phase, attempt: 1, action: { text: `sh: echo ${'x'.repeat(120)}`, effect: 'mutating' } }));
      if (i < 49) store.write(ev({ type: 'step-finished', stepId: id, status: 'ok', durationMs: 10, attempts: 1 }));
    }
    for (let i = 0; i < 40; i++) store.write(ev({ type: 'output', stepId: steps[49]!.id, stream: i % 2 ? 'stderr' : 'stdout', text: `out ${i} ${'y'.repeat(100)}\n` }));
    store.flush();
    const r = render(<App store={store} width={81} rows={24} color={false} />);
    mounted.push(r);
    const frame = r.lastFrame() ?? '';
    const lines = frame.split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const live = lines.slice(lines.findIndex((l) => l.startsWith(' LIVE ')));
    expect(live.length).toBeLessThanOrEqual(23);
    expect(live.join('\n')).toMatch(/›\S exec {4}Title step-49/);
    expect(live.join('\n')).toMatch(/↑ \d+ more/);
    expect(live.join('\n')).toMatch(/↓ \d+ more/);
    expect(live.join('\n')).toContain('  ! out 39');
    expect(live.join('\n')).toContain('  │ out 38');
    // the finished first phase was printed once above the live area
    expect(r.frames.join('')).toMatch(/── Phase 0 35\/35 +350ms\n ✔ exec {4}Title step-0-/);
  });

  it('a confirm answered with a key goes through the prompter to the engine', async () => {
    const store = new TuiStore(initialState(), { intervalMs: 0 });
    store.write(started([{ id: 'go', phase: null, kind: 'confirm' }]));
    const interrupts: string[] = [];
    const prompter = new TuiPrompter(store, { suspend: () => Promise.resolve(), resume() {} }, () => interrupts.push('int'));
    const r = render(<App store={store} onKey={prompter.key} width={81} rows={24} />);
    mounted.push(r);
    const answer = prompter.confirm({ id: 'go' } as StepNode, 'Go ahead?', 'It writes one file.');
    await frameWith(r, '? Go ahead? [y] yes  [n] no');
    r.stdin.write('x');
    r.stdin.write('y');
    await expect(answer).resolves.toBe(true);
    const failure = prompter.onFailure({ id: 'go' } as StepNode, 'exit 1', 1);
    await frameWith(r, '[r] retry');
    for (const k of ['s', 'I', 'N', 'C', '\r']) r.stdin.write(k);
    await expect(failure).resolves.toEqual({ choice: 'skip', reason: 'INC' });
    r.stdin.write('\x03');
    expect(interrupts).toEqual(['int']);
  });
});
