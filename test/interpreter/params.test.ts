/** Params are resolved and validated before any step runs: -p, then env, then restored, then default. */
import { describe, expect, it } from 'vitest';
import { param, type ParamSpec } from 'runbook';
import { EXIT, UsageError } from '../../interpreter/errors.js';
import { parseParamFlags, resolveParams } from '../../interpreter/params.js';
import { REDACTED } from '../../interpreter/redact.js';

const specs: Readonly<Record<string, ParamSpec>> = {
  host: param.string({ default: 'db1', env: 'PG_HOST', description: 'database host' }),
  port: param.number({ default: 5432, env: 'PG_PORT' }),
  force: param.boolean({ default: false }),
  level: param.enum(['low', 'high'], { default: 'low' }),
  note: param.string({ optional: true }),
  token: param.secret({ env: 'PG_TOKEN', description: 'API token' }),
  hook: param.secret({ env: 'HOOK_URL', optional: true }),
};

/** Expects a UsageError (exit 2) whose message matches every pattern; returns the message. */
function usageError(f: () => unknown, ...patterns: RegExp[]): string {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a UsageError').toBeInstanceOf(UsageError);
  expect((thrown as UsageError).exitCode).toBe(EXIT.usage);
  const message = (thrown as Error).message;
  for (const p of patterns) expect(message).toMatch(p);
  return message;
}

