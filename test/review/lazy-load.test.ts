// ts-morph is loaded by the review commands only: never by `run` (start-up matters at 3 a.m.).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('runbook-spy-');
afterAll(() => tmp.cleanup());
const SPY = pathToFileURL(join(ROOT, 'test', 'review', 'spy', 'register.mjs')).href;

async function packagesLoaded(args: string[], name: string): Promise<string[]> {
  const out = join(tmp.dir, `${name}.txt`);
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${SPY}`, RUNBOOK_MODULE_SPY: out } });
  expect(r.code, r.stderr).toBe(0);
  return existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
}

/** Every module dist/cli.js imports statically, transitively. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files], packages: [...packages] };
}

describe('ts-morph stays out of run', () => {
  it('run --dry-run does not load ts-morph; plan does (the spy works)', async () => {
    const run = await packagesLoaded(['run', 'examples/hello.ts', '--dry-run', '--ui', 'plain', '--store', join(tmp.dir, 'store')], 'run');
    expect(run).toContain('commander');
    expect(run.filter((p) => p.startsWith('ts-morph') || p === 'typescript')).toEqual([]);
    const plan = await packagesLoaded(['plan', 'examples/hello.ts'], 'plan');
    expect(plan).toContain('ts-morph');
  });

  it('dist/cli.js does not import ts-morph or the markdown parser statically', () => {
    const g = staticGraph(join(ROOT, 'dist', 'cli.js'));
    expect(g.packages).toContain('commander');
    for (const p of ['ts-morph', 'typescript', 'mdast-util-from-markdown', 'micromark-extension-gfm', 'mdast-util-gfm']) expect(g.packages).not.toContain(p);
  });
});
