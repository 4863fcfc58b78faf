/**
 * Type-level tests for the DSL. The `// @ts-expect-error` lines must keep failing to compile:
 * `npm test` runs `tsc --noEmit` over this file, so if one of them starts compiling the suite fails.
 * Runtime assertions below check that what the types promise is what the engine delivers.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  fn,
  http,
  notify,
  param,
  promote,
  runbook,
  sh,
  type ConfirmResult,
  type ExecResult,
  type HttpResult,
  type NotifyResult,
  type ParamValues,
  type PromoteResult,
  type RunbookBuilder,
  RunbookDefinitionError,
  type StepStatus,
} from 'runbook';
import type { CheckNewId } from '../../dsl/ids.js';
import type { RuntimeCtx } from '../../dsl/nodes.js';
import { runEngine } from '../../interpreter/engine/engine.js';
import { noPrompter } from '../../interpreter/engine/prompter.js';
import type { EventBody } from '../../interpreter/events.js';
import { liveMode } from '../../interpreter/modes/index.js';

/** The type of `c.steps` a builder gives the next step. */
type StepsOf<B> = B extends RunbookBuilder<infer _PS, infer S> ? S : never;
/** The type of `c.params` a builder gives its steps. */
type ParamsOf<B> = B extends RunbookBuilder<infer PS, infer _S> ? ParamValues<PS> : never;

const rb = runbook('types-demo', {
  title: 'Types demo',
  rto: '5m',
  params: {
    host: param.string({ default: 'db1' }),
    port: param.number(),
    dryish: param.boolean({ default: false }),
    level: param.enum(['low', 'high']),
    label: param.string({ optional: true }),
    region: param.string({ optional: true, default: 'eu' }),
    token: param.secret({ env: 'TOKEN' }),
    hook: param.secret({ env: 'HOOK', optional: true }),
    count: param.number({ optional: true }),
    flag: param.boolean({ optional: true }),
    tier: param.enum(['a', 'b', 'c'], { default: 'b' }),
  },
})
  .phase('Assess')
  .check('standby-up', 'Standby answers', sh`pg_isready -h ${(c) => c.params.host} -p ${(c) => c.params.port}`, {
    expect: (r, c) => {
      expectTypeOf(r).toEqualTypeOf<ExecResult>();
      expectTypeOf(c.params.port).toEqualTypeOf<number>();
      return r.exitCode === 0;
    },
  })
  .exec('leader', 'Show the leader', sh`patronictl list`, {
    parse: (out, result) => {
      expectTypeOf(out).toEqualTypeOf<string>();
      expectTypeOf(result).toEqualTypeOf<ExecResult>();
      return /Leader\s+(\S+)/.exec(out)?.[1];
    },
    expect: (v) => {
      expectTypeOf(v).toEqualTypeOf<string | undefined>();
      return v !== undefined;
    },
  })
  .exec('lag', 'Replication lag', sh`echo 12`, { parse: (out) => Number(out), expect: (n) => n < 1_000_000 })
  .check('health', 'Health endpoint', http.get((c) => `http://${c.params.host}/health`), {
    expect: (r) => {
      expectTypeOf(r).toEqualTypeOf<HttpResult>();
      return r.status === 200 || r.error?.code === 'ECONNREFUSED';
    },
  })
  .exec('double', 'Compute', fn(async (c) => {
    expectTypeOf(c.steps.lag.value).toEqualTypeOf<number>();
    return { doubled: c.steps.lag.value * 2, who: c.steps.leader.value ?? 'none' };
  }))
  .confirm('primary-down', 'Is the primary really down?')
  .phase('Fail over')
  .promote('promote-standby', 'Promote', promote.custom({
    precheck: sh`pg_isready -h ${(c) => c.params.host}`,
    action: fn(async (c) => c.steps['primary-down'].value),
    verify: http.get((c) => `http://${c.params.host}/primary`),
  }))
  .notify('tell', notify.console(), (c) => `leader ${c.steps.leader.value ?? '?'} promoted=${String(c.steps['promote-standby'].value.ok)}`);

