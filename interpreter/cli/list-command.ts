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
  const rows: { file: string; id?: string; title?: string; steps?: number; rtoMs?: number | null; error?: string; warning?: string }[] = [];
  for (const file of findRunbookFiles(dir)) {
    const rel = relative(process.cwd(), file) || file;
    try {
      const { plan } = await loadRunbook(file);
      rows.push({ file: rel, id: plan.id, title: plan.title, steps: plan.steps.length, rtoMs: plan.rtoMs ?? null });
    } catch (e) {
      rows.push({ file: rel, error: errorMessage(e) });
    }
  }
  // Two files with one runbook id share its lock and its runs: say so.
  const filesOf = new Map<string, string[]>();
  for (const r of rows) if (r.id !== undefined) filesOf.set(r.id, [...(filesOf.get(r.id) ?? []), r.file]);
  const shared = [...filesOf].filter(([, files]) => files.length > 1);
  const warning = (id: string, files: string[]): string =>
    `runbook id "${id}" is defined in ${files.length} files (${files.join(', ')}): they share one lock and one journal namespace. Give each runbook its own id.`;
  for (const [id, files] of shared) for (const r of rows) if (r.id === id) r.warning = warning(id, files);
  if (f.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0) {
    const hint = dirArg === undefined
      ? `: give the folder that holds yours (runbook list <dir>)${existsSync('examples') ? ', or try "runbook list examples"' : ''}`
      : '';
    process.stdout.write(`No runbooks in ${dir.endsWith('/') ? dir : `${dir}/`}${hint}.\n`);
  } else {
    const idWidth = Math.max(24, ...rows.map((r) => (r.id ?? '').length));
    for (const r of rows) {
      if (r.error) process.stdout.write(`✖ ${r.file}: ${r.error}\n`);
      else process.stdout.write(`${(r.id ?? '').padEnd(idWidth)} ${String(r.steps).padStart(3)} steps  ${(r.rtoMs == null ? 'no RTO' : `RTO ${formatDuration(r.rtoMs)}`).padEnd(11)} ${r.title}  ${r.file}\n`);
    }
    for (const [id, files] of shared) process.stdout.write(`warning: ${warning(id, files)}\n`);
  }
  return rows.some((r) => r.error) ? 2 : 0;
}
