/**
 * The DSL at run time: plans are frozen data, mistakes in plain-JS runbooks fail at build time with
 * the id / option named, building performs no I/O, durations parse, and sh interpolation is quoted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fn, http, isRunbook, notify, param, promote, runbook, RunbookDefinitionError, sh, type RunbookPlan } from 'runbook';
import { formatDuration, parseDuration } from '../../dsl/duration.js';
import { isKebabId } from '../../dsl/ids.js';
import type { RuntimeCtx, ShNode, StepNode } from '../../dsl/nodes.js';
import { makeContext } from '../../interpreter/engine/context.js';
import { placeholder } from '../../interpreter/engine/placeholder.js';
import { stepOutput } from '../../interpreter/engine/step-output.js';
import { shCommand } from '../../interpreter/render/sh-command.js';
import { shellQuote } from '../../interpreter/shell-quote.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The builder as plain JavaScript sees it: no types to stop a mistake. */
interface JsBuilder {
  phase(title: unknown): JsBuilder;
  check(id: unknown, title: unknown, action: unknown, options?: unknown): JsBuilder;
  confirm(id: unknown, question: unknown, options?: unknown): JsBuilder;
  exec(id: unknown, title: unknown, action: unknown, options?: unknown): JsBuilder;
  promote(id: unknown, title: unknown, action: unknown, options?: unknown): JsBuilder;
  notify(id: unknown, channel: unknown, message: unknown, options?: unknown): JsBuilder;
  toPlan(): RunbookPlan;
}
const jsRunbook = runbook as unknown as (id: unknown, meta: unknown) => JsBuilder;
const jsParam = param as unknown as Record<'string' | 'number' | 'boolean' | 'secret', (o?: unknown) => unknown> & { enum(values: unknown, o?: unknown): unknown };

/** Asserts `f` throws a RunbookDefinitionError whose message matches every pattern. */
function definitionError(f: () => unknown, ...patterns: RegExp[]): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a RunbookDefinitionError').toBeInstanceOf(RunbookDefinitionError);
  for (const p of patterns) expect((thrown as Error).message).toMatch(p);
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'runbook-builder-'));
  tmpDirs.push(d);
  return d;
}

