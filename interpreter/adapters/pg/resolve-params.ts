import type { LazyValue, RuntimeCtx } from '../../../dsl/nodes.js';
import { resolve } from '../../engine/context.js';

/** The values for $1, $2…: `c => array`, or a literal array whose items may be `c => value`. */
export function resolveParams(v: LazyValue | undefined, c: RuntimeCtx): readonly unknown[] | undefined {
  if (v === undefined) return undefined;
  const list = resolve(v, c, 'pg params');
  if (!Array.isArray(list)) throw new TypeError(`pg params must be an array, got ${list === null ? 'null' : typeof list}`);
  if (v.lazy) return list;
  return list.map((item: unknown, i) => {
    if (typeof item !== 'function') return item;
    try {
      return (item as (c: RuntimeCtx) => unknown)(c);
    } catch (e) {
      throw new TypeError(`pg param $${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
