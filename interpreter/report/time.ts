// Times in a report: wall-clock in UTC for real runs, offsets from the start for simulations.

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2026-11-23 13:50:06 UTC` */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** `13:50:06.293` (UTC); with the date in front when it is not the run's first day. */
export function clockTime(iso: string, runStartIso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  const sameDay = s.slice(0, 10) === new Date(runStartIso).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${s.slice(0, 10)} `}${s.slice(11, 23)}`;
}

/** A simulated time as an offset from the start: `+0s`, `+45s`, `+2.5s`, `+4m30s`, `+1h02m05s`. */
export function offset(ms: number): string {
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const sMs = abs % 60_000;
  const sec = sMs % 1000 === 0 ? String(sMs / 1000) : (sMs / 1000).toFixed(3).replace(/0+$/, '');
  const secPadded = h > 0 || m > 0 ? (sMs < 10_000 ? `0${sec}` : sec) : sec;
  const body = h > 0 ? `${h}h${pad(m)}m${secPadded}s` : m > 0 ? `${m}m${secPadded}s` : `${sec}s`;
  return `${neg ? '-' : '+'}${body}`;
}
