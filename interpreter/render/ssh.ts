import type { RuntimeCtx, ShNode, SshEachNode, SshNode, SshTargetNode, SshTargetRef } from '../../dsl/nodes.js';
import { checkTargetField, targetNode, type SshHost } from '../../dsl/actions/ssh.js';
import { actionNode } from '../../dsl/actions/action.js';
import { resolve } from '../engine/context.js';
import { isPlaceholder, placeholder } from '../engine/placeholder.js';
import { shCommand } from './sh-command.js';

/** Hosts running at once inside a batch when `concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 10;

/**
 * A target with its values computed. Pure (no I/O, no environment): the renderer uses it with
 * placeholders allowed (`render`), the live adapter with every value checked.
 */
export interface TargetFields {
  readonly host: string;
  /** A string only when rendering a placeholder. */
  readonly port: number | string | undefined;
  readonly user: string | undefined;
  readonly name: string | undefined;
  readonly privateKey: string | undefined;
  readonly passphrase: string | undefined;
  readonly agent: string | undefined;
  readonly knownHosts: string | undefined;
  readonly jump: TargetFields | undefined;
  /** Some value is a dry-run placeholder: the target can be shown, not used. */
  readonly placeholder: boolean;
}

type Field = 'host' | 'port' | 'user' | 'name' | 'privateKey' | 'passphrase' | 'agent' | 'knownHosts';

export function resolveTarget(ref: SshTargetRef, c: RuntimeCtx, where: string, render: boolean, depth = 0): TargetFields {
  if (depth > 4) throw new Error(`${where}: jumpHost chain is deeper than 4 hops (a loop?)`);
  let node: SshTargetNode;
  if (ref.lazy) {
    const v = resolve({ lazy: true, fn: ref.fn }, c, `${where} target`);
    if (isPlaceholder(v)) return shown(String(v));
    node = targetNode(v, where);
  } else node = ref.target;
  let ph = false;
  const get = (field: Field): unknown => {
    const lv = node[field];
    if (lv === undefined) return undefined;
    const v = resolve(lv, c, `${where} ${field}`);
    if (isPlaceholder(v)) {
      if (!render) throw new Error(`${where}: the ssh target's ${field} is ${String(v)}, which has no value in this run`);
      ph = true;
      return String(v);
    }
    checkTargetField(field, v, where);
    return v;
  };
  const str = (field: Field): string | undefined => {
    const v = get(field);
    return v === undefined ? undefined : String(v);
  };
  const port = get('port');
  const jump = node.jumpHost === undefined ? undefined : resolveTarget(node.jumpHost, c, `${where} (jumpHost)`, render, depth + 1);
  const out: TargetFields = {
    host: String(get('host')),
    port: port === undefined ? undefined : typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : (port as number | string),
    user: str('user'),
    name: str('name'),
    privateKey: str('privateKey'),
    passphrase: str('passphrase'),
    agent: str('agent'),
    knownHosts: str('knownHosts'),
    jump,
    placeholder: ph || (jump?.placeholder ?? false),
  };
  return out;
}

function shown(text: string): TargetFields {
  return { host: text, port: undefined, user: undefined, name: undefined, privateKey: undefined, passphrase: undefined, agent: undefined, knownHosts: undefined, jump: undefined, placeholder: true };
}

