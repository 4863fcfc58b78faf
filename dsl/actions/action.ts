import { RunbookDefinitionError } from '../ids.js';
import { ACTION_BRAND } from '../brand.js';
import type { ActionNode } from '../nodes.js';

/**
 * Something a step does. `R` is its result type; `C` the run context its lazy values read.
 * The phantom `__ctx` makes an action usable wherever its context is available.
 */
export interface Action<R, C> {
  readonly [ACTION_BRAND]: ActionNode;
  readonly __result?: R;
  readonly __ctx?: (c: C) => void;
}

export function makeAction<R, C>(node: ActionNode): Action<R, C> {
  return Object.freeze({ [ACTION_BRAND]: Object.freeze(node) }) as Action<R, C>;
}

export function actionNode(a: unknown, where: string): ActionNode {
  const node = typeof a === 'object' && a !== null ? (a as Record<PropertyKey, unknown>)[ACTION_BRAND] : undefined;
  if (node === undefined) {
    throw new RunbookDefinitionError(`${where}: expected an action (sh\`…\`, fn(…), http.get(…), promote.custom(…)), got ${describe(a)}.`);
  }
  return node as ActionNode;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v;
}
