// `runbook diff --git <rev> [paths]`: old sources read with `git show rev:path`, the working tree (or --to) as new.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers/cli.js';
import { fixture, noStack } from '../helpers.js';

const tmp = tempDir('runbook-diff-git-');
const repo = join(tmp.dir, 'repo');
const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });

beforeAll(() => {
  mkdirSync(join(repo, 'runbooks'), { recursive: true });
  git('init', '-q', '-b', 'main');
  copyFileSync(fixture('diff', 'risks-old.ts'), join(repo, 'runbooks', 'pg.ts'));
  copyFileSync(fixture('diff', 'classes-old.ts'), join(repo, 'runbooks', 'gone.ts'));
  copyFileSync(fixture('diff', 'classes-old.ts'), join(repo, 'runbooks', 'same.ts'));
  writeFileSync(join(repo, 'runbooks', 'helper.ts'), 'export const x = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  // The working tree: one runbook changed, one deleted, one added, a helper changed.
  copyFileSync(fixture('diff', 'risks-new.ts'), join(repo, 'runbooks', 'pg.ts'));
  rmSync(join(repo, 'runbooks', 'gone.ts'));
  copyFileSync(fixture('lint', 'notify-start-end', 'pass.ts'), join(repo, 'runbooks', 'new.ts'));
  writeFileSync(join(repo, 'runbooks', 'helper.ts'), 'export const x = 2;\n');
});
afterAll(() => tmp.cleanup());

describe('runbook diff --git', () => {
  it('compares the working tree with a revision: changed, added and deleted runbooks, with risk flags', async () => {
    const r = await runCli(['diff', '--git', 'HEAD', '--format', 'json'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { label: string; runbooks: { status: string; id: string; oldFile?: string; newFile?: string; risks: { flag: string }[]; summary: { added: number; removed: number } }[] };
    expect(rep.label).toBe('HEAD → working tree');
    expect(rep.runbooks.map((x) => [x.status, x.id, x.oldFile, x.newFile])).toEqual([
      ['removed', 'diff-classes', 'HEAD:runbooks/gone.ts', undefined],
      ['added', 'announced', undefined, 'runbooks/new.ts'],
      ['changed', 'diff-risks', 'HEAD:runbooks/pg.ts', 'runbooks/pg.ts'],
    ]);
    expect(rep.runbooks[2]?.risks.length).toBe(7);
    expect(rep.runbooks[1]?.summary.added).toBe(5);
    expect(rep.runbooks[0]?.summary.removed).toBe(14);
  });

  it('limits to paths, prints Markdown for a PR comment, and compares two revisions with --to', async () => {
    const md = await runCli(['diff', '--git', 'main', 'runbooks/pg.ts', '--format', 'md'], { cwd: repo });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('## Runbook changes (main → working tree)');
    expect(md.stdout).toContain('> **7 risk flags: review these steps**');
    expect(md.stdout).not.toContain('diff-classes');
    git('add', '-A');
    git('commit', '-q', '-m', 'change');
    const text = await runCli(['diff', '--git', 'HEAD~1', '--to', 'HEAD'], { cwd: repo });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('runbook diff HEAD~1 → HEAD');
    expect(text.stdout).toContain('RISK  confirm-removed');
    const none = await runCli(['diff', '--git', 'HEAD'], { cwd: repo });
    expect(none.stdout).toBe('runbook diff HEAD → working tree: no runbook changed.\n');
  });

  it('bad revision, not a repository, a path outside it: exit 2 with a clear message', async () => {
    const bad = await runCli(['diff', '--git', 'no-such-branch'], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown revision "no-such-branch"/);
    noStack(bad.stderr);
    const outside = join(tmp.dir, 'outside');
    mkdirSync(outside, { recursive: true });
    const notRepo = await runCli(['diff', '--git', 'HEAD'], { cwd: outside, env: { GIT_CEILING_DIRECTORIES: tmp.dir } });
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/is not inside a git repository/);
    noStack(notRepo.stderr);
    const away = await runCli(['diff', '--git', 'HEAD', outside], { cwd: repo });
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/is outside the repository/);
  });
});
