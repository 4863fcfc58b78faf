import type { FnNode } from '../../dsl/nodes.js';
import type { ActionEnv, ActionOutcome } from '../modes/types.js';

/** Custom code: its return value is the result; a throw or a timeout is a failure. */
export async function runFn(node: FnNode, env: ActionEnv): Promise<ActionOutcome> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const work = Promise.resolve().then(() => node.fn(env.ctx));
    const guards: Promise<never>[] = [
      new Promise<never>((_, reject) => {
        if (env.signal.aborted) reject(new Error('interrupted'));
        onAbort = () => reject(new Error('interrupted'));
        env.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ];
    if (env.timeoutMs !== undefined) {
      const ms = env.timeoutMs;
      guards.push(new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms); }));
    }
    const value = await Promise.race([work, ...guards]);
    return { ok: true, result: value, text: typeof value === 'string' ? value : (JSON.stringify(value) ?? '') };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, result: undefined, text: '', error: message, timedOut: e instanceof TimeoutError };
  } finally {
    if (timer) clearTimeout(timer);
    // One listener per step would pile up on the run's signal over a long run.
    if (onAbort) env.signal.removeEventListener('abort', onAbort);
  }
}

class TimeoutError extends Error {}
