/** Parses a Markdown runbook with a real Markdown parser (mdast, GitHub-flavoured: task list items). */
import type { Code, Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { UsageError } from '../../interpreter/errors.js';

export function parseMarkdown(text: string, file: string): Root {
  const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  if (!tree.children.some((n) => n.type === 'heading')) {
    throw new UsageError(`import: ${file} has no headings. A Markdown runbook needs a "# Title" and "## Phase" headings (steps under them: "- [ ] …" items and \`\`\`bash blocks).`);
  }
  const lines = text.split('\n');
  for (const node of walk(tree)) if (node.type === 'code') assertClosed(node, lines, file);
  return tree;
}

/** CommonMark runs an unclosed fence to the end of the document; for a runbook that swallows every later step. */
function assertClosed(code: Code, lines: readonly string[], file: string): void {
  const start = code.position?.start.line;
  const end = code.position?.end.line;
  if (start === undefined || end === undefined) return;
  const open = /^\s*(`{3,}|~{3,})/.exec(lines[start - 1] ?? '');
  if (!open?.[1]) return; // indented code has no fence
  const fence = open[1];
  const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
  if (end > start && close.test(lines[end - 1] ?? '')) return;
  throw new UsageError(`import: ${file}: the code block opened at line ${start} (${lines[start - 1]?.trim() ?? fence}) is never closed, so everything after it would be read as code. Close it with a ${fence} line.`);
}

export function* walk(node: Nodes): Generator<Nodes> {
  yield node;
  if ('children' in node) for (const c of node.children) yield* walk(c as Nodes);
}

/** Plain text of a node (headings, list items). */
export function plainText(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if ('children' in node) return node.children.map((c) => plainText(c as Nodes)).join('');
  return '';
}

/** The Markdown source of a node, as written. */
export function sourceOf(node: Nodes, text: string): string {
  const s = node.position?.start.offset;
  const e = node.position?.end.offset;
  return s === undefined || e === undefined ? plainText(node) : text.slice(s, e);
}
