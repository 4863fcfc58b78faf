/**
 * What an action does to a system, read from its command text and its builder's name: destructive
 * operations (the ones a confirm must guard) and builders known to only read.
 */

interface Verb {
  readonly label: string;
  readonly re: RegExp;
}

/** Destructive operations in a command (shell, SQL, redis…). Matched on the literal text, comments removed. */
const COMMAND_VERBS: readonly Verb[] = [
  { label: 'stop a service', re: /\b(?:systemctl|service)\b[^\n;|&]*\b(?:stop|disable|mask|kill|isolate)\b/i },
  { label: 'stop', re: /\b(?:pg_ctl|pg_ctlcluster|docker|podman|nginx|apachectl|patronictl)\b[^\n;|&]*\bstop\b/i },
  { label: 'rm', re: /(?:^|[\s;&|(`])(?:sudo\s+)?(?:rm|rmdir|unlink|shred)\s/ },
  { label: 'drop', re: /\b(?:drop\s+(?:table|database|schema|index|user|role|view)|dropdb|dropuser)\b/i },
  { label: 'delete', re: /\b(?:delete\s+from|kubectl\b[^\n;|&]*\bdelete|delete-[a-z-]+|helm\s+(?:delete|uninstall)|DEL\s)\b/i },
  { label: 'truncate', re: /\btruncate\b/i },
  { label: 'scale to 0', re: /(?:--replicas[= ]0\b|\breplicas["']?\s*[:=]\s*0\b|\bscale\b[^\n;|&]*\s0\s*$)/im },
  { label: 'switchover', re: /\bswitchover\b/i },
  { label: 'failover', re: /\bfailover\b(?![-_.]?(?:dns|json|runbook|test))/i },
  { label: 'promote', re: /(?:\bpromote\b|promote[-_]?(?:to[-_]?primary|standby)|PromoteStandby|\b(?:replicaof|slaveof)\s+no\s+one\b|\bpg_promote\b)/i },
  { label: 'DNS change', re: /\b(?:route53\s+change-resource-record-sets|nsupdate|gcloud\s+dns\s+record-sets\s+(?:update|create|delete|transaction)|az\s+network\s+dns\s+record-set\s+\S+\s+(?:update|set|add|remove|delete))\b/i },
  { label: 'kill', re: /(?:^|[\s;&|(`])(?:sudo\s+)?(?:kill|pkill|killall)\s/ },
  { label: 'shutdown', re: /\b(?:shutdown|reboot|poweroff|halt)\b/i },
  { label: 'flush', re: /\bflush(?:all|db)\b/i },
  { label: 'wipe', re: /\b(?:mkfs(?:\.\w+)?|wipefs|terraform\s+destroy)\b|\bdd\s+if=/i },
  { label: 'drain', re: /\bkubectl\b[^\n;|&]*\bdrain\b/i },
];

/** Destructive operations named by a builder (`k8s.delete`, `patroni.switchover`, `dns.update`…). */
const CALLEE_VERBS: readonly Verb[] = [
  { label: 'stop', re: /(?:^|\.)(?:stop|disable)\w*$/i },
  { label: 'delete', re: /(?:^|\.)(?:delete|remove|destroy|uninstall)\w*$/i },
  { label: 'drop', re: /(?:^|\.)drop\w*$/i },
  { label: 'truncate', re: /(?:^|\.)truncate\w*$/i },
  { label: 'switchover', re: /(?:^|\.)switchover$/i },
  { label: 'failover', re: /(?:^|\.)failover$/i },
  { label: 'flush', re: /(?:^|\.)flush\w*$/i },
  { label: 'kill', re: /(?:^|\.)kill\w*$/i },
  { label: 'drain', re: /(?:^|\.)drain\w*$/i },
  { label: 'DNS change', re: /^(?:dns|route53)\./i },
];

/** Builders whose last name says they only read. */
const READ_ONLY_CALLEE = /(?:^|\.)(?:get|query|status|list|ping|health|read|describe|logs|info|lag|role|exists|wait\w*|watch|select|show)$/i;

/** The command with whole-line shell comments removed (a `# perform switchover` comment is not a switchover). */
function withoutComments(text: string): string {
  return text.split('\n').filter((l) => !/^\s*(?:#|--)/.test(l)).join('\n');
}

export function destructiveInCommand(literalText: string): string[] {
  const text = withoutComments(literalText);
  return COMMAND_VERBS.filter((v) => v.re.test(text)).map((v) => v.label);
}

/** From the builder: its name, and `scale` to a literal 0. */
export function destructiveInCallee(callee: string, literalArgs: readonly unknown[], replicasZero: boolean): string[] {
  const out = CALLEE_VERBS.filter((v) => v.re.test(callee)).map((v) => v.label);
  if (/(?:^|\.)scale\w*$/i.test(callee) && (replicasZero || literalArgs.includes(0))) out.push('scale to 0');
  return out;
}

export function calleeReadOnly(callee: string): boolean {
  return READ_ONLY_CALLEE.test(callee) || callee === 'http.get';
}
