import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, … */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether a process group still has a live (non-zombie) member. Orphans of a killed run are
 * re-parented to init, which may be slow to reap them, so kill(-pgid, 0) alone would count zombies.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: kill(0) is all we know
  }
  return entries.some((e) => {
    if (!/^\d+$/.test(e)) return false;
    const f = statFields(e);
    return f !== undefined && f[2] === String(pgid) && f[0] !== 'Z';
  });
}

/** Whether a single process is alive (not gone, not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return statFields(String(pid))?.[0] !== 'Z';
}
