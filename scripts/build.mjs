// Precompiles the DSL and the CLI so start-up never pays for TypeScript. Shared code (the DSL) is one
// chunk imported by both, so a runbook's `import 'runbook'` and the CLI see the same module instance.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/** ink's React devtools (only with DEV=true) are not shipped: an empty stand-in. */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
  },
};

/** ui.ts's dynamic import of the TUI resolves, in dist, to the separate bundle below. */
const tuiApart = {
  name: 'tui-apart',
  setup(b) {
    b.onResolve({ filter: /\/tui\/tui\.js$/ }, (a) => (a.importer.endsWith('ui.ts') ? { path: './tui.js', external: true } : undefined));
  },
};
await build({
  // lab: the local lab (npm run lab:up / lab:status / lab:down), run with plain node
  entryPoints: { dsl: 'dsl/index.ts', cli: 'interpreter/cli/main.ts', lab: 'lab/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  plugins: [tuiApart],
});

// The terminal UI is its own file with ink, react and their dependencies bundled in (production React,
// tree-shaken): loading them from node_modules, hundreds of small modules, cost more CPU than a
// 100,000-line output flood. Only `--ui tui` loads it (ui.ts imports it dynamically).
await build({
  entryPoints: { tui: 'tui/tui.tsx' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [noDevtools],
  // CommonJS inside (react) may require Node built-ins: give the ESM bundle a real require.
  banner: { js: "import { createRequire as __tuiRequire } from 'node:module'; const require = __tuiRequire(import.meta.url);" },
  logLevel: 'warning',
});
