import { createHash, createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts, read the way `ssh` reads it: plain and hashed (`|1|salt|hash`) host
 * patterns, `[host]:port` for ports other than 22, `*` / `?` wildcards, `!` negation, and the
 * `@revoked` marker (`@cert-authority` lines are for certificates, which we do not accept).
 */
export interface KnownHostEntry {
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  readonly patterns: string;
  readonly type: string;
  readonly key: string;
}

export type HostKeyVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'unknown' | 'changed' | 'revoked'; readonly message: string };

/** `SHA256:…` as OpenSSH prints it (base64, no padding). */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** The name known_hosts stores for a host: `host` on port 22, else `[host]:port`. */
export function lookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const f = l.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (f[0]?.startsWith('@')) {
      const m = f.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: OpenSSH ignores the line
    }
    const [patterns, type, key] = f;
    if (patterns === undefined || type === undefined || key === undefined) return;
    out.push({ line: i + 1, marker, patterns, type, key });
  });
  return out;
}

/** OpenSSH's wildcard match: `*` any run, `?` one character; case-insensitive. */
function wildcard(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(s);
}

function hashedMatch(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (salt === undefined || hash === undefined) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Whether a line's host field names `name`: a hashed entry, or a pattern list where any positive and no negated pattern matches. */
export function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatch(patterns, name);
  let positive = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) positive = true;
  }
  return positive;
}

/** Key types known_hosts holds for this host, so the handshake can ask for one of them first (as OpenSSH does). */
export function knownTypes(text: string | undefined, name: string): string[] {
  if (text === undefined) return [];
  const types = parseKnownHosts(text).filter((e) => e.marker === undefined && hostMatches(e.patterns, name)).map((e) => e.type);
  return [...new Set(types)];
}

/** OpenSSH's short names (ssh-keyscan -t, ssh_host_<short>_key.pub). */
const SHORT: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'ed25519',
  'ssh-rsa': 'rsa',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'ecdsa-sha2-nistp384': 'ecdsa',
  'ecdsa-sha2-nistp521': 'ecdsa',
  'ssh-dss': 'dsa',
};
const typeName = (type: string): string => SHORT[type]?.toUpperCase() ?? type;

export interface VerifyInput {
  /** The known_hosts file's text, or undefined when it does not exist. */
  readonly text: string | undefined;
  readonly file: string;
  readonly host: string;
  readonly port: number;
  /** The key the server offered (SSH wire format). */
  readonly blob: Buffer;
}

/** Accept only a key known_hosts lists for this host (and not @revoked); otherwise say what to do. */
export function verifyHostKey(v: VerifyInput): HostKeyVerdict {
  const name = lookupName(v.host, v.port);
  const offered = v.blob.toString('base64');
  const type = keyType(v.blob);
  const fp = fingerprint(v.blob);
  const label = `${typeName(type)} key ${fp}`;
  const short = SHORT[type] ?? type;
  const scan = `ssh-keyscan -p ${v.port} -t ${short} ${v.host} >> ${v.file}`;
  const entries = v.text === undefined ? [] : parseKnownHosts(v.text).filter((e) => hostMatches(e.patterns, name));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key === offered);
  if (revoked) {
    return { ok: false, reason: 'revoked', message: `host key of ${name} (${label}) is marked @revoked in ${v.file} line ${revoked.line}; refusing to connect. Someone may be impersonating the host, or the key was retired: find out out of band.` };
  }
  const plain = entries.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key === offered)) return { ok: true };
  if (plain.length === 0) {
    return {
      ok: false,
      reason: 'unknown',
      message: `host ${name} is not in ${v.file}${v.text === undefined ? ' (the file does not exist)' : ''}; it offered ${label}. Check that fingerprint out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${short}_key.pub), then trust it with: ${scan}`,
    };
  }
  const known = plain.map((e) => `line ${e.line}: ${typeName(e.type)} ${fingerprintOf(e.key)}`).join(', ');
  return {
    ok: false,
    reason: 'changed',
    message: `HOST KEY MISMATCH for ${name}: it offered ${label}, but ${v.file} has a different key (${known}). Someone may be intercepting the connection, or the host was reinstalled or replaced. Verify the new fingerprint out of band; if it is right, remove the old entry (ssh-keygen -R '${name}' -f ${v.file}) and add the new one: ${scan}`,
  };
}

function fingerprintOf(base64: string): string {
  try {
    return fingerprint(Buffer.from(base64, 'base64'));
  } catch {
    return '(unreadable key)';
  }
}
