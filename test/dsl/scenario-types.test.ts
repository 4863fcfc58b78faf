/**
 * Type-level tests for `scenario()`: step ids and value types are checked against the runbook at
 * compile time. `npm test` runs tsc over this file, so each `@ts-expect-error` must keep failing.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { http, isScenario, runbook, scenario, sh, type ScenarioSpec, type StepsOf } from 'runbook';

const rb = runbook('typed-sim', { title: 'Typed simulation', rto: '5m' })
  .check('lag', 'Lag in bytes', sh`cat lag`, { parse: (out) => Number(out) })
  .check('health', 'Health', http.get('http://127.0.0.1:1/health'))
  .confirm('go', 'Go ahead?')
  .exec('leader', 'Leader', sh`patronictl list`, { parse: (out) => out.trim() });

describe('scenario() types', () => {
  it('accepts the runbook’s step ids with fields that fit each kind and value type', () => {
    const s = scenario(rb, {
      name: 'ok',
      state: { lag: 5 },
      steps: {
        lag: { value: 0, fail: 2, duration: '30s' },
        health: { failUntil: '2m' },
        go: { answer: false, decideIn: '1m' },
        leader: { value: (st) => (st.lag > 0 ? 'pg1' : 'pg2') },
      },
      events: [{ at: '1m', say: 'lag drops', set: { lag: 0 } }],
    });
    expect(isScenario(s)).toBe(true);
    expect(s.runbookId).toBe('typed-sim');
    expectTypeOf<keyof StepsOf<typeof rb>>().toEqualTypeOf<'lag' | 'health' | 'go' | 'leader'>();
  });

  it('rejects an unknown step id, a wrong value type, confirm fields on an action, action fields on a confirm, and unknown state in events', () => {
    // @ts-expect-error "lagg" is not a step of the runbook
    scenario(rb, { name: 'x', steps: { lagg: { fail: 1 } } });
    // @ts-expect-error the lag step's value is a number (its parse returns one)
    scenario(rb, { name: 'x', steps: { lag: { value: 'zero' } } });
    // @ts-expect-error `answer` belongs to confirm steps
    scenario(rb, { name: 'x', steps: { leader: { answer: true } } });
    // @ts-expect-error a confirm is asked, not run: it cannot `fail`
    scenario(rb, { name: 'x', steps: { go: { fail: 1 } } });
    // @ts-expect-error events set only keys of the scenario state
    scenario(rb, { name: 'x', state: { lag: 1 }, events: [{ at: '1m', say: 's', set: { lagBytes: 0 } }] });
    // @ts-expect-error a bad failure choice
    scenario(rb, { name: 'x', steps: { health: { onFailure: 'ignore' } } });
    // @ts-expect-error a condition on a state key the scenario does not declare
    scenario(rb, { name: 'x', state: { lag: 1 }, steps: { health: { failWhen: { state: 'lagg', gt: 1 } } } });
    // @ts-expect-error the name is required
    scenario(rb, { steps: {} });
    expectTypeOf<NonNullable<ScenarioSpec<StepsOf<typeof rb>, { lag: number }>['steps']>['lag']>().toMatchTypeOf<{ value?: number | ((s: { lag: number }) => number) } | undefined>();
  });
});