describe('c.steps is typed by each earlier step', () => {
  type S = StepsOf<typeof rb>;

  it('sh steps expose value (the ExecResult without parse), stdout, stderr, exitCode, durationMs', () => {
    expectTypeOf<S['standby-up']['value']>().toEqualTypeOf<ExecResult>();
    expectTypeOf<S['standby-up']['result']>().toEqualTypeOf<ExecResult>();
    expectTypeOf<S['standby-up']['stdout']>().toEqualTypeOf<string>();
    expectTypeOf<S['standby-up']['stderr']>().toEqualTypeOf<string>();
    expectTypeOf<S['standby-up']['exitCode']>().toEqualTypeOf<number | null>();
    expectTypeOf<S['standby-up']['durationMs']>().toEqualTypeOf<number>();
    expectTypeOf<S['standby-up']['status']>().toEqualTypeOf<StepStatus>();
    expectTypeOf<S['standby-up']['ok']>().toEqualTypeOf<boolean>();
  });

  it('parse decides value; the raw result stays available', () => {
    expectTypeOf<S['leader']['value']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<S['leader']['result']>().toEqualTypeOf<ExecResult>();
    expectTypeOf<S['leader']['stdout']>().toEqualTypeOf<string>();
    expectTypeOf<S['lag']['value']>().toEqualTypeOf<number>();
  });

  it('fn steps carry the function’s (awaited) return type and no stdout', () => {
    expectTypeOf<S['double']['value']>().toEqualTypeOf<{ doubled: number; who: string }>();
    expectTypeOf<S['double']>().not.toHaveProperty('stdout');
    expectTypeOf<S['double']>().not.toHaveProperty('exitCode');
  });

  it('confirm is a boolean with the answer record as result', () => {
    expectTypeOf<S['primary-down']['value']>().toEqualTypeOf<boolean>();
    expectTypeOf<S['primary-down']['result']>().toEqualTypeOf<ConfirmResult>();
  });

  it('http, promote and notify results', () => {
    expectTypeOf<S['health']['value']>().toEqualTypeOf<HttpResult>();
    expectTypeOf<S['health']['value']['status']>().toEqualTypeOf<number | null>();
    expectTypeOf<S['health']['value']['error']>().toEqualTypeOf<{ readonly code: string; readonly message: string } | undefined>();
    expectTypeOf<S['promote-standby']['value']>().toEqualTypeOf<PromoteResult>();
    expectTypeOf<S['tell']['value']>().toEqualTypeOf<NotifyResult>();
  });

  it('a step sees exactly the steps before it', () => {
    runbook('order', { title: 'Order' })
      .exec('first', 'First', sh`true`)
      .exec('second', 'Second', fn((c) => {
        expectTypeOf(c.steps).toHaveProperty('first');
        expectTypeOf(c.steps).not.toHaveProperty('second');
        expectTypeOf(c.steps).not.toHaveProperty('third');
        return 1;
      }))
      .exec('third', 'Third', fn((c) => {
        expectTypeOf(c.steps).toHaveProperty('first');
        expectTypeOf(c.steps).toHaveProperty('second');
        expectTypeOf(c.steps.second.value).toEqualTypeOf<number>();
        return 'x';
      }));
    expectTypeOf<keyof StepsOf<ReturnType<typeof rb.phase>>>().toEqualTypeOf<
      'standby-up' | 'leader' | 'lag' | 'health' | 'double' | 'primary-down' | 'promote-standby' | 'tell'
    >();
  });

  it('the first step sees no steps at all', () => {
    runbook('empty', { title: 'Empty' }).exec('only', 'Only', fn((c) => {
      expectTypeOf<keyof typeof c.steps>().toBeNever();
      return 0;
    }));
  });
});

