// ssh without a server: the builders (bad targets fail at build time), the types, the dry-run
// renderer, read-only classification, and known_hosts matching checked against OpenSSH's own tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { http, param, runbook, RunbookDefinitionError, sh, ssh, type FanOutResult, type SshHost, type SshResult } from 'runbook';
import { parseTargetString } from '../../dsl/actions/ssh.js';
import type { StepNode } from '../../dsl/nodes.js';
import { fingerprint, hostMatches, keyType, lookupName, parseKnownHosts, verifyHostKey } from '../../interpreter/adapters/ssh/known-hosts.js';
import { wrapCommand } from '../../interpreter/adapters/ssh/exec.js';
import { makeContext } from '../../interpreter/engine/context.js';
import { isReadOnly, renderAction, stepEffect } from '../../interpreter/render/render.js';
import { runCli } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';

const keygen = requires({ what: 'OpenSSH client tools (ssh-keygen)', paths: ['/usr/bin/ssh-keygen'], install: 'apt-get install openssh-client' });

const dir = mkdtempSync(join(tmpdir(), 'runbook-ssh-dsl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function defError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RunbookDefinitionError);
    return (e as Error).message;
  }
  throw new Error('expected a RunbookDefinitionError');
}

const run = { id: 'r', runbookId: 'x', mode: 'dry-run' as const, operator: 'o', startedAt: '2026-01-01T00:00:00Z' };
function render(step: StepNode, params: Record<string, unknown> = {}): string {
  if (step.kind === 'confirm') throw new Error('no action');
  return renderAction(step.action, makeContext(params, new Map(), run, 'dry-run'));
}

