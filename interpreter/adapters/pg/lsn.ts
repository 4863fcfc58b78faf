/** A pg_lsn text (`16/B374D848`) as a byte position; null when absent or malformed. */
export function lsnBytes(lsn: unknown): number | null {
  if (typeof lsn !== 'string') return null;
  const m = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
  if (!m) return null;
  return Number((BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`));
}

/** A number from a pg column (float8, int, or a numeric/int8 string); null otherwise. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}
