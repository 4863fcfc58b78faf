/**
 * Secrets written into source: one table used both to mask them wherever review output shows source
 * text (plan, diff, docs) and by the `literal-secret` lint rule to find them.
 */

export interface SecretPattern {
  readonly id: string;
  /** What it is, for the lint message (never the value). */
  readonly label: string;
  /** Global regex; the `secret` group is the part that must not be shown. */
  readonly re: RegExp;
}

/** Values that are obviously not secrets: placeholders, references, masks. */
export function isPlaceholder(v: string): boolean {
  const s = v.trim();
  return s === '' || /^\$/.test(s) || /^<[^>]*>$/.test(s) || /^\*+$/.test(s) || /^(x+|changeme|example|secret|password|redacted|dummy|placeholder|todo|none|null|undefined)$/i.test(s) || /^\{\{.*\}\}$/.test(s);
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { id: 'url-password', label: 'a password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"`]+:(?<secret>[^\s@/'"`]+)@/gi },
  { id: 'slack-webhook', label: 'a Slack webhook URL', re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9/_-]{8,})/g },
  { id: 'webhook-url', label: 'a webhook URL with its key', re: /(?:discord(?:app)?\.com\/api\/webhooks|webhook\.office\.com\/webhookb2|chat\.googleapis\.com\/v1\/spaces\/[^/\s'"`]+\/messages\?key=)\/?(?<secret>[A-Za-z0-9/@_=&.-]{8,})/g },
  { id: 'pagerduty-key', label: 'a PagerDuty routing key', re: /(?:routing_key|routingKey|integration_key|integrationKey|service_key)["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9]{32})\b/g },
  { id: 'github-token', label: 'a GitHub token', re: /\b(?<secret>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { id: 'slack-token', label: 'a Slack token', re: /\b(?<secret>xox[abposr]-[A-Za-z0-9-]{10,})/g },
  { id: 'aws-key', label: 'an AWS access key', re: /\b(?<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b/g },
  { id: 'stripe-key', label: 'an API key', re: /\b(?<secret>(?:sk|rk)_live_[A-Za-z0-9]{10,}|glpat-[A-Za-z0-9_-]{20,})/g },
  { id: 'private-key', label: 'a private key', re: /(?<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----)/g },
  { id: 'bearer', label: 'a bearer token', re: /\b[Bb]earer\s+(?<secret>[A-Za-z0-9._~+/=-]{16,})/g },
  { id: 'password-flag', label: 'a password or token on a command line', re: /(?:^|\s)--?(?:password|passwd|pass|token|api-key|apikey|secret|auth-token)(?:=|\s+)(?<secret>[^\s$'"`<][^\s'"`]*)/gi },
  // Tools whose short flag is the password: redis-cli -a, mysql -p<pw>, sshpass -p.
  { id: 'password-short-flag', label: 'a password on a command line', re: /\b(?:redis-cli|valkey-cli)\b[^\n;|&]*?\s-a\s+(?<secret>[^\s$'"`<-][^\s'"`]*)|\b(?:mysql|mysqladmin|mysqldump)\b[^\n;|&]*?\s-p(?<secret2>[^\s$'"`<][^\s'"`]*)|\bsshpass\s+-p\s*(?<secret3>[^\s$'"`<][^\s'"`]*)/g },
  { id: 'password-env', label: 'a password or token in an environment assignment', re: /\b[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|APIKEY)=(?<secret>[^\s$'"`<][^\s'"`]*)/g },
];

export interface SecretHit {
  readonly pattern: SecretPattern;
  /** Offset of the secret part in the text. */
  readonly index: number;
  readonly length: number;
}

/** Every secret in `text` that is not a placeholder. */
export function findSecrets(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const pattern of SECRET_PATTERNS) {
    pattern.re.lastIndex = 0;
    for (let m = pattern.re.exec(text); m; m = pattern.re.exec(text)) {
      const secret = m.groups?.['secret'] ?? m.groups?.['secret2'] ?? m.groups?.['secret3'];
      if (secret === undefined || isPlaceholder(secret) || secret.includes('${')) continue;
      hits.push({ pattern, index: m.index + m[0].lastIndexOf(secret), length: secret.length });
    }
  }
  return hits;
}

/** The text with every recognised secret replaced by `***`. */
export function maskSecrets(text: string): string {
  const hits = findSecrets(text).sort((a, b) => b.index - a.index);
  let out = text;
  let floor = Infinity;
  for (const h of hits) {
    if (h.index + h.length > floor) continue; // overlapping hit already masked
    out = `${out.slice(0, h.index)}***${out.slice(h.index + h.length)}`;
    floor = h.index;
  }
  return out;
}
