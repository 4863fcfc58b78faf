import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../../interpreter/errors.js';
import type { RunbookModel } from '../model.js';
import { notARunbook, tryAnalyseSource } from '../source/analyse.js';
import { expandPaths } from '../source/files.js';
import { docsIndex, docsMarkdown } from './markdown.js';

/** `runbook docs <file|dir> [--out dir]`: one Markdown page per runbook (stdout without --out). */
export function runDocs(path: string, o: { out?: string }): number {
  const { explicit, found } = expandPaths([path]);
  const models: { model: RunbookModel; file: string }[] = [];
  for (const file of explicit) {
    const model = tryAnalyseSource(file, readFileSync(file, 'utf8'));
    if (model === undefined) throw notARunbook(file);
    models.push({ model, file });
  }
  for (const file of found) {
    const model = tryAnalyseSource(file, readFileSync(file, 'utf8'));
    if (model !== undefined) models.push({ model, file });
  }
  if (models.length === 0) throw new UsageError(`docs: no runbooks in ${path}. Give a runbook file or the folder that holds them.`);
  if (o.out === undefined) {
    process.stdout.write(models.map(({ model, file }) => docsMarkdown(model, file)).join('\n---\n\n'));
    return 0;
  }
  mkdirSync(o.out, { recursive: true });
  const written: { model: RunbookModel; file: string }[] = [];
  const used = new Set<string>();
  for (const { model, file } of models) {
    let name = `${model.id.replace(/[^A-Za-z0-9._-]+/g, '-')}.md`;
    for (let i = 2; used.has(name); i++) name = `${model.id}-${i}.md`;
    used.add(name);
    writeFileSync(join(o.out, name), docsMarkdown(model, relative(process.cwd(), file) || file));
    written.push({ model, file: name });
  }
  if (models.length > 1 || found.length > 0) writeFileSync(join(o.out, 'README.md'), docsIndex(written));
  process.stdout.write(`Wrote ${written.length} page${written.length === 1 ? '' : 's'} to ${o.out}: ${written.map((w) => w.file).join(', ')}\n`);
  return 0;
}
