// The benches drive TypeScript modules (harnesses, adapters, stores) directly: bundle the given
// `export … from './path.ts'` lines once with esbuild (packages stay external, resolved from
// node_modules), import the result, and remove the bundle.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function importTs(name, exportLines) {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = join(cache, `runbook-bench-${name}-${process.pid}.mjs`);
  await build({
    stdin: { contents: exportLines.join('\n'), resolveDir: ROOT, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', outfile: out, logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
