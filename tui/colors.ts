/** ANSI styling, only for a terminal and never with NO_COLOR. */
export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
  inverse(s: string): string;
}

/** Colour is allowed unless NO_COLOR is set or the terminal is dumb (whether it is a terminal at all is the caller's). */
export function colorAllowed(env: NodeJS.ProcessEnv): boolean {
  return env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

export function makeStyle(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = stream.isTTY === true && colorAllowed(env);
  const wrap = (open: number, close: number) => (s: string): string => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    enabled,
    bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39),
    blue: wrap(34, 39), magenta: wrap(35, 39), cyan: wrap(36, 39), inverse: wrap(7, 27),
  };
}
