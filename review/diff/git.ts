/** Reading old versions of runbooks from git: `git show <rev>:<path>`, never a checkout. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../interpreter/errors.js';
import { isCandidate } from '../source/files.js';

function git(args: readonly string[], cwd: string): { ok: true; out: string } | { ok: false; err: string } {
  try {
    return { ok: true, out: execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }) };
  } catch (e) {
    const err = e as { stderr?: string | Buffer; code?: string };
    if (err.code === 'ENOENT') throw new UsageError('diff --git: git is not installed (or not on PATH).');
    return { ok: false, err: String(err.stderr ?? '').trim() };
  }
}

export interface GitSide {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly old: string | undefined;
  readonly new: string | undefined;
}

export function gitTop(cwd = process.cwd()): string {
  const r = git(['rev-parse', '--show-toplevel'], cwd);
  if (!r.ok) throw new UsageError(`diff --git: ${cwd} is not inside a git repository. Run it in the repository, or compare two files: runbook diff <old> <new>.`);
  return r.out.trim();
}

export function assertRevision(top: string, rev: string): void {
  if (rev.startsWith('-')) throw new UsageError(`diff --git: "${rev}" is not a revision.`);
  const r = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], top);
  if (!r.ok) throw new UsageError(`diff --git: unknown revision "${rev}" (not a commit, branch or tag in ${top}). Try "main", "HEAD~1" or a commit id.`);
}

/** Old and new text of each runbook-like file that differs between `rev` and the working tree (or `to`). */
export function gitSides(rev: string, paths: readonly string[], to: string | undefined): { top: string; sides: GitSide[] } {
  const top = gitTop();
  assertRevision(top, rev);
  if (to !== undefined) assertRevision(top, to);
  const rel = paths.map((p) => relative(top, resolve(p)) || '.');
  for (const [i, p] of rel.entries()) {
    if (p.startsWith('..')) throw new UsageError(`diff --git: ${paths[i] ?? p} is outside the repository ${top}.`);
  }
  const scope = rel.length ? ['--', ...rel] : [];
  const changed = git(['diff', '--name-only', '--no-renames', rev, ...(to === undefined ? [] : [to]), ...scope], top);
  if (!changed.ok) throw new UsageError(`diff --git: git diff failed: ${changed.err}`);
  const names = new Set(changed.out.split('\n').filter(Boolean));
  if (to === undefined) {
    const untracked = git(['ls-files', '--others', '--exclude-standard', ...scope], top);
    if (untracked.ok) for (const n of untracked.out.split('\n').filter(Boolean)) names.add(n);
  }
  // Files named explicitly are compared even when unchanged (the report then says so).
  for (const p of rel) {
    const abs = join(top, p);
    if (existsSync(abs) && statSync(abs).isFile()) names.add(p);
  }
  const sides: GitSide[] = [];
  for (const path of [...names].sort()) {
    if (!isCandidate(path)) continue;
    const old = git(['show', `${rev}:${path}`], top);
    let now: string | undefined;
    if (to === undefined) {
      const abs = join(top, path);
      now = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
    } else {
      const r = git(['show', `${to}:${path}`], top);
      now = r.ok ? r.out : undefined;
    }
    sides.push({ path, old: old.ok ? old.out : undefined, new: now });
  }
  return { top, sides };
}
