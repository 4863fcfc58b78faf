// Precompiles the DSL and the CLI so start-up never pays for TypeScript. Shared code (the DSL) is one
// chunk imported by both, so a runbook's `import 'runbook'` and the CLI see the same module instance.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { dsl: 'dsl/index.ts', cli: 'interpreter/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
