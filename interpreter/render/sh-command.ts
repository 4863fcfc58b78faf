import type { RuntimeCtx, ShNode } from '../../dsl/nodes.js';
import { resolve } from '../engine/context.js';
import { isPlaceholder } from '../engine/placeholder.js';
import { shellQuote } from '../shell-quote.js';

/** Builds the command line: interpolations are shell-quoted unless marked `sh.raw`; arrays become several words. */
export function shCommand(node: ShNode, c: RuntimeCtx): string {
  let out = node.strings[0] ?? '';
  node.parts.forEach((part, i) => {
    const v = resolve(part.value, c, `value #${i + 1} in sh\`${node.strings.join('${…}').slice(0, 60)}\``);
    out += part.raw ? String(v) : word(v, i) ;
    out += node.strings[i + 1] ?? '';
  });
  return out;
}

function word(v: unknown, i: number): string {
  if (isPlaceholder(v)) return String(v);
  if (Array.isArray(v)) return v.map((x) => word(x, i)).join(' ');
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return shellQuote(String(v));
  if (v === null || v === undefined) throw new TypeError(`value #${i + 1} interpolated into a command is ${String(v)}; give a string (use ?? 'default' for optional values).`);
  throw new TypeError(`value #${i + 1} interpolated into a command is an ${typeof v}; interpolate strings, numbers or arrays of them.`);
}
