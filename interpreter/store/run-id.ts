import { randomBytes } from 'node:crypto';

/** Sortable and short enough to type: 20261123-143005-7f3a. */
export function newRunId(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const d = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const t = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${d}-${t}-${randomBytes(2).toString('hex')}`;
}
