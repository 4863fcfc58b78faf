import { createHash } from 'node:crypto';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { targetLabel, targetText, type TargetFields } from '../../render/ssh.js';

/** How the adapter authenticates; key text and passphrase stay in here and are never printed. */
export type KeySource = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'path'; readonly path: string };

/** A target with the defaults a live connection needs (port 22, local user, agent, ~/.ssh/known_hosts). */
export interface ConnectSpec {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Alias or `user@host:port`: what output and results call it. */
  readonly label: string;
  /** `user@host:port` (for messages). */
  readonly display: string;
  readonly key: KeySource | undefined;
  readonly passphrase: string | undefined;
  readonly agent: string | undefined;
  readonly knownHosts: string;
  readonly jump: ConnectSpec | undefined;
  /** Identifies the pooled connection: same target, same credentials, same route. Holds no secret. */
  readonly poolKey: string;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'root';
  }
}

/** Key text (PEM / OpenSSH / PuTTY) or a file path. */
export function keySource(v: string): KeySource {
  return /-----BEGIN |PuTTY-User-Key-File|\n/.test(v) ? { kind: 'text', text: v } : { kind: 'path', path: expandHome(v) };
}

export function connectSpec(t: TargetFields, env: NodeJS.ProcessEnv = process.env): ConnectSpec {
  const port = typeof t.port === 'number' ? t.port : 22;
  const user = t.user ?? localUser();
  const key = t.privateKey === undefined ? undefined : keySource(t.privateKey);
  const agent = t.agent ?? env['SSH_AUTH_SOCK'] ?? undefined;
  const knownHosts = expandHome(t.knownHosts ?? join(homedir(), '.ssh', 'known_hosts'));
  const jump = t.jump === undefined ? undefined : connectSpec(t.jump, env);
  const display = targetText({ ...t, user, port });
  const credentials = createHash('sha256')
    .update(JSON.stringify([key?.kind, key?.kind === 'text' ? key.text : key?.path, t.passphrase ?? null, agent ?? null]))
    .digest('hex')
    .slice(0, 12);
  const poolKey = `ssh ${user}@${t.host}:${port} name=${t.name ?? ''} known=${knownHosts} auth=${credentials}${jump ? ` via (${jump.poolKey})` : ''}`;
  return { host: t.host, port, user, label: targetLabel(t), display, key, passphrase: t.passphrase, agent: agent === '' ? undefined : agent, knownHosts, jump, poolKey };
}
