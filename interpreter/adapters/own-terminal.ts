import { closeSync, openSync } from 'node:fs';

/**
 * The terminal as an interactive command's stdin, through its own open file description. Node's stdin
 * shares one description with the fd libuv reads from, and a shell that reads it clears O_NONBLOCK on
 * it (dash does on EAGAIN): libuv's next read of stdin would then block the whole event loop (the UI
 * freezes, the child is never reaped). A fresh open of the same terminal keeps that flag ours.
 */
export function ownTerminalInput(): { fd: number | 'inherit'; close(): void } {
  if (process.stdin.isTTY !== true) return { fd: 'inherit', close: () => {} };
  for (const path of ['/proc/self/fd/0', '/dev/tty']) {
    try {
      const fd = openSync(path, 'r+');
      return { fd, close: () => closeSync(fd) };
    } catch {
      // not Linux, or no controlling terminal: try the next
    }
  }
  return { fd: 'inherit', close: () => {} };
}