describe('plans are frozen data', () => {
  const rb = runbook('frozen', {
    title: 'Frozen', description: 'All of it.', rto: '15m',
    params: { host: param.string({ default: 'db1' }), token: param.secret({ env: 'TOKEN', optional: true }) },
    lockKey: (c) => c.params.host,
  })
    .check('pre', 'Before any phase', sh`true`)
    .phase('Assess')
    .check('up', 'Is it up', http.get('http://127.0.0.1:1/health', { expectStatus: [200, 204], timeout: '2s' }), { waitUntil: { timeout: '1m' }, expect: (r) => r.ok })
    .confirm('sure', 'Sure?', { description: 'Think.', onNo: 'continue', estimate: '30s' })
    .phase('Act')
    .exec('act', 'Act', sh`systemctl stop ${(c) => c.params.host}`, { timeout: '30s', retry: { attempts: 3, interval: '2s', backoff: 2 }, estimate: 90_000, description: '**Stops** it.', parse: (o) => o.length })
    .promote('prom', 'Promote', promote.custom({ precheck: sh`true`, fence: sh`true`, action: fn(async () => 1), verify: http.get('http://127.0.0.1:1/') }))
    .notify('tell', notify.webhook('http://127.0.0.1:1/hook', { headers: { 'x-a': 'b' } }), (c) => `done ${c.params.host}`, { continueOnError: false });
  const plan = rb.toPlan();

  it('the plan, its steps, options, actions and params are frozen', () => {
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.steps)).toBe(true);
    expect(Object.isFrozen(plan.params)).toBe(true);
    for (const p of Object.values(plan.params)) expect(Object.isFrozen(p)).toBe(true);
    for (const step of plan.steps) {
      expect(Object.isFrozen(step), step.id).toBe(true);
      expect(Object.isFrozen(step.options), step.id).toBe(true);
      if (step.options.retry) expect(Object.isFrozen(step.options.retry)).toBe(true);
      if (step.options.waitUntil) expect(Object.isFrozen(step.options.waitUntil)).toBe(true);
      if (step.kind !== 'confirm') expect(Object.isFrozen(step.action), step.id).toBe(true);
    }
    const act = plan.steps.find((s) => s.id === 'act');
    expect(act?.kind === 'exec' && act.action.type === 'sh' && Object.isFrozen(act.action.parts) && Object.isFrozen(act.action.strings)).toBe(true);
    expect(() => { (plan.steps as StepNode[]).push(plan.steps[0] as StepNode); }).toThrow(TypeError);
    expect(() => { (plan as { title: string }).title = 'changed'; }).toThrow(TypeError);
  });

  it('carries the meta: id, title, description, RTO in ms, params, a lazy lockKey', () => {
    expect(plan.id).toBe('frozen');
    expect(plan.title).toBe('Frozen');
    expect(plan.description).toBe('All of it.');
    expect(plan.rtoMs).toBe(15 * 60_000);
    expect(plan.params['host']).toEqual({ type: 'string', default: 'db1' });
    expect(plan.params['token']).toEqual({ type: 'secret', env: 'TOKEN', optional: true });
    expect(plan.lockKey?.lazy).toBe(true);
    expect(isRunbook(rb)).toBe(true);
    expect(isRunbook(plan)).toBe(false);
    expect(isRunbook({ toPlan: () => plan })).toBe(false);
  });

  it('assigns phases and indexes in order', () => {
    expect(plan.steps.map((s) => [s.id, s.kind, s.phase, s.index])).toEqual([
      ['pre', 'check', undefined, 0],
      ['up', 'check', 'Assess', 1],
      ['sure', 'confirm', 'Assess', 2],
      ['act', 'exec', 'Act', 3],
      ['prom', 'promote', 'Act', 4],
      ['tell', 'notify', 'Act', 5],
    ]);
  });

  it('normalises options: durations in ms, retry defaults, estimate and description carried', () => {
    const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    expect(byId['act']?.options).toMatchObject({
      timeoutMs: 30_000, retry: { attempts: 3, intervalMs: 2000, backoff: 2 }, estimateMs: 90_000,
      description: '**Stops** it.', continueOnError: false, interactive: false,
    });
    expect(typeof byId['act']?.options.parse).toBe('function');
    expect(byId['up']?.options.waitUntil).toEqual({ timeoutMs: 60_000, intervalMs: 2000 });
    expect(byId['up']?.options.expect?.type).toBe('fn');
    expect(byId['sure']?.options).toMatchObject({ onNo: 'continue', estimateMs: 30_000, description: 'Think.' });
    expect(byId['pre']?.options.onNo).toBe('abort');
    // notifications go on by default; this one asked not to
    expect(byId['tell']?.options.continueOnError).toBe(false);
    const plain = runbook('n', { title: 'N' }).notify('n', notify.console(), 'x').exec('r', 'R', sh`true`, { retry: { attempts: 2 } }).toPlan();
    expect(plain.steps[0]?.options.continueOnError).toBe(true);
    expect(plain.steps[1]?.options.retry).toEqual({ attempts: 2, intervalMs: 1000, backoff: 1 });
  });

  it('represents expect as fn / regexp / value', () => {
    const p = runbook('e', { title: 'E' })
      .check('a', 'A', sh`true`, { expect: /ok/ })
      .check('b', 'B', sh`true`, { parse: (o) => o, expect: 'ok' })
      .check('c', 'C', sh`true`, { expect: (r) => r.ok })
      .toPlan();
    expect(p.steps.map((s) => s.options.expect?.type)).toEqual(['regexp', 'value', 'fn']);
    expect(p.steps[1]?.options.expect).toEqual({ type: 'value', value: 'ok' });
  });

  it('describes actions as data', () => {
    const byId = Object.fromEntries(plan.steps.map((s) => [s.id, s]));
    const up = byId['up'];
    expect(up?.kind === 'check' ? up.action : undefined).toMatchObject({ type: 'http', method: 'GET', expectStatus: [200, 204], timeoutMs: 2000, url: { lazy: false, value: 'http://127.0.0.1:1/health' } });
    const prom = byId['prom'];
    expect(prom?.kind === 'promote' ? prom.action : undefined).toMatchObject({ type: 'promote', driver: 'custom', precheck: { type: 'sh' }, fence: { type: 'sh' }, action: { type: 'fn', readOnly: false }, verify: { type: 'http' } });
    const tell = byId['tell'];
    expect(tell?.kind === 'notify' ? tell.action.channel : undefined).toMatchObject({ type: 'webhook', headers: { 'x-a': 'b' } });
    expect(tell?.title).toBe('Notify webhook');
  });

  it('builders are immutable: each call returns a new builder and earlier plans do not change', () => {
    const a = runbook('imm', { title: 'Imm' }).exec('a', 'A', sh`true`);
    const b = a.exec('b', 'B', sh`true`);
    const c = a.phase('Other').exec('b', 'B again', sh`false`);
    expect(a.toPlan().steps.map((s) => s.id)).toEqual(['a']);
    expect(b.toPlan().steps.map((s) => s.id)).toEqual(['a', 'b']);
    expect(c.toPlan().steps.map((s) => [s.id, s.phase])).toEqual([['a', undefined], ['b', 'Other']]);
  });
});

