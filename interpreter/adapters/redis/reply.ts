/** A reply as text: strings as they are, nil as (nil), arrays one item a line (nested ones indented). */
export function replyText(reply: unknown, depth = 0): string {
  if (reply === null || reply === undefined) return '(nil)';
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) {
    if (reply.length === 0) return '(empty)';
    return reply.map((r) => (Array.isArray(r) ? replyText(r, depth + 1) : `${'  '.repeat(depth)}${replyText(r, depth + 1)}`)).join('\n');
  }
  return String(reply);
}

/** `INFO` text as a record of its `key:value` lines (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Buffers become strings so results are plain data in the journal. */
export function plainReply(reply: unknown): unknown {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map(plainReply);
  return reply;
}
