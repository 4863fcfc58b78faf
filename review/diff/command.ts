import { UsageError } from '../../interpreter/errors.js';
import { parseFormat } from '../format.js';
import type { RunbookModel } from '../model.js';
import { notARunbook, readSourceFile, tryAnalyseSource } from '../source/analyse.js';
import { diffRunbooks } from './diff.js';
import { diffFormatters, type DiffReport } from './format.js';
import { gitSides } from './git.js';
import type { RunbookDiff } from './types.js';

export interface DiffOptions {
  readonly format?: string;
  readonly git?: string;
  readonly to?: string;
  readonly failOnRisk?: boolean;
}

function fromFiles(oldFile: string, newFile: string): DiffReport {
  const a = tryAnalyseSource(oldFile, readSourceFile(oldFile));
  if (a === undefined) throw notARunbook(oldFile);
  const b = tryAnalyseSource(newFile, readSourceFile(newFile));
  if (b === undefined) throw notARunbook(newFile);
  return { label: `${oldFile} → ${newFile}`, runbooks: [diffRunbooks(a, b)] };
}

function fromGit(rev: string, paths: readonly string[], to: string | undefined): DiffReport {
  const { sides } = gitSides(rev, paths, to);
  const runbooks: RunbookDiff[] = [];
  for (const side of sides) {
    const a: RunbookModel | undefined = side.old === undefined ? undefined : tryAnalyseSource(`${rev}:${side.path}`, side.old);
    const b: RunbookModel | undefined = side.new === undefined ? undefined : tryAnalyseSource(side.path, side.new);
    if (a === undefined && b === undefined) continue;
    const d = diffRunbooks(a, b);
    const same = d.status === 'changed' && d.steps.length === 0 && d.meta.length === 0 && d.phases.added.length + d.phases.removed.length + d.phases.renamed.length === 0;
    if (!same) runbooks.push(d);
  }
  return { label: `${rev} → ${to ?? 'working tree'}`, runbooks };
}

/** `runbook diff <old> <new>` or `runbook diff --git <rev> [paths…]`. Exit 0, or 1 with --fail-on-risk and a risk flag. */
export function runDiff(args: readonly string[], o: DiffOptions): number {
  const format = parseFormat('diff', o.format);
  let report: DiffReport;
  if (o.git !== undefined) {
    report = fromGit(o.git, args, o.to);
  } else {
    if (o.to !== undefined) throw new UsageError('diff: --to goes with --git <rev> (e.g. runbook diff --git main --to HEAD).');
    const [oldFile, newFile, extra] = args;
    if (oldFile === undefined || newFile === undefined || extra !== undefined) {
      throw new UsageError('diff: give two runbook files (runbook diff <old> <new>), or a revision (runbook diff --git <rev> [paths…]).');
    }
    report = fromFiles(oldFile, newFile);
  }
  process.stdout.write(diffFormatters[format](report));
  return o.failOnRisk && report.runbooks.some((r) => r.risks.length > 0) ? 1 : 0;
}