describe('resolveParams', () => {
  it('uses declared defaults when nothing is given', () => {
    const r = resolveParams('pg', specs, { token: 's3cret' }, {}, 'live');
    expect(r.values).toEqual({ host: 'db1', port: 5432, force: false, level: 'low', note: undefined, token: 's3cret', hook: undefined });
    expect(Object.isFrozen(r.values)).toBe(true);
  });

  it('reads env when no -p is given; -p wins over env; env wins over the default', () => {
    const env = { PG_HOST: 'db-env', PG_PORT: '6432', PG_TOKEN: 'from-env' };
    const fromEnv = resolveParams('pg', specs, {}, env, 'live');
    expect(fromEnv.values).toMatchObject({ host: 'db-env', port: 6432, token: 'from-env' });
    const both = resolveParams('pg', specs, { host: 'db-flag', token: 'from-flag' }, env, 'live');
    expect(both.values).toMatchObject({ host: 'db-flag', port: 6432, token: 'from-flag' });
  });

  it('an empty value is refused, naming the param and where it came from (-p or env), for every type but boolean', () => {
    usageError(() => resolveParams('pg', specs, { token: 't' }, { PG_HOST: '' }, 'live'), /Param "host" of runbook "pg" is empty \(from environment variable PG_HOST\); give a value or unset PG_HOST\./);
    usageError(() => resolveParams('pg', specs, { host: '', token: 't' }, {}, 'live'), /Param "host" of runbook "pg" is empty \(from -p host\); give a value\./);
    usageError(() => resolveParams('pg', specs, { host: '  ', token: 't' }, {}, 'live'), /"host" .* is empty/);
    usageError(() => resolveParams('pg', specs, { level: '', token: 't' }, {}, 'live'), /"level" .* is empty/);
    usageError(() => resolveParams('pg', specs, { note: '', token: 't' }, {}, 'live'), /"note" .* is empty/);
    usageError(() => resolveParams('pg', specs, { token: 't' }, { HOOK_URL: '' }, 'live'), /"hook" .* is empty .*or unset HOOK_URL/);
    usageError(() => resolveParams('pg', specs, { force: '', token: 't' }, {}, 'live'), /"force" .* must be true or false/);
  });

  it('an empty string is accepted only for a param whose declared default is the empty string', () => {
    const withEmpty = { ...specs, suffix: param.string({ default: '' }), choice: param.enum(['', 'x'], { default: '' }) };
    const r = resolveParams('pg', withEmpty, { suffix: '', choice: '', token: 't' }, {}, 'live');
    expect(r.values).toMatchObject({ suffix: '', choice: '' });
  });

  it('coerces numbers', () => {
    const v = (raw: string): unknown => resolveParams('pg', specs, { port: raw, token: 't' }, {}, 'live').values['port'];
    expect(v('5433')).toBe(5433);
    expect(v('-1')).toBe(-1);
    expect(v('1.5')).toBe(1.5);
    expect(v('1e3')).toBe(1000);
    expect(v(' 7 ')).toBe(7);
  });

  it('coerces booleans in the usual spellings', () => {
    const v = (raw: string): unknown => resolveParams('pg', specs, { force: raw, token: 't' }, {}, 'live').values['force'];
    for (const t of ['true', 'TRUE', 'yes', 'Yes', '1', 'on']) expect(v(t), t).toBe(true);
    for (const f of ['false', 'False', 'no', '0', 'off', 'OFF']) expect(v(f), f).toBe(false);
  });

  it('accepts enum values exactly', () => {
    expect(resolveParams('pg', specs, { level: 'high', token: 't' }, {}, 'live').values['level']).toBe('high');
  });

  it('refuses an unknown key, naming it and the params the runbook takes', () => {
    usageError(() => resolveParams('pg', specs, { hots: 'x', token: 't' }, {}, 'live'), /Unknown param "hots" for runbook "pg"/, /It takes: host, port, force, level, note, token, hook/);
    usageError(() => resolveParams('bare', {}, { x: '1' }, {}, 'live'), /Unknown param "x" for runbook "bare"\. It takes no params\./);
  });

  it('refuses ill-typed values, naming the param, the expected type and where the value came from', () => {
    usageError(() => resolveParams('pg', specs, { port: 'fivefour', token: 't' }, {}, 'live'), /Param "port" of runbook "pg" must be a number; -p port gave "fivefour"/);
    usageError(() => resolveParams('pg', specs, { port: '', token: 't' }, {}, 'live'), /"port" .* is empty \(from -p port\); give a value/);
    usageError(() => resolveParams('pg', specs, { port: 'Infinity', token: 't' }, {}, 'live'), /must be a number/);
    usageError(() => resolveParams('pg', specs, { token: 't' }, { PG_PORT: '54x' }, 'live'), /"port" .* must be a number; environment variable PG_PORT gave "54x"/);
    usageError(() => resolveParams('pg', specs, { force: 'maybe', token: 't' }, {}, 'live'), /Param "force" .* must be true or false; -p force gave "maybe"/);
    usageError(() => resolveParams('pg', specs, { level: 'HIGH', token: 't' }, {}, 'live'), /Param "level" .* must be one of low, high; -p level gave "HIGH"/);
  });

  it('refuses a missing required param, naming it, its description and how to give it', () => {
    const required = { ...specs, region: param.string({ env: 'REGION' }), count: param.number() };
    usageError(() => resolveParams('pg', required, { token: 't', count: '1' }, {}, 'live'), /Missing required param "region" for runbook "pg": give it with -p region=… or set REGION\./);
    usageError(() => resolveParams('pg', required, { token: 't', region: 'eu' }, {}, 'live'), /Missing required param "count" for runbook "pg": give it with -p count=…\./);
    usageError(() => resolveParams('pg', specs, {}, {}, 'live'), /Missing required param "token" \(API token\) for runbook "pg": give it with -p token=… or set PG_TOKEN/);
  });

  it('validates in every mode, dry-run included', () => {
    usageError(() => resolveParams('pg', specs, { port: 'x' }, {}, 'dry-run'), /must be a number/);
    usageError(() => resolveParams('pg', specs, { nope: 'x' }, {}, 'probe'), /Unknown param "nope"/);
  });

  it('optional params may be absent: undefined in values, absent from display', () => {
    const r = resolveParams('pg', specs, { token: 't' }, {}, 'live');
    expect('note' in r.values && r.values['note'] === undefined).toBe(true);
    expect(r.display).not.toHaveProperty('note');
    expect(r.display).not.toHaveProperty('hook');
  });
});