/** `user@host:port` as written (port shown unless 22; IPv6 in brackets then). */
export function targetText(t: TargetFields): string {
  const showPort = t.port !== undefined && t.port !== 22;
  const host = showPort && t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user === undefined ? '' : `${t.user}@`}${host}${showPort ? `:${String(t.port)}` : ''}`;
}

/** What output lines and results call the host: its alias, else `user@host:port`. */
export function targetLabel(t: TargetFields): string {
  return t.name ?? targetText(t);
}

/** `ops@host:2222 (alias) via ops@bastion`: never the key or passphrase. */
export function targetDescription(t: TargetFields): string {
  return `${targetText(t)}${t.name === undefined ? '' : ` (${t.name})`}${t.jump === undefined ? '' : ` via ${targetText(t.jump)}`}`;
}

export function sshCommandText(node: ShNode, c: RuntimeCtx): string {
  return shCommand(node, c);
}

export function renderSsh(node: SshNode, c: RuntimeCtx): string {
  const t = resolveTarget(node.target, c, 'ssh', true);
  return `ssh ${targetDescription(t)}: ${shCommand(node.command, c)}`;
}

/** The host list, checked: a list (or c => list) of targets with distinct labels. */
export function resolveHosts(node: SshEachNode, c: RuntimeCtx, render: boolean): TargetFields[] | string {
  let refs: readonly SshTargetRef[];
  if (node.hosts.lazy) {
    const v = resolve({ lazy: true, fn: node.hosts.fn }, c, 'ssh.each hosts');
    if (isPlaceholder(v)) {
      if (render) return String(v);
      throw new Error(`ssh.each: the host list is ${String(v)}, which has no value in this run`);
    }
    if (!Array.isArray(v)) throw new Error(`ssh.each: the host list function returned ${v === null ? 'null' : typeof v}, not an array of targets`);
    if (v.length === 0) throw new Error('ssh.each: the host list is empty');
    refs = v.map((h: unknown, i) => ({ lazy: false as const, target: targetNode(h, `ssh.each host #${i + 1}`) }));
  } else refs = node.hosts.targets;
  const hosts = refs.map((r, i) => resolveTarget(r, c, `ssh.each host #${i + 1}`, render));
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    const label = targetLabel(h);
    const before = seen.get(label);
    if (before !== undefined && !h.placeholder) {
      throw new Error(`ssh.each: hosts #${before + 1} and #${i + 1} are both "${label}"; give each a distinct name (name: 'web-2') so their output and results can be told apart`);
    }
    seen.set(label, i);
  });
  return hosts;
}

export function hostInfo(t: TargetFields, index: number): SshHost {
  return Object.freeze({ name: targetLabel(t), host: t.host, port: typeof t.port === 'number' ? t.port : 22, user: t.user, index });
}

/** The command for one host: the shared template, or the per-host function's template. */
export function hostCommand(node: SshEachNode, host: SshHost, c: RuntimeCtx): string {
  if (!node.command.perHost) return shCommand(node.command.sh, c);
  const a = (node.command.fn as (h: SshHost) => unknown)(host);
  const sh = actionNode(a, `ssh.each command for ${host.name}`);
  if (sh.type !== 'sh') throw new Error(`ssh.each command for ${host.name}: expected an sh\`…\` template, got ${sh.type}`);
  return shCommand(sh, c);
}

export function fanOutLimits(node: SshEachNode): string {
  return `concurrency ${node.concurrency ?? DEFAULT_CONCURRENCY}, batch ${node.batch ?? 'all'}, maxFailures ${node.maxFailures ?? 'unlimited'}`;
}

export function renderSshEach(node: SshEachNode, c: RuntimeCtx): string {
  const hosts = resolveHosts(node, c, true);
  if (typeof hosts === 'string') {
    // A placeholder is callable (so `c.steps.x.value.y(…)` renders): interpolated as `${h.name}` it is
    // taken for a lazy value and called, which appends `(…)`; drop that for the per-host view.
    const cmd = node.command.perHost ? hostCommand(node, placeholder('host') as SshHost, c).replace(/<(host\.[\w.]+)\(…\)>/g, '<$1>') : shCommand(node.command.sh, c);
    return `ssh.each ${hosts} (${fanOutLimits(node)}): ${cmd}`;
  }
  const lines = hosts.map((h, i) => `  ssh ${targetDescription(h)}: ${hostCommand(node, hostInfo(h, i), c)}`);
  return [`ssh.each ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${fanOutLimits(node)}):`, ...lines].join('\n');
}
