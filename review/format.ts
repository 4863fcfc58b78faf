import { UsageError } from '../interpreter/errors.js';

export const FORMATS = ['text', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** A table over output formats: TypeScript makes every command handle every format. */
export type Formatters<T> = { readonly [F in Format]: (value: T) => string };

export function parseFormat(command: string, value: string | undefined): Format {
  const v = value ?? 'text';
  if ((FORMATS as readonly string[]).includes(v)) return v as Format;
  throw new UsageError(`${command}: unknown --format "${v}". Use one of: ${FORMATS.join(', ')}.`);
}

/** `file:line`, for messages a terminal or an editor can jump to. */
export function at(file: string, line: number): string {
  return `${file}:${line}`;
}

/** Markdown: escape what would break a table cell or inline text. */
export function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`<>[\]])/g, '\\$1').replace(/\n/g, ' ');
}

/** Inline code that survives backticks inside. */
export function mdCode(s: string): string {
  const one = s.replace(/\n/g, ' ');
  const ticks = one.includes('`') ? '``' : '`';
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${one.replace(/\|/g, '\\|')}${pad}${ticks}`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function mdFence(body: string, lang = ''): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}
