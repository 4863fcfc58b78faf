// The terminal UI as a reporter + prompter pair. Loaded only for `--ui tui` (a dynamic import: ink and
// react cost start-up time that the plain and json UIs never pay).
import { colorAllowed } from './colors.js';
import { render, type Instance } from 'ink';
import type React from 'react';
import type { Prompter } from '../interpreter/engine/prompter.js';
import type { EventSink } from '../interpreter/events.js';
import { App } from './components/app.js';
import { initialState, sealedCount } from './state.js';
import { TuiStore } from './store.js';
import { TuiPrompter } from './tui-prompter.js';
import { watchShrink } from './watch-shrink.js';

export interface TuiOptions {
  /** Step estimates (ms) by step id, for the ETA. */
  readonly estimates: ReadonlyMap<string, number>;
  /** How many earlier runs some of those estimates are medians of (0: `estimate`s only). */
  readonly historyRuns?: number;
  /** Steps finished in an earlier session (on resume). */
  readonly restored?: ReadonlySet<string>;
  /** `runbook watch`: read-only (no questions; q or Ctrl-C stop watching, calling `onQuit`). */
  readonly watching?: boolean;
  readonly onQuit?: () => void;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  readonly env?: NodeJS.ProcessEnv;
}

export interface TuiSession {
  readonly reporter: EventSink;
  readonly prompter: Prompter;
  /** Draws the final frame (it stays on screen) and gives the terminal back. */
  close(): Promise<void>;
}

const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export function openTui(o: TuiOptions): TuiSession {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const env = o.env ?? process.env;
  const color = colorAllowed(env);
  const store = new TuiStore(initialState({ estimates: o.estimates, historyRuns: o.historyRuns ?? 0, watching: o.watching === true, ...(o.restored ? { restored: o.restored } : {}) }));
  let instance: Instance | undefined;
  let staticFrom = 0;

  // Whatever happens (crash, process.exit on a second Ctrl-C), the terminal is given back sane.
  const restoreTerminal = (): void => {
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
    } catch {
      // the terminal may already be gone
    }
    if (stdout.isTTY && !stdout.destroyed) stdout.write(SHOW_CURSOR);
  };
  process.on('exit', restoreTerminal);

  // Watching, the keys only stop the watch: the run belongs to someone else.
  const watchKey = (input: string, key: { ctrl?: boolean }): void => {
    if (input === 'q' || (key.ctrl === true && input === 'c')) o.onQuit?.();
  };
  const app = (): React.JSX.Element => <App store={store} staticFrom={staticFrom} onKey={o.watching ? watchKey : prompter.key} color={color} />;
  const mount = (): void => {
    instance = render(app(), { stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 20 });
  };
  /** The last frame is drawn from the latest state (synchronously), then stays on screen. */
  /** Resolves once ink has let go of the terminal (its stdin listeners and raw mode are gone). */
  const unmount = async (): Promise<void> => {
    store.flush();
    const i = instance;
    instance = undefined;
    i?.rerender(app());
    staticFrom = sealedCount(store.state);
    i?.unmount();
    await i?.waitUntilExit().catch(() => {});
  };

  const prompter = new TuiPrompter(store, {
    // An interactive command gets the real terminal: the UI steps aside (its last line says why) and
    // comes back, state intact, when the command ends.
    async suspend() {
      store.dispatch({ type: 'ui/suspended', stepId: store.state.currentId });
      await unmount();
      restoreTerminal();
      stdin.pause();
    },
    resume() {
      store.dispatch({ type: 'ui/suspended', stepId: null });
      // Published before mounting: the new screen must not start from the stepped-aside snapshot (it
      // would draw no key handler, leave stdin unref'd, and the run would end waiting for nothing).
      store.flush();
      if (!instance) mount();
    },
  });

  // Narrower terminal: clear the screen and draw everything again at the new width (finished phases too).
  const unwatch = watchShrink(stdout, () => {
    const i = instance;
    if (!i || !stdout.isTTY) return;
    store.flush();
    instance = undefined;
    i.unmount();
    stdout.write(CLEAR_SCREEN);
    staticFrom = 0;
    mount();
  });

  mount();
  store.startTicking();
  return {
    reporter: store,
    prompter,
    async close() {
      store.stop();
      unwatch();
      await unmount();
      restoreTerminal();
      stdin.pause();
      process.off('exit', restoreTerminal);
    },
  };
}