describe('references to unknown or later steps do not compile', () => {
  it('unknown step id, dot and bracket access', () => {
    runbook('bad-refs', { title: 'Bad refs' })
      .exec('a', 'A', sh`true`)
      // @ts-expect-error "nope" is not a step of this runbook
      .exec('b', 'B', sh`echo ${(c) => c.steps.nope.value}`)
      // @ts-expect-error bracket access to an unknown step
      .exec('c', 'C', sh`echo ${(c) => c.steps['no-such-step'].stdout}`);
  });

  it('a later step cannot be read before it runs', () => {
    runbook('later', { title: 'Later' })
      // @ts-expect-error "later-step" comes after this one
      .exec('early', 'Early', sh`echo ${(c) => c.steps['later-step'].value}`)
      .exec('later-step', 'Later', sh`true`);
    runbook('later-fn', { title: 'Later fn' })
      // @ts-expect-error a fn step cannot read a later step either
      .exec('early', 'Early', fn(async (c) => c.steps.late.value))
      .exec('late', 'Late', sh`true`);
    runbook('later-notify', { title: 'Later notify' })
      // @ts-expect-error notify messages see only earlier steps too
      .notify('tell', notify.console(), (c) => `${c.steps.after.value}`)
      .exec('after', 'After', sh`true`);
    runbook('later-expect', { title: 'Later expect' })
      // @ts-expect-error expect's context sees only earlier steps
      .check('probe', 'Probe', sh`true`, { expect: (_r, c) => c.steps.after.ok })
      .exec('after', 'After', sh`true`);
    runbook('later-when', { title: 'Later when' })
      // @ts-expect-error when's context sees only earlier steps
      .exec('first', 'First', sh`true`, { when: (c) => c.steps.second.ok })
      .exec('second', 'Second', sh`true`);
  });

  it('a step cannot read its own output', () => {
    runbook('self', { title: 'Self' })
      // @ts-expect-error a step is not yet in c.steps while it runs
      .exec('me', 'Me', sh`echo ${(c) => c.steps.me.stdout}`);
  });

  it('properties a step kind does not have are errors', () => {
    runbook('props', { title: 'Props' })
      .exec('f', 'F', fn(async () => 1))
      // @ts-expect-error fn steps have no stdout
      .exec('g', 'G', sh`echo ${(c) => c.steps.f.stdout}`)
      // @ts-expect-error the value of f is a number, not a string
      .exec('h', 'H', fn(async (c): Promise<string> => c.steps.f.value));
  });
});

