import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UsageError } from '../../interpreter/errors.js';
import { parseDuration } from '../../dsl/duration.js';
import { isKebabId } from '../../dsl/ids.js';
import { tryAnalyseSource } from '../source/analyse.js';
import { generateModule } from './generate.js';
import { parseMarkdown } from './markdown.js';
import { outline } from './outline.js';

export interface ImportOptions {
  readonly out?: string;
  readonly id?: string;
  readonly rto?: string;
  readonly force?: boolean;
  readonly plainSsh?: boolean;
}

/** Markdown text → module text, with notes for the reviewer. */
export function importMarkdown(text: string, file: string, o: ImportOptions = {}): { module: string; notes: string[]; params: string[]; steps: number } {
  const tree = parseMarkdown(text, file);
  const fallback = basename(file, extname(file)).replace(/[-_]+/g, ' ');
  const rb0 = outline(tree, text, fallback);
  if (rb0.phases.length === 0) {
    throw new UsageError(`import: ${file} has headings but no steps under them: write "- [ ] …" items or \`\`\`bash blocks under "## Phase" headings.`);
  }
  if (o.id !== undefined && !isKebabId(o.id)) throw new UsageError(`import: --id ${JSON.stringify(o.id)} is not kebab-case (e.g. "pam-failover").`);
  if (o.rto !== undefined) {
    try {
      parseDuration(o.rto, '--rto');
    } catch {
      throw new UsageError(`import: --rto ${JSON.stringify(o.rto)} is not a duration (write "15m", "1h30m").`);
    }
  }
  const rb = { ...rb0, id: o.id ?? rb0.id, rto: o.rto ?? rb0.rto };
  const module = generateModule(rb, { source: basename(file), ...(o.plainSsh ? { plainSsh: true } : {}) });
  const model = tryAnalyseSource(`${rb.id}.ts`, module);
  const params = model?.params.map((p) => p.name) ?? [];
  return { module, notes: rb.notes, params, steps: model?.steps.length ?? 0 };
}

/** `runbook import <markdown> [--out file.ts]`. */
export function runImport(file: string, o: ImportOptions): number {
  if (!existsSync(file)) throw new UsageError(`import: file not found: ${file}.`);
  if (statSync(file).isDirectory()) throw new UsageError(`import: ${file} is a directory; give a Markdown file.`);
  if (o.out !== undefined && existsSync(o.out) && !o.force) throw new UsageError(`import: ${o.out} exists; give --force to overwrite it.`);
  const r = importMarkdown(readFileSync(file, 'utf8'), file, o);
  if (o.out === undefined) process.stdout.write(r.module);
  else writeFileSync(o.out, r.module);
  const err: string[] = [];
  if (o.out !== undefined) err.push(`Wrote ${o.out}: ${r.steps} steps.`);
  for (const n of r.notes) err.push(`note: ${n}`);
  if (r.params.length) err.push(`note: placeholders became params: give them with ${r.params.map((p) => `-p ${p}=…`).join(' ')}`);
  const target = o.out ?? '<file>.ts';
  err.push(`Next: runbook lint ${target} · runbook run ${target} --dry-run${r.params.length ? ` ${r.params.map((p) => `-p ${p}=…`).join(' ')}` : ''}`);
  process.stderr.write(`${err.join('\n')}\n`);
  return 0;
}
