import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildReport } from '../report/build.js';
import { renderMarkdown } from '../report/markdown.js';
import { UsageError } from '../errors.js';
import { withStore } from '../store/open-store.js';
import { shownStatus } from '../store/run-liveness.js';
import { replay } from '../store/run-state.js';
import { resumeCommandLine } from './runs-command.js';

export interface ReportFlags {
  readonly format?: string;
  readonly out?: string;
  readonly store?: string;
}

/** `--format`: Markdown (the default) or the JSON object it is drawn from. */
export function parseFormat(format: string | undefined): 'md' | 'json' {
  if (format === undefined || format === 'md' || format === 'markdown') return 'md';
  if (format === 'json') return 'json';
  throw new UsageError(`--format ${JSON.stringify(format)} is not a report format: use --format md (Markdown, the default) or --format json.`);
}

/** The report of one run (live, dry-run, probe or simulated), from its journal. */
export async function reportCommand(arg: string, f: ReportFlags): Promise<number> {
  const format = parseFormat(f.format);
  if (f.out !== undefined && f.out.trim() === '') throw new UsageError('--out is empty: give the file to write the report to, or leave --out out to print it.');
  const { runId, events, tornTail } = await withStore(f.store, async (store) => {
    const id = await store.findRun(arg);
    return { runId: id, ...(await store.readRun(id)) };
  });
  const status = shownStatus(replay(events), resumeCommandLine(runId, f.store)).status;
  const report = buildReport(events, { tornTail, status });
  const body = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
  if (f.out === undefined) {
    process.stdout.write(body);
    return 0;
  }
  const path = resolve(f.out);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a directory' : code === 'ENOTDIR' || code === 'EEXIST' ? 'part of its path is a file, not a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? String(e);
    throw new UsageError(`Cannot write the report to ${f.out}: ${why}. Give a file path you can write (--out FILE), or leave --out out to print the report.`);
  }
  process.stdout.write(`Report written to ${f.out}\n`);
  return 0;
}
