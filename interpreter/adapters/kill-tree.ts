const GRACE_MS = 2000;

/** SIGTERM the process group (or the process), then SIGKILL after a grace period if it is still there. */
export function killTree(pid: number, group: boolean): void {
  const target = group ? -pid : pid;
  const send = (sig: NodeJS.Signals): boolean => {
    try {
      process.kill(target, sig);
      return true;
    } catch {
      return false;
    }
  };
  if (!send('SIGTERM')) return;
  const t = setTimeout(() => send('SIGKILL'), GRACE_MS);
  t.unref();
}
