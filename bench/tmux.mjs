// A private tmux server (its own socket) with one 80x24 window running one command; for the TUI bench.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

export function tmuxRun(argv, { cwd, env = {} } = {}) {
  const socket = `runbook-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const vars = Object.entries({ CI: 'false', TERM: 'xterm-256color', NO_COLOR: '1', ...env }).map(([k, v]) => `${k}=${v}`);
  const script = `cd ${q(cwd)}; env ${vars.map(q).join(' ')} ${argv.map(q).join(' ')}; echo "[exit $?]"; exec sleep 600`;
  tmux('new-session', '-d', '-s', 'main', '-x', '80', '-y', '24', 'sh', '-c', script);
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim(); // kill-server leaves the file
  const screen = () => tmux('capture-pane', '-p', '-t', 'main');
  return {
    screen,
    keys: (...k) => void tmux('send-keys', '-t', 'main', ...k),
    /** Polls (bounded) until f(screen) holds; returns the screen. */
    async until(f, timeoutMs = 60_000, everyMs = 2) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (f(s)) return s;
        if (Date.now() > deadline) throw new Error(`bench: timed out; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    async exitCode(timeoutMs = 120_000) {
      const s = await this.until((x) => /\[exit \d+\]/.test(x), timeoutMs, 20);
      return Number(/\[exit (\d+)\]/.exec(s)[1]);
    },
    close() {
      try { tmux('kill-server'); } catch { /* already gone */ }
      rmSync(socketPath, { force: true });
    },
  };
}
