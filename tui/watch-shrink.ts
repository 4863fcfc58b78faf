// Calls back once a terminal has become narrower (after a burst of resize events settles). Terminals
// that reflow (tmux, most modern ones) re-wrap the old frame's lines when the width shrinks, so erasing
// the frame line by line, as Ink does, leaves pieces of it on screen: the caller redraws from a clean one.
export function watchShrink(stdout: NodeJS.WriteStream, onShrink: () => void, settleMs = 60): () => void {
  let width = stdout.columns ?? 80;
  let narrowest = width;
  let timer: NodeJS.Timeout | undefined;
  const onResize = (): void => {
    narrowest = Math.min(narrowest, stdout.columns ?? width);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const shrank = narrowest < width;
      width = stdout.columns ?? width;
      narrowest = width;
      if (shrank) onShrink();
    }, settleMs);
    timer.unref();
  };
  stdout.on('resize', onResize);
  return () => {
    if (timer) clearTimeout(timer);
    stdout.off('resize', onResize);
  };
}