describe('mistakes fail at build time, from plain JS, naming what is wrong', () => {
  const ok = (): JsBuilder => jsRunbook('good', { title: 'Good' }).exec('first', 'First', sh`true`);

  it('bad runbook id or missing title', () => {
    definitionError(() => jsRunbook('Bad_Runbook', { title: 'x' }), /runbook id/, /"Bad_Runbook"/, /kebab-case/);
    definitionError(() => jsRunbook(42, { title: 'x' }), /runbook id 42/);
    definitionError(() => jsRunbook('fine', {}), /runbook "fine"/, /title/);
    definitionError(() => jsRunbook('fine', { title: '  ' }), /title/);
    definitionError(() => jsRunbook('fine', undefined), /title/);
  });

  it('bad step id names the id and the runbook', () => {
    for (const bad of ['Promote', 'promote_standby', 'promote standby', 'a--b', '-a', 'a-', '', 'db:1', 'é']) {
      definitionError(() => ok().exec(bad, 'X', sh`true`), /Bad step id in runbook "good"/, new RegExp(JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    definitionError(() => ok().confirm(7, 'Q?'), /Bad step id/, / 7:/);
    definitionError(() => ok().check(undefined, 'X', sh`true`), /Bad step id/);
    definitionError(() => ok().notify(null, notify.console(), 'x'), /Bad step id/);
    expect(isKebabId('promote-standby')).toBe(true);
    expect(isKebabId('step2-b')).toBe(true);
  });

  it('a duplicate id names the id, whatever the step kinds', () => {
    definitionError(() => ok().exec('first', 'Again', sh`true`), /Duplicate step id "first" in runbook "good"/);
    definitionError(() => ok().confirm('first', 'Again?'), /Duplicate step id "first"/);
    definitionError(() => ok().phase('Later').notify('first', notify.console(), 'x'), /Duplicate step id "first"/);
    definitionError(() => ok().exec('second', 'S', sh`true`).check('second', 'S', sh`true`), /Duplicate step id "second"/);
  });

  it('an unknown option key names the option, the step and what is allowed', () => {
    definitionError(() => ok().exec('x', 'X', sh`true`, { retries: 3 }), /step "x"/, /unknown option "retries" for a exec step/, /Allowed: .*retry/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { waitUntil: { timeout: '1m' } }), /unknown option "waitUntil"/);
    definitionError(() => ok().confirm('x', 'Q?', { timeout: '1m' }), /unknown option "timeout" for a confirm step/);
    definitionError(() => ok().notify('x', notify.console(), 'm', { parse: String }), /unknown option "parse" for a notify step/);
    definitionError(() => ok().check('x', 'X', sh`true`, { interactive: true }), /unknown option "interactive" for a check step/);
    definitionError(() => ok().exec('x', 'X', sh`true`, 'fast'), /step "x": options must be an object/);
  });

  it('a bad duration names the step and the option', () => {
    definitionError(() => ok().exec('x', 'X', sh`true`, { timeout: 'soon' }), /step "x" option "timeout"/, /"soon" is not a duration/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { timeout: -5 }), /option "timeout": -5 is not a duration/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { estimate: '5 minutes' }), /option "estimate"/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: { attempts: 2, interval: 'often' } }), /option "retry.interval"/);
    definitionError(() => ok().check('x', 'X', sh`true`, { waitUntil: { timeout: '1m', interval: {} } }), /option "waitUntil.interval": an object is not a duration/);
    definitionError(() => ok().check('x', 'X', sh`true`, { waitUntil: { timeout: true } }), /option "waitUntil.timeout"/);
    definitionError(() => jsRunbook('r', { title: 'R', rto: 'asap' }), /runbook "r" rto/);
    definitionError(() => http.get('http://x', { timeout: 'later' as never }), /http GET timeout/);
  });

  it('a bad retry or waitUntil names the step', () => {
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: { attempts: 0 } }), /step "x": retry.attempts must be a whole number ≥ 1/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: { attempts: 1.5 } }), /retry.attempts/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: {} }), /retry.attempts/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: 3 }), /retry.attempts/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { retry: { attempts: 2, backoff: 0.5 } }), /retry.backoff must be a number ≥ 1/);
    definitionError(() => ok().check('x', 'X', sh`true`, { waitUntil: { interval: '1s' } }), /step "x": waitUntil needs \{ timeout, interval\? \}/);
  });

  it('other option mistakes name the step', () => {
    definitionError(() => ok().exec('x', 'X', sh`true`, { when: true }), /step "x": option "when" must be a function/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { parse: /x/ }), /option "parse" must be a function/);
    definitionError(() => ok().exec('x', 'X', sh`true`, { description: 42 }), /description must be a string/);
    definitionError(() => ok().confirm('x', 'Q?', { onNo: 'skip' }), /step "x": onNo must be "abort" or "continue"/);
    definitionError(() => ok().exec('x', '', sh`true`), /step "x": the title/);
    definitionError(() => ok().phase(''), /phase\(title\) needs a non-empty title/);
    definitionError(() => ok().notify('x', notify.console(), 42), /notify "x": the message must be a string/);
    definitionError(() => ok().promote('x', 'X', sh`true`), /promote "x": the action must be a promotion/);
  });

  it('a bad param declaration names the param', () => {
    definitionError(() => jsRunbook('r', { title: 'R', params: { host: 'db1' } }), /runbook "r": param "host" is not a param declaration/);
    definitionError(() => jsRunbook('r', { title: 'R', params: { host: { type: 'url' } } }), /param "host" is not a param declaration/);
    definitionError(() => jsRunbook('r', { title: 'R', params: 'host' }), /params must be an object/);
    definitionError(() => jsRunbook('r', { title: 'R', params: { port: jsParam.number({ default: '5432' }) } }), /the default of param "port" must be a number, got "5432"/);
    definitionError(() => jsRunbook('r', { title: 'R', params: { on: jsParam.boolean({ default: 'yes' }) } }), /param "on" must be a boolean/);
    definitionError(() => jsRunbook('r', { title: 'R', params: { name: jsParam.string({ default: 5 }) } }), /param "name" must be a string/);
    definitionError(() => jsRunbook('r', { title: 'R', params: { token: jsParam.secret({ default: 'hunter2' }) } }), /param "token" is a secret and cannot have a default/);
    definitionError(() => jsParam.enum([]), /param.enum needs a non-empty list/);
    definitionError(() => jsParam.enum('ab'), /param.enum needs a non-empty list/);
    definitionError(() => jsParam.enum(['a', 'b'], { default: 'c' }), /"c" is not one of a, b/);
  });

  it('things that are not actions or channels are refused with the step named', () => {
    expect(() => ok().exec('x', 'X', 'rm -rf /tmp/x')).toThrow(/exec "x": expected an action .* got the string "rm -rf \/tmp\/x"/);
    expect(() => ok().check('x', 'X', undefined)).toThrow(/check "x": expected an action/);
    expect(() => ok().notify('x', 'console', 'm')).toThrow(/expected a channel/);
    expect(() => (sh as unknown as (s: string) => unknown)('true')).toThrow(/sh is a tagged template/);
    expect(() => (fn as unknown as (x: unknown) => unknown)('code')).toThrow(/fn\(…\) needs a function/);
    expect(() => (promote.custom as unknown as (x: unknown) => unknown)({ precheck: sh`true`, action: sh`true` })).toThrow(/"verify" is required/);
  });
});

