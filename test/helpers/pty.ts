// A real pseudo-terminal for end-to-end tests of prompts, via util-linux `script` (Debian's
// bsdutils, always installed): the CLI sees a TTY on stdin and stdout; the test reads the screen
// stream and types answers when it sees their prompts.
import { spawn } from 'node:child_process';
import { shellQuote } from '../../interpreter/shell-quote.js';
import { BIN, LOCK_DIR, ROOT } from './cli.js';

export interface PtySession {
  /** Waits (bounded) until the output contains `text`, counted from after the previous wait. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  type(keys: string): void;
  output(): string;
  readonly exited: Promise<{ code: number | null; output: string }>;
}

export function runInPty(args: readonly string[], env: Record<string, string> = {}): PtySession {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', RUNBOOK_LOCK_DIR: LOCK_DIR, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let cursor = 0;
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output: out })));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.finally(() => clearTimeout(killer));
  return {
    async waitFor(text, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = out.indexOf(text, cursor);
        if (at !== -1) {
          cursor = at + text.length;
          return;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)} on the terminal; screen so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    type(keys) {
      child.stdin.write(keys);
    },
    output: () => out,
    exited,
  };
}