describe('step ids', () => {
  it('a duplicate id does not compile, and the message says why', () => {
    const b = runbook('dups', { title: 'Dups' }).exec('x', 'X', sh`true`).exec('y', 'Y', sh`true`);
    expect(() =>
      // @ts-expect-error duplicate id "x"
      b.exec('x', 'again', sh`true`),
    ).toThrow(/Duplicate step id "x" in runbook "dups"/);
    expect(() =>
      // @ts-expect-error duplicate id via another step kind
      b.confirm('y', 'again?'),
    ).toThrow(/Duplicate step id "y"/);
    expect(() =>
      // @ts-expect-error duplicate id via check
      b.check('x', 'again', sh`true`),
    ).toThrow(/Duplicate step id "x"/);
    expect(() =>
      // @ts-expect-error duplicate id via notify
      b.notify('y', notify.console(), 'again'),
    ).toThrow(/Duplicate step id "y"/);
    expect(() =>
      // @ts-expect-error duplicate id via promote
      b.promote('x', 'again', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` })),
    ).toThrow(/Duplicate step id "x"/);

    type DupParam = Parameters<typeof b.exec<'x', ExecResult>>[0];
    expectTypeOf<DupParam>().toEqualTypeOf<'ERROR: step id "x" is already used in this runbook; step ids must be unique'>();
    expectTypeOf<CheckNewId<'x', { x: unknown }>>().toEqualTypeOf<'ERROR: step id "x" is already used in this runbook; step ids must be unique'>();
    expectTypeOf<CheckNewId<'fresh-id', { x: unknown }>>().toEqualTypeOf<'fresh-id'>();
    // a non-literal id cannot be checked at compile time; the build-time check catches it
    expectTypeOf<CheckNewId<string, { x: unknown }>>().toEqualTypeOf<string>();
  });

  it('non-kebab literal ids do not compile', () => {
    const b = runbook('names', { title: 'Names' });
    expect(() =>
      // @ts-expect-error upper case
      b.exec('Bad', 'B', sh`true`),
    ).toThrow(/Bad step id .*"Bad"/);
    expect(() =>
      // @ts-expect-error underscore
      b.exec('bad_id', 'B', sh`true`),
    ).toThrow(/"bad_id"/);
    expect(() =>
      // @ts-expect-error space
      b.exec('bad id', 'B', sh`true`),
    ).toThrow(/"bad id"/);
    expect(() =>
      // @ts-expect-error dot
      b.exec('bad.id', 'B', sh`true`),
    ).toThrow(/"bad.id"/);
    expect(() =>
      // @ts-expect-error slash
      b.exec('bad/id', 'B', sh`true`),
    ).toThrow(/"bad\/id"/);
    expect(() =>
      // @ts-expect-error leading dash
      b.exec('-bad', 'B', sh`true`),
    ).toThrow(/"-bad"/);
    expect(() =>
      // @ts-expect-error trailing dash
      b.exec('bad-', 'B', sh`true`),
    ).toThrow(/"bad-"/);
    expect(() =>
      // @ts-expect-error camelCase on a confirm
      b.confirm('primaryDown', 'Down?'),
    ).toThrow(/"primaryDown"/);
    expect(() =>
      // @ts-expect-error double dash
      b.exec('bad--id', 'B', sh`true`),
    ).toThrow(/"bad--id"/);
    expect(() =>
      // @ts-expect-error other punctuation
      b.exec('db:primary', 'B', sh`true`),
    ).toThrow(/"db:primary"/);
    expect(() =>
      // @ts-expect-error empty
      b.exec('', 'B', sh`true`),
    ).toThrow(RunbookDefinitionError);
    expectTypeOf<CheckNewId<'Bad_Id', Record<never, never>>>().toEqualTypeOf<'ERROR: step id "Bad_Id" must be kebab-case (lowercase words joined by single dashes)'>();
    // good ids compile
    b.exec('promote-standby', 'ok', sh`true`).exec('step2', 'ok', sh`true`).exec('a-1-b', 'ok', sh`true`);
  });
});

describe('params are typed from their declarations', () => {
  type P = ParamsOf<typeof rb>;

  it('string / number / boolean / enum / secret', () => {
    expectTypeOf<P['host']>().toEqualTypeOf<string>();
    expectTypeOf<P['port']>().toEqualTypeOf<number>();
    expectTypeOf<P['dryish']>().toEqualTypeOf<boolean>();
    expectTypeOf<P['level']>().toEqualTypeOf<'low' | 'high'>();
    expectTypeOf<P['tier']>().toEqualTypeOf<'a' | 'b' | 'c'>();
    expectTypeOf<P['token']>().toEqualTypeOf<string>();
  });

  it('optional adds undefined; a default removes it again', () => {
    expectTypeOf<P['label']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<P['count']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<P['flag']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<P['hook']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<P['region']>().toEqualTypeOf<string>();
  });

  it('params are read-only and unknown params are errors', () => {
    runbook('p', { title: 'P', params: { n: param.number({ default: 1 }), e: param.enum(['x', 'y']) } })
      .exec('a', 'A', fn((c) => {
        // @ts-expect-error params cannot be assigned
        c.params.n = 2;
        // @ts-expect-error unknown param
        return c.params.missing;
      }))
      .exec('b', 'B', fn((c) => {
        // @ts-expect-error enum values are a closed union
        const z: 'z' = c.params.e;
        return z;
      }))
      // @ts-expect-error an optional value must be handled before it is interpolated
      .exec('c', 'C', sh`echo ${(c) => c.params.n === 1 ? undefined : 'x'}`);
  });

  it('declaration mistakes are compile errors too (and build errors from plain JS)', () => {
    expect(() => runbook('decl', { title: 'Decl', params: {
      // @ts-expect-error the default of a number param is a number
      n: param.number({ default: '5' }),
    } })).toThrow(/param "n" must be a number/);
    expect(() =>
      // @ts-expect-error the default of an enum must be one of its values
      param.enum(['a', 'b'], { default: 'c' }),
    ).toThrow(/"c" is not one of a, b/);
    expect(() => runbook('decl', { title: 'Decl', params: {
      // @ts-expect-error secrets have no default (they must come from env or -p)
      token: param.secret({ default: 'hunter2' }),
    } })).toThrow(/param "token" is a secret and cannot have a default/);
  });

  it('a runbook without params has an empty params object', () => {
    runbook('none', { title: 'None' }).exec('a', 'A', fn((c) => {
      expectTypeOf<keyof typeof c.params>().toBeNever();
      return 0;
    }));
  });
});

describe('expect, parse and lazy values', () => {
  it('expect sees the parsed value with parse, the result without', () => {
    runbook('exp', { title: 'Exp' })
      .check('a', 'A', sh`echo 3`, { parse: (o) => Number(o), expect: (n, c) => {
        expectTypeOf(n).toEqualTypeOf<number>();
        expectTypeOf(c.run.mode).toEqualTypeOf<'live' | 'dry-run' | 'probe' | 'simulate'>();
        return n === 3;
      } })
      .check('b', 'B', sh`true`, { expect: (r) => {
        expectTypeOf(r).toEqualTypeOf<ExecResult>();
        return r.ok;
      } })
      .exec('c', 'C', fn(async () => ({ role: 'primary' as const })), { expect: (v) => {
        expectTypeOf(v).toEqualTypeOf<{ role: 'primary' }>();
        return v.role === 'primary';
      } })
      .promote('d', 'D', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` }), { expect: (r) => {
        expectTypeOf(r).toEqualTypeOf<PromoteResult>();
        return r.ok;
      } });
  });

  it('expect as a RegExp or as a value of the parsed type', () => {
    runbook('exp2', { title: 'Exp2' })
      .check('a', 'A', sh`echo ready`, { expect: /ready/ })
      .check('b', 'B', sh`echo ok`, { parse: (o) => o.trim(), expect: 'ok' })
      .check('c', 'C', sh`echo 3`, { parse: (o) => Number(o), expect: 3 })
      // @ts-expect-error the expected value must have the parsed type
      .check('d', 'D', sh`echo 3`, { parse: (o) => Number(o), expect: 'three' })
      // @ts-expect-error a predicate must take the parsed type
      .check('e', 'E', sh`echo 3`, { parse: (o) => Number(o), expect: (v: string) => v === '3' });
  });

  it('lazy values inside sh templates are typed from the runbook', () => {
    runbook('lazy', { title: 'Lazy', params: { svc: param.string({ default: 'nginx' }), n: param.number({ default: 2 }), names: param.enum(['a', 'b']) } })
      .exec('x', 'X', sh`systemctl restart ${(c) => {
        expectTypeOf(c.params.svc).toEqualTypeOf<string>();
        expectTypeOf(c.params.names).toEqualTypeOf<'a' | 'b'>();
        expectTypeOf(c.run.operator).toEqualTypeOf<string>();
        return c.params.svc;
      }} ${(c) => c.params.n + 1} ${['-a', '-b']} ${(c) => [c.params.svc, c.params.n]} ${true} ${7}`)
      .exec('y', 'Y', sh`echo ${(c) => c.steps.x.exitCode ?? -1}`)
      // @ts-expect-error objects cannot be interpolated into a command
      .exec('z', 'Z', sh`echo ${(c) => ({ svc: c.params.svc })}`);
  });

  it('sh.raw is the explicit raw fragment, constant or lazy and typed', () => {
    const raw = sh.raw('--verbose --color=never');
    runbook('raw', { title: 'Raw', params: { flags: param.string({ default: '-la' }) } })
      .exec('a', 'A', sh`ls ${raw} ${sh.raw((c) => {
        expectTypeOf(c.params.flags).toEqualTypeOf<string>();
        return c.params.flags;
      })}`)
      .exec('b', 'B', sh`ls ${sh.raw((c) => `${c.steps.a.exitCode ?? 0}`)}`)
      // @ts-expect-error sh.raw's context is the runbook's: unknown params are errors
      .exec('c', 'C', sh`ls ${sh.raw((c) => c.params.nope)}`)
      // @ts-expect-error sh.raw takes a string (or c => string), not a number
      .exec('d', 'D', sh`ls ${sh.raw((c) => c.params.flags.length)}`);
  });

  it('notify messages and channels are c => string', () => {
    runbook('msg', { title: 'Msg', params: { hook: param.string({ default: 'http://127.0.0.1:1/x' }), dir: param.string({ default: '/tmp' }) } })
      .exec('a', 'A', sh`true`)
      .notify('n1', notify.console(), 'plain string')
      .notify('n2', notify.file((c) => `${c.params.dir}/log`), (c) => {
        expectTypeOf(c.steps.a.exitCode).toEqualTypeOf<number | null>();
        return `a exited ${c.steps.a.exitCode}`;
      })
      .notify('n3', notify.webhook((c) => c.params.hook), (c) => `n2 ${c.steps.n2.value.ok}`)
      // @ts-expect-error the message must be a string
      .notify('n4', notify.console(), (c) => c.steps.a.exitCode)
      // @ts-expect-error a channel path must be a string
      .notify('n5', notify.file((c) => c.steps.a.exitCode), 'x');
  });

  it('actions and options reject wrong shapes', () => {
    const b = runbook('shapes', { title: 'Shapes' });
    expect(() =>
      // @ts-expect-error sh must be used as a tagged template
      b.exec('a', 'A', sh('true')),
    ).toThrow(/tagged template/);
    expect(() =>
      // @ts-expect-error a plain string is not an action
      b.exec('a', 'A', 'true'),
    ).toThrow(/expected an action/);
    expect(() =>
      // @ts-expect-error unknown option
      b.exec('a', 'A', sh`true`, { retries: 3 }),
    ).toThrow(/unknown option "retries"/);
    expect(() =>
      // @ts-expect-error waitUntil belongs to checks only
      b.exec('a', 'A', sh`true`, { waitUntil: { timeout: '1m' } }),
    ).toThrow(/unknown option "waitUntil" for a exec step/);
    expect(() =>
      // @ts-expect-error a duration is a number or a string with a unit
      b.exec('a', 'A', sh`true`, { timeout: 'soon' }),
    ).toThrow(/step "a" option "timeout": "soon" is not a duration/);
    expect(() =>
      // @ts-expect-error confirm takes no action
      b.confirm('a', 'Q?', { timeout: '1m' }),
    ).toThrow(/unknown option "timeout" for a confirm step/);
    expect(() =>
      // @ts-expect-error promote needs a promotion, not any action
      b.promote('a', 'A', sh`true`),
    ).toThrow(/the action must be a promotion/);
    expect(() =>
      // @ts-expect-error onNo is abort or continue
      b.confirm('a', 'Q?', { onNo: 'skip' }),
    ).toThrow(/onNo must be/);
    b.exec('ok', 'A', sh`true`, { timeout: '30s', retry: { attempts: 3, interval: '1s', backoff: 2 }, continueOnError: true, estimate: 1500, description: '**md**', interactive: true, when: (c) => c.run.mode === 'live' });
    b.check('ok', 'A', sh`true`, { waitUntil: { timeout: '1m', interval: '5s' } });
  });
});

