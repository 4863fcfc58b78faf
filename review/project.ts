/**
 * The one ts-morph Project that every review command reuses. In memory, without lib files and without
 * a type checker: the analyser reads syntax only (no rule needs types), which keeps `lint` over a
 * hundred runbooks fast. ts-morph is imported here and only here; the CLI reaches this module through
 * a dynamic import, so `runbook run` never loads it.
 */
import { Project, type SourceFile } from 'ts-morph';

let project: Project | undefined;

export function reviewProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true },
  });
  return project;
}

/** Parses `text` as the file `path` (a real path, or `rev:path` for a git revision). Replaces any earlier copy. */
export function parseSource(path: string, text: string): SourceFile {
  // The in-memory file system wants absolute, extension-bearing names; keep the caller's label apart.
  const name = `/src/${path.replace(/^\/+/, '').replace(/:/g, '/')}`;
  const file = /\.(m?ts|tsx|m?js|jsx|cts|cjs)$/.test(name) ? name : `${name}.ts`;
  return reviewProject().createSourceFile(file, text, { overwrite: true });
}

/**
 * Done with a parsed file. Nothing is dropped: forgetting a file's wrapped nodes costs ts-morph about as
 * much as reading it (a third of a 100-file lint), and each command is a short-lived process. A file
 * parsed again under the same name replaces the old copy.
 */
export function forgetSource(_sf: SourceFile): void {}

/** Syntax errors the parser recovered from (the analyser still reads what it can). */
export function syntaxErrors(sf: SourceFile): { readonly line: number; readonly message: string }[] {
  const diags = (sf.compilerNode as unknown as { parseDiagnostics?: readonly { start?: number; messageText: unknown }[] }).parseDiagnostics ?? [];
  return diags.map((d) => ({
    line: d.start === undefined ? 1 : sf.getLineAndColumnAtPos(d.start).line,
    message: typeof d.messageText === 'string' ? d.messageText : 'syntax error',
  }));
}
