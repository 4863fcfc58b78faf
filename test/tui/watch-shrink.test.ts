import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchShrink } from '../../tui/watch-shrink.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('watchShrink', () => {
  it('calls back once per settled burst that ended narrower than before, never for a wider or equal one', () => {
    vi.useFakeTimers();
    const out = Object.assign(new EventEmitter(), { columns: 80 }) as unknown as NodeJS.WriteStream & { columns: number };
    const onShrink = vi.fn();
    const stop = watchShrink(out, onShrink, 60);
    const resize = (cols: number): void => {
      out.columns = cols;
      out.emit('resize');
    };
    resize(70);
    resize(60); // one burst
    vi.advanceTimersByTime(100);
    expect(onShrink).toHaveBeenCalledTimes(1);
    resize(100);
    vi.advanceTimersByTime(100);
    expect(onShrink).toHaveBeenCalledTimes(1);
    resize(50);
    resize(120); // narrower in between: the old frame was reflowed, so still a redraw
    vi.advanceTimersByTime(100);
    expect(onShrink).toHaveBeenCalledTimes(2);
    stop();
    resize(40);
    vi.advanceTimersByTime(100);
    expect(onShrink).toHaveBeenCalledTimes(2);
  });
});
