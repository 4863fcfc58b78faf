/**
 * mdast → the runbook it describes: headings → phases (deeper headings name the steps under them),
 * `- [ ]` items → confirm steps, shell blocks → exec/check steps, prose → descriptions.
 */
import type { Heading, List, Nodes, Root, RootContent } from 'mdast';
import { plainText, sourceOf } from './markdown.js';
import { IdPool, slug } from './ids.js';
import { isShellBlock, shellSteps, type ShellStep } from './shell.js';

export interface ImportedStep {
  readonly kind: 'confirm' | 'exec' | 'check';
  readonly id: string;
  readonly title: string;
  description: string | undefined;
  readonly command?: string;
  readonly host?: string;
  readonly interactive?: boolean;
  readonly onNo?: 'continue';
  /** Run only when the confirm `step` was answered `value` (alternatives). */
  when?: { readonly step: string; readonly value: boolean };
  readonly line: number;
}

export interface ImportedPhase {
  readonly title: string;
  readonly steps: ImportedStep[];
}

export interface ImportedRunbook {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly rto: string | undefined;
  readonly phases: ImportedPhase[];
  /** Things a reviewer should look at in the generated module. */
  readonly notes: string[];
}

const stripStep = (t: string): string => t.replace(/^step\s*\d+\s*[:.)-]\s*/i, '').trim();
const question = (t: string): string => (/[?]\s*$/.test(t) ? t.trim() : `${t.trim().replace(/[.:;!]+$/, '')}?`);

function findRto(text: string): string | undefined {
  const m = /\bRTO\b[^0-9\n]{0,30}?(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)\b/i.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const u = m[2].toLowerCase();
  const unit = u === 'ms' ? 'ms' : u.startsWith('s') ? 's' : u.startsWith('h') ? 'h' : 'm';
  return `${m[1]}${unit}`;
}

class Outline {
  readonly ids = new IdPool();
  readonly phases: ImportedPhase[] = [];
  readonly notes: string[] = [];
  phase: ImportedPhase | undefined;
  group: { title: string; first: number; line: number } | undefined;
  prose: string[] = [];
  description: string[] = [];

  constructor(readonly text: string, readonly runbookTitle: string) {}

  current(): ImportedPhase {
    if (this.phase === undefined) {
      this.phase = { title: this.runbookTitle, steps: [] };
      this.phases.push(this.phase);
    }
    return this.phase;
  }

  add(step: Omit<ImportedStep, 'id' | 'description'> & { description?: string | undefined }): ImportedStep {
    const pending = this.prose.join('\n\n').trim();
    this.prose = [];
    const description = [pending, step.description ?? ''].filter(Boolean).join('\n\n') || undefined;
    const s: ImportedStep = { ...step, id: this.ids.take(step.title), description };
    this.current().steps.push(s);
    return s;
  }

  /** Prose left over: onto the last step of the group, or a manual step of its own when there is none. */
  flushProse(title: string, first: number, line: number): void {
    const pending = this.prose.join('\n\n').trim();
    if (pending === '') return;
    const steps = this.current().steps;
    if (steps.length > first) {
      const last = steps.at(-1);
      if (last) last.description = [last.description, pending].filter(Boolean).join('\n\n');
      this.prose = [];
      return;
    }
    this.prose = [];
    this.add({ kind: 'confirm', title: `${stripStep(title)}: done?`, description: pending, line });
  }

  endGroup(): void {
    if (this.group) {
      this.flushProse(this.group.title, this.group.first, this.group.line);
      this.guardAlternative(this.group);
    }
    this.group = undefined;
  }

  /**
   * A section headed "Or roll back" is an alternative, not the next thing to do: its steps run only
   * when a confirm asked before them is answered yes (no skips them and the run goes on).
   */
  private guardAlternative(group: { title: string; first: number; line: number }): void {
    if (!/^or\s/i.test(group.title)) return;
    const steps = this.current().steps;
    const guarded = steps.slice(group.first).filter((st) => st.when === undefined && st.kind !== 'confirm');
    if (guarded.length === 0) return;
    const what = stripStep(group.title.replace(/^or\s+/i, ''));
    const choice: ImportedStep = {
      kind: 'confirm', id: this.ids.take(`${what} instead`), title: question(`${what.charAt(0).toUpperCase()}${what.slice(1)} instead`),
      description: `The Markdown offers "${group.title}" as an alternative. Answer yes only when it applies; no skips its steps.`, onNo: 'continue', line: group.line,
    };
    steps.splice(group.first, 0, choice);
    for (const st of guarded) st.when = { step: choice.id, value: true };
    this.notes.push(`"${group.title}" is an alternative: its steps run only when confirm "${choice.id}" is answered yes.`);
  }

  endPhase(): void {
    this.endGroup();
    if (this.phase) this.flushProse(this.phase.title, 0, 0);
  }