describe('building performs no I/O and evaluates nothing lazy', () => {
  it('no lazy function is called while building or producing the plan', () => {
    const lazy = vi.fn(() => 'x');
    const lazyBool = vi.fn(() => true);
    const body = vi.fn(async () => 1);
    const rb = runbook('lazy', { title: 'Lazy', params: { a: param.string({ default: 'a' }) }, lockKey: lazy })
      .check('c', 'C', sh`echo ${lazy} ${sh.raw(lazy)}`, { expect: lazyBool, parse: lazy, when: lazyBool })
      .exec('f', 'F', fn(body), { when: lazyBool })
      .exec('h', 'H', http.post(lazy, { body: lazy }))
      .promote('p', 'P', promote.custom({ precheck: sh`${lazy}`, fence: fn(body), action: http.get(lazy), verify: fn(body) }))
      .notify('n1', notify.file(lazy), lazy)
      .notify('n2', notify.webhook(lazy), lazy);
    rb.toPlan();
    rb.toPlan();
    expect(lazy).not.toHaveBeenCalled();
    expect(lazyBool).not.toHaveBeenCalled();
    expect(body).not.toHaveBeenCalled();
  });

  it('building does not read the environment', () => {
    const reads: string[] = [];
    const realEnv = process.env;
    process.env = new Proxy(realEnv, {
      get(t, k) {
        if (typeof k === 'string') reads.push(k);
        return Reflect.get(t, k);
      },
    });
    try {
      runbook('env', { title: 'Env', params: { token: param.secret({ env: 'TOKEN' }), host: param.string({ env: 'HOST', default: 'h' }) } })
        .exec('a', 'A', sh`echo ${(c) => c.params.host}`)
        .notify('b', notify.webhook((c) => c.params.token), 'hi')
        .toPlan();
    } finally {
      process.env = realEnv;
    }
    expect(reads).toEqual([]);
  });

  it('importing the DSL bundle and building a runbook loads no process, network or DNS module', () => {
    const script = `
      const m = await import(${JSON.stringify(join(ROOT, 'dist', 'dsl.js'))});
      const rb = m.runbook('iso', { title: 'Iso', params: { h: m.param.string({ default: 'x' }) } })
        .check('a', 'A', m.sh\`ping -c1 \${(c) => c.params.h}\`)
        .exec('b', 'B', m.http.post('http://127.0.0.1:1/', { body: { a: 1 } }))
        .notify('n', m.notify.webhook('http://127.0.0.1:1/'), 'x');
      rb.toPlan();
      const loaded = process.moduleLoadList.filter((x) => /^NativeModule (child_process|net|http|https|http2|dns|tls|dgram)$/.test(x));
      process.stdout.write(JSON.stringify(loaded));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});

describe('durations', () => {
  it('parses numbers (ms) and unit strings', () => {
    expect(parseDuration(0, 't')).toBe(0);
    expect(parseDuration(250, 't')).toBe(250);
    expect(parseDuration('500ms', 't')).toBe(500);
    expect(parseDuration('30s', 't')).toBe(30_000);
    expect(parseDuration('1.5s', 't')).toBe(1500);
    expect(parseDuration('5m', 't')).toBe(300_000);
    expect(parseDuration('2h', 't')).toBe(7_200_000);
    expect(parseDuration('1h30m', 't')).toBe(5_400_000);
    expect(parseDuration('1m30s250ms', 't')).toBe(90_250);
    expect(parseDuration(' 2m ', 't')).toBe(120_000);
  });

  it('rejects what is not a duration, naming what was being parsed', () => {
    for (const bad of ['', 'soon', '5', '5x', '5m soon', 'm5', '5 m', '-5s']) {
      definitionError(() => parseDuration(bad, 'step "s" option "timeout"'), /step "s" option "timeout"/, /is not a duration/);
    }
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      definitionError(() => parseDuration(bad, 'rto'), /^rto: .* is not a duration/);
    }
    definitionError(() => parseDuration(null as never, 'rto'), /rto: null is not a duration/);
  });

  it('formats for people', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1500)).toBe('1.50s');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(3_600_000)).toBe('1h00m');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(formatDuration(parseDuration('1h30m', 't'))).toBe('1h30m');
  });
});

describe('sh interpolation is shell-quoted', () => {
  const run = { id: 'r', runbookId: 'q', mode: 'live' as const, operator: 'op', startedAt: new Date(0).toISOString() };
  const ctx = (params: Record<string, unknown> = {}) => makeContext(params, new Map(), run, 'live');
  const shNode = (action: unknown): ShNode => {
    const step = runbook('q', { title: 'Q' }).exec('s', 'S', action as ReturnType<typeof sh>).toPlan().steps[0];
    if (step?.kind !== 'exec' || step.action.type !== 'sh') throw new Error('not an sh step');
    return step.action;
  };
  /** Runs the command with /bin/sh and returns what it printed. */
  const runSh = (command: string, cwd: string): string => execFileSync('/bin/sh', ['-c', command], { cwd, encoding: 'utf8' });

  const attacks = [
    '; rm -rf /',
    '$(touch pwned)',
    '`touch pwned`',
    "it's; touch pwned",
    '"; touch pwned; echo "',
    "'; touch pwned; echo '",
    '$HOME ${PATH} $((1+1))',
    'a && touch pwned || touch pwned',
    'x | tee pwned',
    '> pwned',
    '* ? [a]',
    'line1\nline2; touch pwned',
    'back\\slash\\; touch pwned',
    '\t spaced  out \t',
    '',
    '-rf',
    '~root',
    'ünïcødé ✓',
  ];

  it('shellQuote leaves safe words bare and single-quotes the rest', () => {
    expect(shellQuote('db1.example.com:5432')).toBe('db1.example.com:5432');
    expect(shellQuote('/etc/patroni/pg1.yml')).toBe('/etc/patroni/pg1.yml');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(id)')).toBe("'$(id)'");
  });

  it.each(attacks)('%j arrives as one literal argument and runs nothing', (attack) => {
    const dir = tmp();
    const node = shNode(sh`printf '[%s]' ${(c: RuntimeCtx) => c.params['v'] as string}`);
    const command = shCommand(node, ctx({ v: attack }));
    expect(runSh(command, dir)).toBe(`[${attack}]`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    // the same through a constant interpolation and through an array element
    expect(runSh(shCommand(shNode(sh`printf '[%s]' ${attack}`), ctx()), dir)).toBe(`[${attack}]`);
    expect(runSh(shCommand(shNode(sh`printf '[%s]' ${['first', attack]}`), ctx()), dir)).toBe(`[first][${attack}]`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('arrays become several quoted words; numbers, booleans and bigints are bare words', () => {
    const dir = tmp();
    const cmd = shCommand(shNode(sh`printf '[%s]' ${['a b', 'c;d', '']} ${42} ${-1.5} ${true} ${10n}`), ctx());
    expect(cmd).toBe(`printf '[%s]' 'a b' 'c;d' '' 42 -1.5 true 10`);
    expect(runSh(cmd, dir)).toBe('[a b][c;d][][42][-1.5][true][10]');
    expect(shCommand(shNode(sh`echo ${[]}`), ctx())).toBe('echo ');
  });

  it('an output of an earlier step is quoted like a param', () => {
    const dir = tmp();
    const node = shNode(sh`printf '[%s]' ${(c: RuntimeCtx) => String(c.steps['prev']?.value ?? '')}`);
    const outputs = new Map([['prev', stepOutput('ok', 1, 'x; touch pwned', null)]]);
    const command = shCommand(node, makeContext({}, outputs, run, 'live'));
    expect(runSh(command, dir)).toBe('[x; touch pwned]');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('sh.raw is inserted unquoted, constant or lazy', () => {
    const dir = tmp();
    const cmd = shCommand(shNode(sh`printf '[%s]' ${sh.raw('a b')} ${sh.raw(() => '$((2+3))')} ${'$((2+3))'}`), ctx());
    expect(cmd).toBe(`printf '[%s]' a b $((2+3)) '$((2+3))'`);
    expect(runSh(cmd, dir)).toBe('[a][b][5][$((2+3))]');
  });

  it('refuses values that have no single-word meaning', () => {
    const c = ctx();
    expect(() => shCommand(shNode(sh`echo ${() => undefined as unknown as string}`), c)).toThrow(/value #1 interpolated into a command is undefined; .* \?\? 'default'/);
    expect(() => shCommand(shNode(sh`echo ${'ok'} ${() => null as unknown as string}`), c)).toThrow(/value #2 .* is null/);
    expect(() => shCommand(shNode(sh`echo ${() => ({ a: 1 }) as unknown as string}`), c)).toThrow(/is an object/);
    expect(() => shCommand(shNode(sh`echo ${() => { throw new Error('boom'); }}`), c)).toThrow(/value #1 in sh`echo \$\{…\}`: boom/);
  });

  it('dry-run placeholders are rendered, not quoted', () => {
    const cmd = shCommand(shNode(sh`promote ${() => placeholder('steps.leader.value') as string} ${'a b'}`), ctx());
    expect(cmd).toBe(`promote <steps.leader.value> 'a b'`);
  });
});

describe('promote steps do not retry', () => {
  it('refuses retry on a promote, at compile time and at build time, saying why', () => {
    const p = promote.custom({ precheck: sh`true`, fence: sh`true`, action: sh`true`, verify: sh`true` });
    expect(() =>
      runbook('p', { title: 'P' })
        // @ts-expect-error a retry would fence and promote again
        .promote('promote-standby', 'Promote', p, { retry: { attempts: 2 } }),
    ).toThrow(/promote-standby.*cannot retry: a retry would fence and promote again/);
  });
});
