import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isRunbook } from '../../dsl/builder.js';
import type { RunbookPlan } from '../../dsl/nodes.js';
import { UsageError } from '../errors.js';
import { shellQuote } from '../shell-quote.js';
import { assertReferencesResolve } from '../cli/references.js';

export interface LoadedRunbook {
  readonly file: string;
  readonly plan: RunbookPlan;
  /** sha256 of every source file the runbook is built from. */
  readonly sourceHash: string;
}

const LOADER_VERSION = '1';

/**
 * Loads a runbook module. The TypeScript is bundled once by esbuild into a cached ES module whose
 * `import … from 'runbook'` points at the very DSL module this CLI runs (one copy, one identity);
 * later loads import the cached module directly, without starting a compiler.
 */
export async function loadRunbook(fileArg: string, dslUrl = defaultDslUrl()): Promise<LoadedRunbook> {
  const { file, mod, sourceHash } = await importModule(fileArg, 'Runbook', dslUrl);
  if (mod.default === undefined) {
    throw new UsageError(`Runbook ${fileArg} has no default export. End the module with \`export default runbook('my-id', { title: … }).phase(…)…\`.`);
  }
  if (!isRunbook(mod.default)) {
    throw new UsageError(`The default export of ${fileArg} is not a runbook (got ${typeof mod.default}). Export the builder returned by runbook(…) from 'runbook'.`);
  }
  const plan = mod.default.toPlan();
  assertReferencesResolve(plan);
  return { file, plan, sourceHash };
}

/**
 * Compiles and imports a TypeScript module that uses the DSL (a runbook, a scenario). `label` names it
 * in error messages ("Runbook", "Scenario").
 */
export async function importModule(fileArg: string, label: string, dslUrl = defaultDslUrl()): Promise<{ file: string; mod: { default?: unknown }; sourceHash: string }> {
  const file = resolve(fileArg);
  const list = label === 'Runbook' ? ` "runbook list ${shellQuote(fileArg)}" lists them.` : '';
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UsageError(`${fileArg} is a directory, not a ${label.toLowerCase()} file. Give one of its files.${list}`);
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    const where = isAbsolute(fileArg) ? '' : ` (it is relative to ${process.cwd()})`;
    throw new UsageError(`${label} file not found: ${fileArg}. Check the path${where}.`);
  }
  const { modulePath, sourceHash } = await compile(file, dslUrl, label);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\.+$/, '');
    // A mistake in how the module is written (bad or duplicate id, bad option) is reported as such.
    if (e instanceof Error && e.name === 'RunbookDefinitionError') throw new UsageError(`${label} ${fileArg}: ${msg}.`);
    throw new UsageError(`${label} ${fileArg} failed while loading: ${msg}. Fix the module (it must only build data, not run anything).`);
  }
  return { file, mod, sourceHash };
}

function defaultDslUrl(): string {
  // Bundled, this file lives in dist/ next to dsl.js; from source (tests), use the built dist too.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'dsl.js'), join(here, '..', '..', 'dist', 'dsl.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('dist/dsl.js is missing: run "npm run build" first.');
  return pathToFileURL(found).href;
}

interface Manifest {
  readonly inputs: Record<string, string>;
}

async function compile(file: string, dslUrl: string, label: string): Promise<{ modulePath: string; sourceHash: string }> {
  const dir = join(tmpdir(), `runbook-cache-${safeUser()}`);
  const key = createHash('sha256').update(`${LOADER_VERSION}\0${file}\0${dslUrl}\0${readFileSync(file, 'utf8')}`).digest('hex').slice(0, 32);
  const modulePath = join(dir, `${key}.mjs`);
  const manifestPath = join(dir, `${key}.json`);
  const cached = readManifest(manifestPath);
  if (cached && existsSync(modulePath) && inputsUnchanged(cached)) return { modulePath, sourceHash: hashInputs(cached) };

  const esbuild = await import('esbuild');
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      sourcemap: false,
      plugins: [{
        name: 'runbook-dsl',
        setup(b) {
          b.onResolve({ filter: /^runbook$/ }, () => ({ path: dslUrl, external: true }));
        },
      }],
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number; lineText: string } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : file;
    const detail = first ? `${first.text}${first.location ? ` — \`${first.location.lineText.trim()}\`` : ''}` : String(e);
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    throw new UsageError(`${label} ${where} does not compile: ${detail}${more}. Fix the source and run again.`);
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const p = resolve(input);
    inputs[p] = hashFile(p);
  }
  const code = result.outputFiles?.[0]?.text ?? '';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${modulePath}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, modulePath);
  writeFileSync(manifestPath, JSON.stringify({ inputs } satisfies Manifest));
  return { modulePath, sourceHash: hashInputs({ inputs }) };
}

function readManifest(path: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function inputsUnchanged(m: Manifest): boolean {
  return Object.entries(m.inputs).every(([p, h]) => existsSync(p) && hashFile(p) === h);
}

function hashFile(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

function hashInputs(m: Manifest): string {
  const h = createHash('sha256');
  for (const [p, v] of Object.entries(m.inputs).sort(([a], [b]) => a.localeCompare(b))) h.update(`${p}\0${v}\0`);
  return h.digest('hex').slice(0, 16);
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_-]/g, '_');
  } catch {
    return String(process.getuid?.() ?? 'user');
  }
}
