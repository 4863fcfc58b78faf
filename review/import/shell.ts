/**
 * A fenced shell block → the steps it stands for. A block is split where a blank line is followed by
 * a comment (`# Verify`): each part is one step titled by its comment. A part that begins with a bare
 * `ssh host` line runs the rest on that host; `ssh host "cmd"` runs cmd there. `<name>` placeholders
 * become params. A trailing `# Confirm …` comment becomes a question after the step; `# Follow prompts`
 * makes it interactive.
 */
import { destructiveInCommand } from '../source/effects.js';

export interface ShellStep {
  readonly title: string | undefined;
  /** The command; `<name>` placeholders are left in, the generator turns them into params. */
  readonly command: string;
  /** Run on this host (the `ssh` DSL), when the part begins with `ssh host`. */
  readonly host: string | undefined;
  readonly kind: 'exec' | 'check';
  readonly interactive: boolean;
  /** A human check the block asks for after the command (`# Confirm replication is caught up`). */
  readonly confirmAfter: string | undefined;
  /** This part is an alternative to the previous one (`# Or update DNS`); its title drops the "Or". */
  readonly alternative: boolean;
  /** Trailing comments (`# Follow prompts`): shown to the operator as the step's description. */
  readonly note: string | undefined;
}

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'ksh']);

export function isShellBlock(lang: string | null | undefined): boolean {
  return lang !== null && lang !== undefined && SHELL_LANGS.has(lang.toLowerCase());
}

const COMMENT = /^\s*#(?!!)\s?(.*)$/;
/** Commands that only read (after an optional `kubectl exec … --` or `ssh host "…"` wrapper). */
const READ_ONLY = /^(?:patronictl\b.*\b(?:list|history|show-config|topology)\b|kubectl\b.*\b(?:get|logs|describe|top)\b|systemctl\s+(?:status|is-active|is-enabled|list-units)|curl\b(?!.*(?:-X\s*(?:POST|PUT|PATCH|DELETE)|--data|-d\s))|cat|grep|ls|ps|df|du|uptime|hostname|dig|nslookup|host|ping|ss|netstat|journalctl|tail|head|redis-cli\b.*\b(?:info|ping|role)\b|aws\s+\S+\s+(?:describe|list|get)\S*|\S*(?:[Cc]heck|[Ss]tatus)\S*)\b/;

function isReadOnlyLine(line: string): boolean {
  let l = line.trim().replace(/^sudo\s+/, '');
  l = l.replace(/^kubectl\s+exec\b.*?--\s+/, '');
  const sshQuoted = /^ssh\s+\S+\s+["'](.*)["']\s*$/.exec(l);
  if (sshQuoted?.[1] !== undefined) l = sshQuoted[1];
  return l.split('|').every((part) => READ_ONLY.test(part.trim()));
}

/** Lines joined by a trailing backslash count as one command. */
function commands(lines: readonly string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const l of lines) {
    if (COMMENT.test(l) && cur === '') continue;
    cur += (cur ? ' ' : '') + l.replace(/\\\s*$/, '').trim();
    if (!/\\\s*$/.test(l)) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Paragraphs of the block, split at blank lines that precede a comment. */
function parts(body: string): string[][] {
  const lines = body.replace(/\s+$/, '').split('\n');
  const out: string[][] = [];
  let cur: string[] = [];
  let blank = false;
  for (const line of lines) {
    if (line.trim() === '') {
      blank = true;
      if (cur.length) cur.push(line);
      continue;
    }
    if (blank && COMMENT.test(line) && commands(cur).length > 0) {
      out.push(cur);
      cur = [];
    }
    blank = false;
    cur.push(line);
  }
  if (cur.length) out.push(cur);
  return out.map((p) => {
    while (p.length && (p.at(-1) ?? '').trim() === '') p.pop();
    return p;
  });
}

function readPart(lines: string[]): ShellStep | undefined {
  let title: string | undefined;
  const body = [...lines];
  // A leading comment is the title; more leading comment lines stay in the command.
  const first = COMMENT.exec(body[0] ?? '');
  if (first) {
    title = (first[1] ?? '').trim() || undefined;
    body.shift();
  }
  // A trailing "# Confirm …" / "# Verify …" / "# Make sure …" is a question for a person after the command.
  let confirmAfter: string | undefined;
  const last = COMMENT.exec(body.at(-1) ?? '');
  if (last && /^(?:confirm|verify|check|ensure|make sure)\b/i.test((last[1] ?? '').trim())) {
    confirmAfter = (last[1] ?? '').trim();
    body.pop();
  }
  const interactive = body.some((l) => /#.*\bprompts?\b/i.test(l));
  // Comment lines after the last command are notes for the operator, not part of the command.
  const notes: string[] = [];
  while (body.length && COMMENT.test(body.at(-1) ?? '')) notes.unshift((COMMENT.exec(body.pop() ?? '')?.[1] ?? '').trim());
  let host: string | undefined;
  const cmds = commands(body);
  if (cmds.length === 0) return undefined;
  const bare = /^ssh\s+([^\s"'-][^\s"']*)\s*$/.exec(body.find((l) => l.trim() !== '' && !COMMENT.test(l))?.trim() ?? '');
  let command: string;
  if (bare?.[1] !== undefined && cmds.length > 1) {
    host = bare[1];
    const at = body.findIndex((l) => l.trim() === bare[0].trim());
    command = body.slice(at + 1).join('\n').replace(/^\n+/, '');
  } else {
    const one = cmds.length === 1 ? /^ssh\s+([^\s"'-][^\s"']*)\s+"([^"$`\\]*)"\s*$|^ssh\s+([^\s"'-][^\s"']*)\s+'([^']*)'\s*$/.exec(cmds[0] ?? '') : null;
    if (one) {
      host = one[1] ?? one[3];
      command = one[2] ?? one[4] ?? '';
    } else {
      command = body.join('\n');
    }
  }
  const effects = destructiveInCommand(command);
  const readOnly = commands(command.split('\n')).every(isReadOnlyLine);
  const kind = effects.length === 0 && !interactive && readOnly ? 'check' : 'exec';
  const alternative = title !== undefined && /^or\s/i.test(title);
  return {
    title: alternative && title ? `${title.charAt(3).toUpperCase()}${title.slice(4)}` : title,
    command, host, kind, interactive, confirmAfter, alternative,
    note: notes.filter(Boolean).join('\n') || undefined,
  };
}

export function shellSteps(body: string, lang: string | null | undefined): ShellStep[] {
  const text = lang === 'console' || lang === 'shell-session' ? body.split('\n').filter((l) => /^\s*\$\s/.test(l)).map((l) => l.replace(/^\s*\$\s/, '')).join('\n') : body;
  return parts(text).map(readPart).filter((s): s is ShellStep => s !== undefined);
}
