import type { LazyValue, RuntimeCtx } from '../../../dsl/nodes.js';
import { describeTarget, maskDsnText, resolveConnFields, toTarget, MASK, type PgTarget } from '../../../dsl/actions/pg-conn.js';
import { resolve } from '../../engine/context.js';

/** The node's target, resolved for this run (lazy DSN, lazy fields of a literal object). Throws without the password. */
export function resolveTarget(v: LazyValue, c: RuntimeCtx, what: string): PgTarget {
  return toTarget(resolveConnFields(resolve(v, c, what), !v.lazy, c));
}

/** Removes the target's password (plain and URL-encoded) and any DSN password from a message. */
export function scrub(text: string, t: PgTarget | undefined): string {
  let s = text;
  const pw = t?.password;
  if (pw !== undefined && pw !== '') {
    for (const form of new Set([pw, encodeURIComponent(pw)])) s = s.split(form).join(MASK);
  }
  return maskDsnText(s);
}

export { describeTarget };
export type { PgTarget };
