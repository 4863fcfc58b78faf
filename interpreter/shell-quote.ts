const SAFE = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

/** POSIX shell quoting: the value reaches the command as exactly one word. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
