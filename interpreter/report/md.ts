// Markdown that renders as written on GitHub: text from a journal (titles, errors, messages, notes) is
// escaped so it cannot open emphasis, links, HTML, math or break a table.

/** Markdown punctuation that can change meaning inline (GFM backslash escapes), plus `$` (GitHub math). */
const SPECIAL = /[\\`*_[\]<>|~&$]/g;

/** Text on one line: escaped, line breaks folded to spaces. */
export function text(s: string): string {
  return s.replace(SPECIAL, (c) => `\\${c}`).replace(/\s*\r?\n\s*/g, ' ');
}

/** A table cell: escaped (`|` too), line breaks kept as `<br>`, never empty. */
export function cell(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '—';
  return s.replace(/\r\n?/g, '\n').trim().replace(SPECIAL, (c) => `\\${c}`).replace(/\n/g, '<br>');
}

/** Inline code (ids, paths, commands): a fence longer than any run of backticks inside; in a table, `|` escaped. */
export function code(s: string, inTable = true): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  const body = s.replace(/\r?\n/g, ' ');
  return `${fence}${pad}${inTable ? body.replace(/\|/g, '\\|') : body}${pad}${fence}`;
}

/** A GitHub table: header, alignment row, rows (cells already escaped). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string[] {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
