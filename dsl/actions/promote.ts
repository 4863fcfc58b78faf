import { RunbookDefinitionError } from '../ids.js';
import type { PromoteResult } from '../results.js';
import { actionNode, makeAction, type Action } from './action.js';

export interface CustomPromotion<C> {
  /** Must succeed before anything changes (standby healthy, caught up). */
  readonly precheck: Action<unknown, C>;
  /** Optional: isolate the old primary first (stop it, cut its traffic). */
  readonly fence?: Action<unknown, C>;
  /** Makes the standby the primary. */
  readonly action: Action<unknown, C>;
  /** Proves the new primary serves (accepts a write, reports its role). */
  readonly verify: Action<unknown, C>;
}

export const promote = {
  /** A promotion from your own actions: precheck → optional fence → action → verify. */
  custom<C>(p: CustomPromotion<C>): Action<PromoteResult, C> {
    if (typeof p !== 'object' || p === null) throw new RunbookDefinitionError('promote.custom({ precheck, action, verify }) needs an object.');
    for (const key of ['precheck', 'action', 'verify'] as const) {
      if (p[key] === undefined) throw new RunbookDefinitionError(`promote.custom: "${key}" is required (precheck → fence? → action → verify).`);
    }
    return makeAction({
      type: 'promote',
      driver: 'custom',
      precheck: actionNode(p.precheck, 'promote.custom precheck'),
      fence: p.fence === undefined ? undefined : actionNode(p.fence, 'promote.custom fence'),
      action: actionNode(p.action, 'promote.custom action'),
      verify: actionNode(p.verify, 'promote.custom verify'),
    });
  },
};
