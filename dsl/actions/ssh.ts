import { RunbookDefinitionError } from '../ids.js';
import type { Ctx } from '../context.js';
import type { ExecResult, FanOutResult, SshResult } from '../results.js';
import { lazy, type LazyFn, type LazyValue, type ShNode, type SshEachNode, type SshTargetNode, type SshTargetRef } from '../nodes.js';
import { actionNode, makeAction, type Action } from './action.js';
import { shParts, type ShValue } from './sh.js';

/**
 * The context a target function receives. TypeScript cannot carry the step's context into
 * `ssh(c => …)` (the call is the tag of a template, so nothing gives it a contextual type): `c` is
 * loosely typed there. Values inside the template are fully typed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SshTargetCtx = Ctx<any, any>;

type L<T> = T | ((c: SshTargetCtx) => T);

/** Where to run: every field may be a value or `c => value`. */
export interface SshTargetOptions {
  readonly host: L<string>;
  /** Default 22. */
  readonly port?: L<number | undefined>;
  /** Default: the local user name. */
  readonly user?: L<string | undefined>;
  /** Private key text (OpenSSH / PEM) or a path to it; may come from a secret param. Never printed. */
  readonly privateKey?: L<string | undefined>;
  readonly passphrase?: L<string | undefined>;
  /** ssh-agent socket path. Default: SSH_AUTH_SOCK. */
  readonly agent?: L<string | undefined>;
  /** OpenSSH known_hosts file. Default: ~/.ssh/known_hosts. */
  readonly knownHosts?: L<string | undefined>;
  /** Connect through this host first (like `ssh -J`). */
  readonly jumpHost?: SshTarget | ((c: SshTargetCtx) => SshTarget);
  /** The alias shown in output and the UI (`[vault-2] …`). */
  readonly name?: L<string | undefined>;
}

/** `'[user@]host[:port]'` (IPv6 in brackets: `'ops@[fd00::5]:2222'`) or the object form. */
export type SshTarget = string | SshTargetOptions;

/** What a per-host command of `ssh.each` receives. */
export interface SshHost {
  /** The alias, else `user@host:port` as written. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  /** Position in the host list, from 0. */
  readonly index: number;
}

export interface FanOutOptions {
  /** Hosts running at once inside a batch (default 10). */
  readonly concurrency?: number;
  /** Hosts per batch; batch N+1 starts when batch N has finished (default: one batch). */
  readonly batch?: number;
  /** Once more hosts than this have failed, no further host starts (default: no limit). */
  readonly maxFailures?: number;
}

export interface SshCommandTag {
  /** A command run on the target by its login shell through `/bin/sh -c`; interpolations are shell-quoted. */
  <C>(strings: TemplateStringsArray, ...values: ShValue<C>[]): Action<SshResult, C>;
}

export interface SshBuilder {
  /** `ssh('ops@vault-standby')\`systemctl stop vault\``, `ssh(c => c.params.standby)\`…\``. */
  (target: SshTarget | ((c: SshTargetCtx) => SshTarget)): SshCommandTag;
  /** The same command (or a command per host) on many hosts, in batches, `concurrency` at a time. */
  each<C>(
    hosts: readonly SshTarget[] | ((c: C) => readonly SshTarget[]),
    command: Action<ExecResult, C> | ((host: SshHost) => Action<ExecResult, C>),
    options?: FanOutOptions,
  ): Action<FanOutResult, C>;
}

const FIELDS = ['host', 'port', 'user', 'privateKey', 'passphrase', 'agent', 'knownHosts', 'jumpHost', 'name'] as const;
const EXAMPLE = `"[user@]host[:port]" (e.g. "ops@vault-standby:2222") or { host, port?, user?, privateKey?, passphrase?, agent?, knownHosts?, jumpHost?, name? }`;