describe('ssh targets at build time', () => {
  it('parses [user@]host[:port], IPv6 in brackets', () => {
    expect(parseTargetString('ops@vault-standby:2222', 't')).toEqual({ user: 'ops', host: 'vault-standby', port: 2222 });
    expect(parseTargetString('db1', 't')).toEqual({ user: undefined, host: 'db1', port: undefined });
    expect(parseTargetString('ops@[fd00::5]:22', 't')).toEqual({ user: 'ops', host: 'fd00::5', port: 22 });
    expect(parseTargetString('::1', 't')).toEqual({ user: undefined, host: '::1', port: undefined });
  });

  it('refuses bad targets with a message naming the target and the fix', () => {
    expect(defError(() => ssh('ops@@host'))).toBe('ssh: bad ssh target "ops@@host": the user "ops@" is not a login name. Write "[user@]host[:port]" (e.g. "ops@vault-standby:2222") or { host, port?, user?, privateKey?, passphrase?, agent?, knownHosts?, jumpHost?, name? }.');
    expect(defError(() => ssh('ops@host:99999'))).toContain('the port 99999 is not between 1 and 65535');
    expect(defError(() => ssh('ops@host:ssh'))).toContain('the port "ssh" is not a number');
    expect(defError(() => ssh('ops@'))).toContain('the host is missing');
    expect(defError(() => ssh('vault standby'))).toContain('it is empty or contains whitespace');
    expect(defError(() => ssh({ hostname: 'x' } as never))).toBe('ssh: unknown ssh target field "hostname"; the fields are host, port, user, privateKey, passphrase, agent, knownHosts, jumpHost, name.');
    expect(defError(() => ssh({ user: 'ops' } as never))).toContain("an ssh target needs a host: { host: 'vault-standby', user: 'ops' }");
    expect(defError(() => ssh({ host: 'h', port: 0 }))).toContain('bad ssh target field "port": the port 0 is not between 1 and 65535');
    expect(defError(() => ssh({ host: 'h', privateKey: 42 } as never))).toContain('bad ssh target field "privateKey": expected a string, got number');
    expect(defError(() => ssh({ host: 'h', jumpHost: 'bad host' }))).toContain('ssh (jumpHost): bad ssh target "bad host"');
    expect(defError(() => ssh(42 as never))).toContain('an ssh target is "[user@]host[:port]"');
    expect(defError(() => (ssh('h') as unknown as (s: string) => unknown)('uptime'))).toContain('ssh(target) returns a tagged template');
  });

  it('ssh.each refuses an empty list, bad options, duplicate hosts and a non-sh command', () => {
    expect(defError(() => ssh.each([], sh`true`))).toContain('the host list is empty');
    expect(defError(() => ssh.each(['a'], sh`true`, { concurrency: 0 }))).toBe('ssh.each: option concurrency must be an integer ≥ 1, got 0.');
    expect(defError(() => ssh.each(['a'], sh`true`, { maxFailures: -1 }))).toContain('option maxFailures must be an integer ≥ 0');
    expect(defError(() => ssh.each(['a'], sh`true`, { parallel: 3 } as never))).toContain('unknown option "parallel"');
    expect(defError(() => ssh.each(['ops@a', 'b', 'ops@a'], sh`true`))).toContain('hosts #1 and #3 are the same target; give each a distinct name');
    expect(defError(() => ssh.each(['a', 'ops@bad host'], sh`true`))).toContain('ssh.each host #2: bad ssh target');
    expect(defError(() => ssh.each(['a'], http.get('http://x') as never))).toBe('ssh.each command: the command must be an sh`…` template, got http.');
    // same host, distinct names: fine (aliases)
    expect(() => ssh.each([{ host: 'a', name: 'one' }, { host: 'a', name: 'two' }], sh`true`)).not.toThrow();
  });

  it('a bad target in a runbook file: the CLI exits 2 with the message and no stack', async () => {
    const file = join(dir, 'bad-target.ts');
    writeFileSync(file, readFileSync(fileURLToPath(new URL('../fixtures/ssh/bad-target.ts', import.meta.url)), 'utf8'));
    const r = await runCli(['run', file, '--dry-run', '--store', join(dir, 'store')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad ssh target "ops@vault standby"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('types: results, per-host commands, later steps reading them', () => {
    const rb = runbook('ssh-types', { title: 't', params: { standby: param.string({ default: 'ops@db2' }), svc: param.string({ default: 'vault' }) } })
      .exec('stop', 'Stop', ssh((c) => c.params.standby)`systemctl stop ${(c) => c.params.svc}`)
      .exec('fan', 'Fan', ssh.each((c) => [c.params.standby, 'ops@db3'], (h) => {
        expectTypeOf(h).toEqualTypeOf<SshHost>();
        return sh`systemctl restart ${h.name} ${(c) => c.steps.stop.stdout}`;
      }))
      .check('after', 'After', ssh('ops@db2')`echo ${(c) => c.steps.fan.result.failed.length}`, {
        expect: (r, c) => {
          expectTypeOf(r).toEqualTypeOf<SshResult>();
          expectTypeOf(c.steps.fan.result).toEqualTypeOf<FanOutResult>();
          expectTypeOf(c.steps.stop.exitCode).toEqualTypeOf<number | null>();
          return r.host !== '';
        },
      });
    expect(rb.toPlan().steps.map((s) => s.kind === 'confirm' ? s.kind : s.action.type)).toEqual(['ssh', 'ssh-each', 'ssh']);
    runbook('ssh-types-2', { title: 't', params: { a: param.string() } })
      // @ts-expect-error: values inside the template are typed by the step's context: there is no param b
      .exec('x', 'x', ssh('h')`echo ${(c) => c.params.b}`)
      // @ts-expect-error: nor a step "nope"
      .exec('y', 'y', ssh.each(['h'], sh`echo ${(c) => c.steps.nope.stdout}`));
  });
});

describe('ssh in the dry-run renderer', () => {
  it('shows target and command exactly, never the key or passphrase', () => {
    const rb = runbook('r', { title: 'r', params: { host: param.string({ default: 'vault-standby' }), key: param.secret({ env: 'K', optional: true }) } })
      .exec('a', 'A', ssh('ops@vault-standby:2222')`systemctl stop vault`)
      .exec('b', 'B', ssh({ host: (c) => c.params.host, user: 'ops', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n', passphrase: 'pw', name: 'standby', jumpHost: 'jump@bastion' })`systemctl stop ${'vault agent'}`)
      .exec('c', 'C', ssh('db1')`uptime`)
      .exec('d', 'D', ssh('ops@[fd00::5]:2200')`uptime`)
      .toPlan();
    const [a, b, c, d] = rb.steps.map((s) => render(s, { host: 'vault-standby', key: 'sekrit' }));
    expect(a).toBe('ssh ops@vault-standby:2222: systemctl stop vault');
    expect(b).toBe("ssh ops@vault-standby (standby) via jump@bastion: systemctl stop 'vault agent'");
    expect(c).toBe('ssh db1: uptime');
    expect(d).toBe('ssh ops@[fd00::5]:2200: uptime');
    expect(b).not.toMatch(/BEGIN|abc|pw/);
  });

  it('unknown outputs of earlier steps render as placeholders', () => {
    const rb = runbook('r', { title: 'r' })
      .exec('leader', 'L', sh`patronictl list`, { parse: (out) => out.split('\n') })
      .exec('a', 'A', ssh((c) => c.steps.leader.value)`systemctl stop vault`)
      .exec('b', 'B', ssh({ host: 'h', user: (c) => c.steps.leader.stdout })`true`)
      .exec('c', 'C', ssh.each((c) => c.steps.leader.value, (h) => sh`restart ${h.name}`, { concurrency: 3 }))
      .toPlan();
    const [, a, b, c] = rb.steps.map((s) => render(s));
    expect(a).toBe('ssh <steps.leader.value>: systemctl stop vault');
    expect(b).toBe('ssh <steps.leader.stdout>@h: true');
    expect(c).toBe('ssh.each <steps.leader.value> (concurrency 3, batch all, maxFailures unlimited): restart <host.name>');
  });

  it('ssh.each lists every host with its command and the limits', () => {
    const rb = runbook('r', { title: 'r' })
      .exec('each', 'E', ssh.each(['ops@web1', { host: 'web2', port: 2222, name: 'second' }], (h) => sh`systemctl restart app-${h.index}`, { concurrency: 5, batch: 10, maxFailures: 1 }))
      .toPlan();
    expect(render(rb.steps[0] as StepNode)).toBe([
      'ssh.each 2 hosts (concurrency 5, batch 10, maxFailures 1):',
      '  ssh ops@web1: systemctl restart app-0',
      '  ssh web2:2222 (second): systemctl restart app-1',
    ].join('\n'));
  });

  it('ssh in a check is read-only (probe runs it); in an exec it is mutating', () => {
    const plan = runbook('r', { title: 'r' })
      .check('c', 'C', ssh('h')`systemctl is-active vault`)
      .exec('e', 'E', ssh('h')`systemctl stop vault`)
      .check('f', 'F', ssh.each(['a', 'b'], sh`uptime`))
      .toPlan();
    expect(plan.steps.map(isReadOnly)).toEqual([true, false, true]);
    expect(plan.steps.map(stepEffect)).toEqual(['read-only', 'mutating', 'read-only']);
  });
});

describe('the remote command wrapper', () => {
  it('reports the PID, then execs /bin/sh -c with the command as one quoted word', () => {
    const w = wrapCommand(`echo 'a b' $HOME`);
    expect(w).toBe(`exec /bin/sh -c 'echo "__runbook_pid__ $$" >&2; exec /bin/sh -c "$1"' runbook 'echo '\\''a b'\\'' $HOME'`);
    const out = execFileSync('/bin/sh', ['-c', wrapCommand(`echo "[$1]" 'it''s' $((1+2))`)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('[] its 3\n');
  });
});

describe.runIf(keygen)('known_hosts', () => {
  const key = (): { line: string; blob: Buffer; file: string } => {
    const f = join(dir, `k-${Math.random().toString(36).slice(2)}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
    const line = readFileSync(`${f}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    return { line, blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), file: f };
  };

  it('fingerprints like ssh-keygen -lf; reads the key type from the blob', () => {
    const k = key();
    const lf = execFileSync('ssh-keygen', ['-lf', `${k.file}.pub`], { encoding: 'utf8' });
    expect(lf).toContain(fingerprint(k.blob));
    expect(fingerprint(k.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyType(k.blob)).toBe('ssh-ed25519');
  });

  it('matches plain, wildcard, negated, [host]:port and hashed (ssh-keygen -H) entries', () => {
    expect(lookupName('DB1.example', 22)).toBe('db1.example');
    expect(lookupName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
    expect(hostMatches('db1,db2', 'db2')).toBe(true);
    expect(hostMatches('DB1', 'db1')).toBe(true);
    expect(hostMatches('*.example', 'db1.example')).toBe(true);
    expect(hostMatches('*.example,!db1.example', 'db1.example')).toBe(false);
    expect(hostMatches('db?', 'db12')).toBe(false);
    expect(hostMatches('db1', '[db1]:2222')).toBe(false);
    expect(hostMatches('[db1]:2222', '[db1]:2222')).toBe(true);
    const k = key();
    const f = join(dir, `hashed-${Math.random().toString(36).slice(2)}`);
    writeFileSync(f, `db1.example ${k.line}\n[10.0.0.5]:2222 ${k.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'pipe' });
    const entries = parseKnownHosts(readFileSync(f, 'utf8'));
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.patterns.startsWith('|1|'))).toBe(true);
    expect(entries.map((e) => hostMatches(e.patterns, 'db1.example'))).toEqual([true, false]);
    expect(entries.map((e) => hostMatches(e.patterns, '[10.0.0.5]:2222'))).toEqual([false, true]);
    expect(entries.map((e) => hostMatches(e.patterns, 'db2.example'))).toEqual([false, false]);
  });

  it('verdicts: known, unknown, changed (with both fingerprints), revoked; @cert-authority and comments ignored', () => {
    const k = key();
    const other = key();
    const v = (text: string | undefined) => verifyHostKey({ text, file: '/kh', host: 'db1', port: 22, blob: k.blob });
    expect(v(`# comment\n\ndb1 ${k.line} comment\n`)).toEqual({ ok: true });
    expect(v(undefined)).toMatchObject({ ok: false, reason: 'unknown', message: expect.stringContaining('(the file does not exist)') as string });
    expect(v(`@cert-authority db1 ${k.line}\n`)).toMatchObject({ ok: false, reason: 'unknown' });
    const changed = v(`db1 ${other.line}\n`);
    expect(changed).toMatchObject({ ok: false, reason: 'changed' });
    if (changed.ok) throw new Error('unreachable');
    expect(changed.message).toContain(fingerprint(k.blob));
    expect(changed.message).toContain(`line 1: ED25519 ${fingerprint(other.blob)}`);
    expect(changed.message).toContain('ssh-keyscan -p 22 -t ed25519 db1 >> /kh');
    expect(v(`db1 ${k.line}\n@revoked db1 ${k.line}\n`)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(v(`db1 ${k.line}\n@revoked db1 ${other.line}\n`)).toEqual({ ok: true });
  });
});