describe('secret params', () => {
  it('display shows *** and the secrets are listed for the redactor; values keep the real thing', () => {
    const r = resolveParams('pg', specs, { token: 'tok-123' }, { HOOK_URL: 'https://hooks.example/abc' }, 'live');
    expect(r.values['token']).toBe('tok-123');
    expect(r.values['hook']).toBe('https://hooks.example/abc');
    expect(r.display).toEqual({ host: 'db1', port: 5432, force: false, level: 'low', token: REDACTED, hook: REDACTED });
    expect(REDACTED).toBe('***');
    expect([...r.secrets].sort()).toEqual(['https://hooks.example/abc', 'tok-123']);
    expect(JSON.stringify(r.display)).not.toContain('tok-123');
  });

  it('an invalid secret is refused without echoing it', () => {
    const msg = usageError(() => resolveParams('pg', specs, { token: '' }, {}, 'live'), /Param "token" .* is empty/);
    expect(msg).not.toMatch(/gave ""/);
  });

  it('a missing secret is an error live, a placeholder in dry-run and simulate (not a secret to redact)', () => {
    usageError(() => resolveParams('pg', specs, {}, {}, 'live'), /Missing required param "token"/);
    usageError(() => resolveParams('pg', specs, {}, {}, 'probe'), /Missing required param "token"/);
    for (const mode of ['dry-run', 'simulate'] as const) {
      const r = resolveParams('pg', specs, {}, {}, mode);
      expect(r.values['token']).toBe('<secret:token>');
      expect(r.secrets).toEqual([]);
      expect(r.display['token']).toBe('<not set>');
      // an optional secret stays absent
      expect(r.values['hook']).toBeUndefined();
    }
  });

  it('a given secret in dry-run is still redacted', () => {
    const r = resolveParams('pg', specs, { token: 'real-one' }, {}, 'dry-run');
    expect(r.values['token']).toBe('real-one');
    expect(r.secrets).toEqual(['real-one']);
    expect(r.display['token']).toBe(REDACTED);
  });
});

describe('resume: restored params', () => {
  const restored = { host: 'db-restored', port: 7000, force: true, level: 'high', token: REDACTED };

  it('restored values win over defaults; -p and env still win over restored', () => {
    const r = resolveParams('pg', specs, { token: 't' }, {}, 'live', restored);
    expect(r.values).toMatchObject({ host: 'db-restored', port: 7000, force: true, level: 'high' });
    const flagged = resolveParams('pg', specs, { token: 't', port: '7001' }, { PG_HOST: 'db-env' }, 'live', restored);
    expect(flagged.values).toMatchObject({ host: 'db-env', port: 7001 });
  });

  it('secrets are never restored from the journal (it holds *** only): they must be given again', () => {
    usageError(() => resolveParams('pg', specs, {}, {}, 'live', restored), /Missing required param "token"/);
    const r = resolveParams('pg', specs, {}, { PG_TOKEN: 'again' }, 'live', restored);
    expect(r.values['token']).toBe('again');
  });

  it('a restored optional param that was absent stays absent', () => {
    const r = resolveParams('pg', specs, { token: 't' }, {}, 'live', { host: 'h' });
    expect(r.values['note']).toBeUndefined();
  });
});

describe('parseParamFlags', () => {
  it('splits at the first =', () => {
    expect(parseParamFlags(['a=1', 'url=http://x/?q=1&r=2', 'empty='])).toEqual({ a: '1', url: 'http://x/?q=1&r=2', empty: '' });
    expect(parseParamFlags([])).toEqual({});
  });

  it('refuses malformed and repeated flags', () => {
    usageError(() => parseParamFlags(['novalue']), /-p "novalue": params are given as -p key=value/);
    usageError(() => parseParamFlags(['=x']), /-p "=x"/);
    usageError(() => parseParamFlags(['a=1', 'a=2']), /-p a is given twice/);
  });
});