/** Splits `[user@]host[:port]`; IPv6 addresses go in brackets when a port follows. */
export function parseTargetString(s: string, where: string): { host: string; port: number | undefined; user: string | undefined } {
  const bad = (why: string): never => {
    throw new RunbookDefinitionError(`${where}: bad ssh target ${JSON.stringify(s)}: ${why}. Write ${EXAMPLE}.`);
  };
  if (s.trim() === '' || /\s/.test(s)) bad('it is empty or contains whitespace');
  const at = s.lastIndexOf('@');
  const user = at === -1 ? undefined : s.slice(0, at);
  if (user !== undefined) checkUser(user, bad);
  const rest = at === -1 ? s : s.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracket) {
    host = bracket[1] ?? '';
    portText = bracket[2];
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // a bare IPv6 address, no port
  } else {
    const colon = rest.indexOf(':');
    host = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? undefined : rest.slice(colon + 1);
  }
  checkHost(host, bad);
  const port = portText === undefined ? undefined : /^\d+$/.test(portText) ? Number(portText) : bad(`the port ${JSON.stringify(portText)} is not a number`);
  if (port !== undefined) checkPort(port, bad);
  return { host, port, user };
}

function checkHost(host: string, bad: (why: string) => never): void {
  if (host === '') bad('the host is missing');
  if (/[\s@/\\'"`$;|&<>]/.test(host) || host.startsWith('-')) bad(`the host ${JSON.stringify(host)} is not a host name or address`);
}

function checkUser(user: string, bad: (why: string) => never): void {
  if (user === '' || /[\s@:/\\'"`$;|&<>]/.test(user) || user.startsWith('-')) bad(`the user ${JSON.stringify(user)} is not a login name`);
}

function checkPort(port: number, bad: (why: string) => never): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`the port ${String(port)} is not between 1 and 65535`);
}

/**
 * Validates one target field value (known now, or computed at run time). Throws a
 * RunbookDefinitionError naming the field; `undefined` means "not given".
 */
export function checkTargetField(field: (typeof FIELDS)[number], v: unknown, where: string): void {
  if (v === undefined || field === 'jumpHost') return;
  const bad = (why: string): never => {
    throw new RunbookDefinitionError(`${where}: bad ssh target field "${field}": ${why}.`);
  };
  if (field === 'port') {
    if (typeof v === 'string' && /^\d+$/.test(v)) return checkPort(Number(v), bad);
    if (typeof v !== 'number') bad(`expected a number, got ${typeof v}`);
    return checkPort(v as number, bad);
  }
  if (typeof v !== 'string') bad(`expected a string, got ${v === null ? 'null' : typeof v}`);
  const s = v as string;
  if (field === 'host') checkHost(s, bad);
  else if (field === 'user') checkUser(s, bad);
  else if (s === '' && field !== 'passphrase') bad('it is empty');
}

/** A target as written in the runbook → its node. Values known now are checked now. */
export function targetRef(t: unknown, where: string): SshTargetRef {
  if (typeof t === 'function') return Object.freeze({ lazy: true, fn: t as LazyFn });
  return Object.freeze({ lazy: false, target: targetNode(t, where) });
}

/** A target value (string or object; object fields may be lazy) → a node. Used at build time and at run time. */
export function targetNode(t: unknown, where: string): SshTargetNode {
  if (typeof t === 'string') {
    const { host, port, user } = parseTargetString(t, where);
    return freezeTarget({ host: lazy(host), port: opt(port), user: opt(user) });
  }
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    throw new RunbookDefinitionError(`${where}: an ssh target is ${EXAMPLE}, or c => one of those; got ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t}.`);
  }
  const o = t as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new RunbookDefinitionError(`${where}: unknown ssh target field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; the fields are ${FIELDS.join(', ')}.`);
  }
  if (o['host'] === undefined) throw new RunbookDefinitionError(`${where}: an ssh target needs a host: { host: 'vault-standby', user: 'ops' }.`);
  for (const f of FIELDS) if (typeof o[f] !== 'function') checkTargetField(f, o[f], where);
  const jump = o['jumpHost'];
  return freezeTarget({
    host: lazy(o['host']),
    port: opt(o['port']),
    user: opt(o['user']),
    privateKey: opt(o['privateKey']),
    passphrase: opt(o['passphrase']),
    agent: opt(o['agent']),
    knownHosts: opt(o['knownHosts']),
    jumpHost: jump === undefined ? undefined : targetRef(jump, `${where} (jumpHost)`),
    name: opt(o['name']),
  });
}

function opt(v: unknown): LazyValue | undefined {
  return v === undefined ? undefined : lazy(v);
}

function freezeTarget(t: Partial<SshTargetNode> & { host: LazyValue }): SshTargetNode {
  return Object.freeze({
    host: t.host,
    port: t.port,
    user: t.user,
    privateKey: t.privateKey,
    passphrase: t.passphrase,
    agent: t.agent,
    knownHosts: t.knownHosts,
    jumpHost: t.jumpHost,
    name: t.name,
  });
}

