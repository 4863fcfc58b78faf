import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, Client, ConnectConfig } from 'ssh2';
import type { RunResources } from '../../engine/resources.js';
import { knownTypes, lookupName, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';
import type { ConnectSpec } from './target.js';

/** How long the TCP connect + SSH handshake may take (or less: what is left of the step's timeout). */
export const CONNECT_TIMEOUT_MS = 15_000;
/** SSH-level keepalives on idle pooled connections (like OpenSSH's ServerAliveInterval). */
export const KEEPALIVE_MS = 15_000;

/** An SSH failure that has a clear message for the operator (never key material). */
export class SshError extends Error {
  override readonly name = 'SshError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const broken = new WeakSet<Client>();

/** True once the connection closed or failed: it must not be used again. */
export function isBroken(c: Client): boolean {
  return broken.has(c);
}

type Ssh2 = typeof import('ssh2');
let ssh2: Promise<Ssh2> | undefined;
/** ssh2 costs ~30 ms to load: only runs that use SSH pay it. */
function loadSsh2(): Promise<Ssh2> {
  ssh2 ??= import('ssh2').then((m) => ((m as { default?: Ssh2 }).default ?? m));
  return ssh2;
}

/**
 * The pooled connection for a target: one per target per run, opened on first use. A connection
 * that broke since is dropped and opened again (so a retry reconnects).
 */
export async function pooledConnection(spec: ConnectSpec, resources: RunResources, readyTimeoutMs: number): Promise<Client> {
  const get = (): Promise<Client> => resources.get(spec.poolKey, () => open(spec, resources, readyTimeoutMs), (c) => c.end());
  const c = await get();
  if (!isBroken(c)) return c;
  await resources.drop(spec.poolKey);
  return get();
}

async function open(spec: ConnectSpec, resources: RunResources, readyTimeoutMs: number): Promise<Client> {
  const { Client: ClientCtor, utils } = await loadSsh2();
  let sock: Duplex | undefined;
  if (spec.jump) {
    const jump = await pooledConnection(spec.jump, resources, readyTimeoutMs);
    sock = await new Promise<Duplex>((resolve, reject) => {
      jump.forwardOut('127.0.0.1', 0, spec.host, spec.port, (err, stream) => {
        if (err) reject(new SshError(`jump host ${spec.jump?.display} could not open a connection to ${spec.host}:${spec.port}: ${err.message}`, 'EJUMP'));
        else resolve(stream);
      });
    });
  }
  const knownText = await readFile(spec.knownHosts, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new SshError(`cannot read known_hosts ${spec.knownHosts}: ${e.message}`, 'EKNOWNHOSTS');
  });
  const auth = await authMethods(spec, utils);

  const client = new ClientCtor();
  let verdict: HostKeyVerdict | undefined;
  const name = lookupName(spec.host, spec.port);
  const prefer = knownTypes(knownText, name).flatMap((t) => HOSTKEY_ALGOS[t] ?? []);
  const config: ConnectConfig = {
    host: spec.host,
    port: spec.port,
    username: spec.user,
    readyTimeout: readyTimeoutMs,
    keepaliveInterval: KEEPALIVE_MS,
    keepaliveCountMax: 3,
    authHandler: auth.methods,
    hostVerifier: (blob: Buffer) => {
      verdict = verifyHostKey({ text: knownText, file: spec.knownHosts, host: spec.host, port: spec.port, blob });
      return verdict.ok;
    },
    ...(prefer.length > 0 ? { algorithms: { serverHostKey: { prepend: prefer } } } : {}),
    ...(sock ? { sock } : {}),
  } as unknown as ConnectConfig; // AlgorithmList's typing demands append, prepend and remove together
  return new Promise<Client>((resolve, reject) => {
    let ready = false;
    client.on('ready', () => {
      ready = true;
      client.setNoDelay(true); // ~2 ms per exec instead of ~45 ms (Nagle + delayed ACK)
      resolve(client);
    });
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      broken.add(client);
      if (!ready) reject(describeConnectError(e, spec, verdict, auth.tried, readyTimeoutMs));
    });
    client.on('close', () => {
      broken.add(client);
      if (!ready) reject(verdict && !verdict.ok ? new SshError(verdict.message, `EHOSTKEY_${verdict.reason.toUpperCase()}`) : new SshError(`connection to ${spec.display} closed during the handshake`, 'ECLOSED'));
    });
    client.on('end', () => broken.add(client));
    try {
      client.connect(config);
    } catch (e) {
      broken.add(client);
      reject(new SshError(`cannot connect to ${spec.display}: ${e instanceof Error ? e.message : String(e)}`, 'ECONFIG'));
    }
  });
}