describe('runtime agrees with the types', () => {
  it('a live run hands later steps exactly the typed shapes', async () => {
    const seen: Record<string, unknown> = {};
    const plan = runbook('agree', { title: 'Agree', params: { n: param.number({ default: 20 }), who: param.string({ optional: true }) } })
      .exec('echo', 'Echo', sh`echo ${(c) => c.params.n}`, { parse: (o) => Number(o) })
      .exec('raw', 'Raw', sh`printf '%s\n' ${(c) => c.params.who ?? 'nobody'}`)
      .exec('calc', 'Calc', fn(async (c) => ({ twice: c.steps.echo.value * 2 })))
      .exec('look', 'Look', fn(async (c) => {
        seen['echo.value'] = c.steps.echo.value;
        seen['echo.stdout'] = c.steps.echo.stdout;
        seen['echo.exitCode'] = c.steps.echo.exitCode;
        seen['echo.durationMs'] = typeof c.steps.echo.durationMs;
        seen['raw.value'] = c.steps.raw.value.stdout;
        seen['calc.value'] = c.steps.calc.value;
        seen['calc.hasStdout'] = 'stdout' in c.steps.calc;
        seen['who'] = c.params.who;
        return true;
      }))
      .toPlan();
    const events: EventBody[] = [];
    const r = await runEngine({
      plan, mode: await liveMode(), params: { n: 20, who: undefined },
      run: { id: 'r1', runbookId: 'agree', mode: 'live', operator: 'tester', startedAt: new Date().toISOString() },
      prompter: noPrompter, emit: (e) => events.push(e), redact: (s) => s, signal: new AbortController().signal, yes: false, runStartedAtMs: Date.now(),
    });
    expect(r).toEqual({ status: 'done', exitCode: 0 });
    expect(seen).toEqual({
      'echo.value': 20, 'echo.stdout': '20', 'echo.exitCode': 0, 'echo.durationMs': 'number',
      'raw.value': 'nobody', 'calc.value': { twice: 40 }, 'calc.hasStdout': false, who: undefined,
    });
  });

  it('param declarations are frozen data with the declared shape', () => {
    const p = param.enum(['a', 'b'], { default: 'a', env: 'LEVEL', description: 'level' });
    expect(Object.isFrozen(p)).toBe(true);
    expect(p).toEqual({ type: 'enum', values: ['a', 'b'], default: 'a', env: 'LEVEL', description: 'level' });
    expect(param.secret({ env: 'T', optional: true })).toEqual({ type: 'secret', env: 'T', optional: true });
  });

  it('the runtime context type used by the engine is the untyped view of the same object', () => {
    expectTypeOf<RuntimeCtx['params']>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
    expectTypeOf<RuntimeCtx['run']['mode']>().toEqualTypeOf<'live' | 'dry-run' | 'probe' | 'simulate'>();
  });
});