function command(a: unknown, where: string): ShNode {
  const node = actionNode(a, where);
  if (node.type !== 'sh') throw new RunbookDefinitionError(`${where}: the command must be an sh\`…\` template, got ${node.type}.`);
  return node;
}

function count(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RunbookDefinitionError(`ssh.each: option ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}.`);
  }
  return v;
}

/** Output lines and results are keyed by host label: two hosts written the same way cannot be told apart. */
function assertDistinctLabels(targets: readonly SshTargetRef[]): void {
  const seen = new Map<string, number>();
  targets.forEach((r, i) => {
    if (r.lazy) return;
    const t = r.target;
    const known = (v: LazyValue | undefined): unknown => (v === undefined ? '' : v.lazy ? undefined : v.value);
    const parts = t.name !== undefined ? [known(t.name)] : [known(t.user), known(t.host), known(t.port)];
    if (parts.some((p) => p === undefined)) return; // computed at run time: checked then
    const label = JSON.stringify(parts);
    const before = seen.get(label);
    if (before !== undefined) {
      throw new RunbookDefinitionError(`ssh.each: hosts #${before + 1} and #${i + 1} are the same target; give each a distinct name ({ host, name: 'web-2' }) so their output and results can be told apart.`);
    }
    seen.set(label, i);
  });
}

function each<C>(
  hosts: readonly SshTarget[] | ((c: C) => readonly SshTarget[]),
  cmd: Action<ExecResult, C> | ((host: SshHost) => Action<ExecResult, C>),
  options: FanOutOptions = {},
): Action<FanOutResult, C> {
  if (typeof options !== 'object' || options === null) throw new RunbookDefinitionError('ssh.each: options must be { concurrency?, batch?, maxFailures? }.');
  const unknown = Object.keys(options).filter((k) => !['concurrency', 'batch', 'maxFailures'].includes(k));
  if (unknown.length > 0) throw new RunbookDefinitionError(`ssh.each: unknown option ${unknown.map((k) => `"${k}"`).join(', ')}; the options are concurrency, batch, maxFailures.`);
  let hostsNode: SshEachNode['hosts'];
  if (typeof hosts === 'function') hostsNode = Object.freeze({ lazy: true, fn: hosts as LazyFn });
  else if (Array.isArray(hosts)) {
    if (hosts.length === 0) throw new RunbookDefinitionError('ssh.each: the host list is empty; give at least one target, or c => targets.');
    const targets = hosts.map((h: unknown, i) => targetRef(h, `ssh.each host #${i + 1}`));
    assertDistinctLabels(targets);
    hostsNode = Object.freeze({ lazy: false, targets: Object.freeze(targets) });
  } else {
    throw new RunbookDefinitionError(`ssh.each: the first argument is the host list (an array of targets, or c => targets), got ${typeof hosts}.`);
  }
  const commandNode: SshEachNode['command'] =
    typeof cmd === 'function'
      ? Object.freeze({ perHost: true, fn: cmd as (host: never) => unknown })
      : Object.freeze({ perHost: false, sh: command(cmd, 'ssh.each command') });
  return makeAction({
    type: 'ssh-each',
    hosts: hostsNode,
    command: commandNode,
    concurrency: count(options.concurrency, 'concurrency', 1),
    batch: count(options.batch, 'batch', 1),
    maxFailures: count(options.maxFailures, 'maxFailures', 0),
  });
}

export const ssh: SshBuilder = Object.assign(
  (target: SshTarget | ((c: SshTargetCtx) => SshTarget)): SshCommandTag => {
    const ref = targetRef(target, 'ssh');
    return <C>(strings: TemplateStringsArray, ...values: ShValue<C>[]): Action<SshResult, C> => {
      if (!Array.isArray(strings) || !('raw' in strings)) {
        throw new RunbookDefinitionError('ssh(target) returns a tagged template: write ssh(\'ops@host\')`systemctl status vault`, not ssh(\'ops@host\')("…").');
      }
      return makeAction({ type: 'ssh', target: ref, command: Object.freeze({ type: 'sh', ...shParts(strings, values) }) });
    };
  },
  { each },
);