/** known_hosts key types → the host-key algorithms that produce them, so the server shows the key we know. */
const HOSTKEY_ALGOS: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

interface Auth {
  readonly methods: AnyAuthMethod[];
  /** What was tried, for the error message ("key /path", "agent"). Never the key itself. */
  readonly tried: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The explicit key, else ssh-agent, else the default identities in ~/.ssh (as `ssh` does). */
async function authMethods(spec: ConnectSpec, utils: Ssh2['utils']): Promise<Auth> {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  const addKey = (text: string, from: string, explicit: boolean): void => {
    const parsed = utils.parseKey(text, spec.passphrase);
    if (parsed instanceof Error) {
      if (!explicit) return; // an encrypted default key without a passphrase: skipped, like ssh in batch mode
      const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message);
      throw new SshError(
        encrypted
          ? `the private key ${from} is encrypted and ${spec.passphrase === undefined ? 'no passphrase was given (passphrase: c => c.params.keyPassphrase)' : 'the passphrase does not open it'}`
          : `the private key ${from} cannot be read: ${parsed.message.replace(/\s+/g, ' ')}`,
        'EKEY',
      );
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    methods.push({ type: 'publickey', username: spec.user, key });
    tried.push(`key ${from}`);
  };
  if (spec.key?.kind === 'text') addKey(spec.key.text, '(given as text)', true);
  if (spec.key?.kind === 'path') {
    const path = spec.key.path;
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new SshError(`cannot read the private key file ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 'EKEY');
    });
    addKey(text, path, true);
  }
  if (spec.agent !== undefined) {
    methods.push({ type: 'agent', username: spec.user, agent: spec.agent });
    tried.push(`agent ${spec.agent}`);
  }
  if (spec.key === undefined && spec.agent === undefined) {
    for (const f of DEFAULT_KEYS) {
      const path = join(homedir(), '.ssh', f);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) addKey(text, path, false);
    }
  }
  if (methods.length === 0) {
    throw new SshError(`no credentials for ${spec.display}: no privateKey, no ssh-agent (SSH_AUTH_SOCK is not set) and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa. Give the target a privateKey (text or path) or an agent socket.`, 'ENOAUTH');
  }
  return { methods, tried };
}

function describeConnectError(e: Error & { level?: string; code?: string }, spec: ConnectSpec, verdict: HostKeyVerdict | undefined, tried: readonly string[], readyTimeoutMs: number): SshError {
  if (verdict && !verdict.ok) return new SshError(verdict.message, `EHOSTKEY_${verdict.reason.toUpperCase()}`);
  const where = `${spec.host}:${spec.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new SshError(`connection refused by ${where} (no SSH server listening?)`, 'ECONNREFUSED');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError(`cannot resolve host "${spec.host}" (${e.code})`, e.code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new SshError(`${where} is unreachable (${e.code})`, e.code);
    case 'ECONNRESET':
      return new SshError(`connection reset by ${where}`, 'ECONNRESET');
  }
  if (e.level === 'client-authentication') {
    return new SshError(`authentication failed for ${spec.user}@${where} (tried ${tried.join(', ')}): the server accepted none of them`, 'EAUTH');
  }
  if (e.level === 'client-timeout') return new SshError(`no SSH handshake with ${where} within ${readyTimeoutMs} ms (host down, filtered, or not an SSH server?)`, 'ETIMEDOUT');
  return new SshError(`SSH connection to ${spec.display} failed: ${e.message}${e.code ? ` (${e.code})` : ''}`, e.code ?? 'ESSH');
}