  shell(steps: readonly ShellStep[], line: number): void {
    const base = stripStep(this.group?.title ?? this.phase?.title ?? this.runbookTitle);
    const untitled = steps.filter((s) => s.title === undefined).length;
    let n = 0;
    let previous: ImportedStep | undefined;
    for (const s of steps) {
      const title = s.title ?? (untitled > 1 ? `${base} (${++n})` : base);
      if (s.alternative && previous !== undefined && previous.kind !== 'confirm') {
        // "# Or update DNS": the Markdown offers a choice; ask which, and run only the chosen one.
        const alt = title;
        const steps = this.current().steps;
        const at = steps.indexOf(previous);
        const choice: ImportedStep = {
          kind: 'confirm', id: this.ids.take(`${alt} instead`), title: question(`${alt} instead of "${previous.title}"`),
          description: `The Markdown gives two ways to do this: "${previous.title}" or "${alt}". Answer yes for the second.`, onNo: 'continue', line,
        };
        steps.splice(at, 0, choice);
        previous.when = { step: choice.id, value: false };
        const added = this.add({ kind: s.kind, title, command: s.command, ...(s.host ? { host: s.host } : {}), interactive: s.interactive, description: s.note, line });
        added.when = { step: choice.id, value: true };
        this.notes.push(`"${previous.title}" and "${title}" are alternatives: the import asks which one to run (confirm "${choice.id}").`);
        previous = added;
      } else {
        previous = this.add({ kind: s.kind, title, command: s.command, ...(s.host ? { host: s.host } : {}), interactive: s.interactive, description: s.note, line });
      }
      if (s.interactive) this.notes.push(`"${title}" prompts (the Markdown says so): it runs interactive, in your terminal.`);
      if (s.confirmAfter) this.add({ kind: 'confirm', title: question(s.confirmAfter), line });
    }
  }

  list(list: List): void {
    if (!list.children.some((i) => i.checked === true || i.checked === false)) {
      this.prose.push(sourceOf(list, this.text));
      return;
    }
    for (const item of list.children) {
      if (item.checked !== true && item.checked !== false) {
        this.prose.push(sourceOf(item, this.text).replace(/^\s*[-*+]\s+/, ''));
        continue;
      }
      const [first, ...rest] = item.children;
      // The first line is the question; lines after it (a lazy continuation) and nested blocks explain it.
      const [head = '(empty item)', ...tail] = (first ? plainText(first).trim() : '').split('\n');
      const title = head.trim() || '(empty item)';
      const more = [tail.map((l) => l.trim()).join('\n'), ...rest.map((n) => sourceOf(n, this.text))].filter(Boolean).join('\n\n').trim();
      this.add({ kind: 'confirm', title: question(title), description: more || undefined, line: item.position?.start.line ?? 0 });
    }
  }
}

export function outline(tree: Root, text: string, fallbackTitle: string): ImportedRunbook {
  const nodes = tree.children;
  const headings = nodes.filter((n): n is Heading => n.type === 'heading');
  const first = headings[0];
  const titled = first !== undefined && headings.slice(1).every((h) => h.depth > first.depth);
  const title = titled && first ? plainText(first).trim() : fallbackTitle;
  const phaseDepth = Math.min(7, ...headings.filter((h) => !(titled && h === first)).map((h) => h.depth));
  const o = new Outline(text, title);
  let seenPhase = false;
  for (const node of nodes as RootContent[]) {
    if (titled && node === first) continue;
    const line = node.position?.start.line ?? 0;
    if (node.type === 'heading') {
      const t = plainText(node).trim();
      if (node.depth <= phaseDepth) {
        if (!seenPhase && o.phase === undefined && o.prose.length) o.description.push(...o.prose.splice(0));
        o.endPhase();
        o.phase = { title: t, steps: [] };
        o.phases.push(o.phase);
        seenPhase = true;
      } else {
        o.endGroup();
        o.current();
        o.group = { title: t, first: o.current().steps.length, line };
      }
      continue;
    }
    if (node.type === 'code' && isShellBlock(node.lang)) {
      o.shell(shellSteps(node.value, node.lang), line);
      continue;
    }
    if (node.type === 'list') {
      o.list(node);
      continue;
    }
    if (node.type === 'thematicBreak' || node.type === 'definition') continue;
    if (node.type === 'code') o.notes.push(`the ${node.lang ?? 'plain'} code block at line ${line} is kept as a description (only shell blocks become steps).`);
    o.prose.push(sourceOf(node as Nodes, text));
  }
  if (!seenPhase && o.phase === undefined && o.prose.length) o.description.push(...o.prose.splice(0));
  o.endPhase();
  const phases = o.phases.filter((p) => p.steps.length > 0);
  const id = slug(title, 6).replace(/-runbook$/, '') || 'imported';
  return { id, title, description: o.description.join('\n\n').trim() || undefined, rto: findRto(text), phases, notes: o.notes };
}
