// A real terminal for end-to-end tests of the TUI: a private tmux server (its own socket, killed at
// close) with an 80x24 window. The test reads the screen as the operator sees it (capture-pane) and
// types keys (send-keys). After the CLI exits, the pane shows its exit code and the terminal modes.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { shellQuote } from '../../interpreter/shell-quote.js';
import { BIN, LOCK_DIR, ROOT } from './cli.js';

export interface TmuxSession {
  /** The visible screen (with `history`, the scrollback too). */
  screen(history?: boolean): string;
  /** tmux key names or literal text: `keys('y')`, `keys('C-c')`, `keys('Enter')`. */
  keys(...keys: string[]): void;
  /** Literal text (no key-name lookup). */
  text(s: string): void;
  /** Waits (bounded) until the screen matches (a text, a pattern or a test); returns the screen. */
  waitFor(what: string | RegExp | ((screen: string) => boolean), timeoutMs?: number, history?: boolean): Promise<string>;
  /** Waits for the CLI to exit; its code and the terminal modes after it. */
  exited(timeoutMs?: number): Promise<{ code: number; modes: string; screen: string }>;
  cursorVisible(): boolean;
  /** Resizes the terminal (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  close(): void;
}

let count = 0;

export function startInTmux(args: readonly string[], env: Record<string, string> = {}, size = { cols: 80, rows: 24 }): TmuxSession {
  const socket = `runbook-test-${process.pid}-${count++}`;
  const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const vars = { CI: 'false', TERM: 'xterm-256color', NO_COLOR: '1', RUNBOOK_LOCK_DIR: LOCK_DIR, ...env };
  const cli = ['env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), process.execPath, BIN, ...args].map(shellQuote).join(' ');
  // After the CLI: its exit code and the terminal's line discipline (icanon/echo back on = restored).
  const script = `cd ${shellQuote(ROOT)}; ${cli}; echo "[exit $?]"; echo "[modes $(stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo|isig)$' | tr '\\n' ' ')]"; exec sleep 300`;
  tmux('new-session', '-d', '-s', 'main', '-x', String(size.cols), '-y', String(size.rows), 'sh', '-c', script);
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim(); // kill-server leaves the file
  const screen = (history = false): string => tmux('capture-pane', '-p', '-t', 'main', ...(history ? ['-S', '-500'] : []));
  const matches = (s: string, what: string | RegExp | ((screen: string) => boolean)): boolean =>
    typeof what === 'string' ? s.includes(what) : what instanceof RegExp ? what.test(s) : what(s);
  const waitFor = async (what: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000, history = false): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = screen(history);
      if (matches(s, what)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)} on the screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    screen,
    keys: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    text: (s) => void tmux('send-keys', '-t', 'main', '-l', s),
    waitFor,
    async exited(timeoutMs = 30_000) {
      const s = await waitFor(/\[modes [^\]]*\]/, timeoutMs, true);
      const code = Number(/\[exit (\d+)\]/.exec(s)?.[1] ?? NaN);
      return { code, modes: /\[modes ([^\]]*)\]/.exec(s)?.[1]?.trim() ?? '', screen: s };
    },
    resize: (cols, rows) => void tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)),
    cursorVisible: () => tmux('display-message', '-p', '-t', 'main', '#{cursor_flag}').trim() === '1',
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      rmSync(socketPath, { force: true });
    },
  };
}
