import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatDuration } from '../../dsl/duration.js';
import { errorMessage, UsageError } from '../errors.js';
import { loadRunbook } from '../loader/load-runbook.js';

function findRunbookFiles(dir: string, depth = 0): string[] {
  if (depth > 4) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...findRunbookFiles(p, depth + 1));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') && !/\.(test|spec|scenario)\./.test(name)) out.push(p);
  }
  return out;
}

/** Runbooks in a folder with their title, step count and RTO. Files that are not runbooks are listed as errors. */
export async function listCommand(dirArg: string | undefined, f: { json?: boolean }): Promise<number> {
  const dir = dirArg ?? (existsSync('runbooks') ? 'runbooks' : '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`list: ${dir} is not a directory. Give the folder that holds your runbooks.`);
  const rows: { file: string; id?: string; title?: string; steps?: number; rtoMs?: number | null; error?: string }[] = [];
  for (const file of findRunbookFiles(dir)) {
    const rel = relative(process.cwd(), file) || file;
    try {
      const { plan } = await loadRunbook(file);
      rows.push({ file: rel, id: plan.id, title: plan.title, steps: plan.steps.length, rtoMs: plan.rtoMs ?? null });
    } catch (e) {
      rows.push({ file: rel, error: errorMessage(e) });
    }
  }
  if (f.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) process.stdout.write(`No runbooks in ${dir}.\n`);
  else {
    for (const r of rows) {
      if (r.error) process.stdout.write(`✖ ${r.file}: ${r.error}\n`);
      else process.stdout.write(`${(r.id ?? '').padEnd(24)} ${String(r.steps).padStart(3)} steps  ${(r.rtoMs == null ? 'no RTO' : `RTO ${formatDuration(r.rtoMs)}`).padEnd(11)} ${r.title}  ${r.file}\n`);
    }
  }
  return rows.some((r) => r.error) ? 2 : 0;
}
