// Report snapshots (Markdown and JSON) for a live run, a dry-run, a recorded live run with operator
// decisions, and a simulated run. Generated runs go through the built CLI and their journals are
// normalised (ids, clock, host, temp paths) before the report is built, so the snapshots are stable.
// Every snapshot's gantt block goes through the strict validator. Update with `vitest run -u`.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { buildReport } from '../../interpreter/report/build.js';
import { renderMarkdown } from '../../interpreter/report/markdown.js';
import { readJournal } from '../../interpreter/store/journal-reader.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { onlyRun } from '../helpers/store.js';
import { mermaidBlocks, validateGantt } from './gantt-validator.js';
import { normaliseJournal } from './normalise.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/report/', import.meta.url));
const SNAP = (name: string): string => `./__snapshots__/${name}`;
const SECRET = 'tok-Zq8!s3cr3t';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('runbook-report-');
});
afterAll(() => tmp.cleanup());

async function generated(name: string, extra: readonly string[]): Promise<{ events: JournalEvent[]; stdout: string; store: string; runId: string }> {
  const store = join(tmp.dir, `${name}-store`);
  const dir = join(tmp.dir, `${name}-work`);
  mkdirSync(dir, { recursive: true });
  const r = await runCli(['run', join(FIXTURES, 'live.ts'), '--ui', 'plain', '--operator', 'dana', '--store', store, '-p', `dir=${dir}`, ...extra], {
    cwd: tmp.dir, env: { REPORT_TOKEN: SECRET },
  });
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code, r.stdout).toBe(0);
  const raw = readJournal(onlyRun(store)).events;
  const first = raw[0];
  const events = normaliseJournal(raw, { replace: { [dir]: '/tmp/report-work' }, file: relative(ROOT, join(FIXTURES, 'live.ts')) });
  return { events, stdout: r.stdout, store, runId: first?.type === 'run-started' ? first.runId : '' };
}

function fixture(name: string): JournalEvent[] {
  return [...readJournal(join(FIXTURES, name)).events];
}

async function expectSnapshots(name: string, events: readonly JournalEvent[]): Promise<string> {
  const report = buildReport(events);
  const md = renderMarkdown(report);
  await expect(md).toMatchFileSnapshot(SNAP(`${name}.md`));
  await expect(`${JSON.stringify(report, null, 2)}\n`).toMatchFileSnapshot(SNAP(`${name}.json`));
  const blocks = mermaidBlocks(md);
  expect(blocks).toHaveLength(1);
  for (const b of blocks) expect(validateGantt(b)).toEqual([]);
  return md;
}

describe('report snapshots', () => {
  it('a live run: automatic retries, a confirm answered by --yes, a tolerated failure, a failed and a delivered notification', async () => {
    const g = await generated('live', ['--yes']);
    const md = await expectSnapshots('live', g.events);
    // The run ended by writing its report into the store and saying where.
    const written = join(g.store, 'reports', `${g.runId}.md`);
    expect(g.stdout.trimEnd().split('\n').at(-1)).toBe(`Report: ${relative(tmp.dir, written)}`);
    expect(existsSync(written)).toBe(true);
    // The report of the raw journal has the same structure as the normalised snapshot.
    const raw = readFileSync(written, 'utf8');
    expect(raw.split('\n').filter((l) => l.startsWith('#'))).toEqual(md.split('\n').filter((l) => l.startsWith('#')));
    expect(md).toContain('**within target**');
    expect(md).toContain('retried automatically (attempt 2 after 20ms)');
    expect(md).toContain('continued (continueOnError)');
    expect(md).toContain('dana (auto, --yes)');
  });

  it('a dry-run: every step planned, notifications that would be sent, RTO not measured', async () => {
    const g = await generated('dry', ['--dry-run']);
    const md = await expectSnapshots('dry-run', g.events);
    expect(md).toContain('**DRY-RUN**');
    expect(md).toContain('not measured');
    expect(md).toContain('would be sent');
  });

  it('a recorded live run: a confirm answered by a person, retry then skip with a reason, done by hand with a note', async () => {
    const md = await expectSnapshots('live-decisions', fixture('live-decisions.ndjson'));
    expect(md).toContain('**exceeded by');
    expect(md).toContain('skipped by dana — reason: service restarted by hand from the console \\| see ticket #42');
    expect(md).toContain('done by hand by dana — note: copied the config with scp');
  });

  it('a simulated run: scenario, simulated clock and RTO, time to decide, a scenario event, a captured notification', async () => {
    const md = await expectSnapshots('simulated', fixture('simulated.ndjson'));
    expect(md).toContain('**SIMULATION**');
    expect(md).toContain('achieved 8m06s (simulated time) · **within target**');
    expect(md).toContain('| +3m00s | the standby has caught up (lag 0) | lagBytes = 0 |');
    expect(md).toContain('captured, not sent (simulation)');
  });

  it('runbook report prints exactly what the library renders, for Markdown and JSON', async () => {
    const store = join(tmp.dir, 'cli-store');
    mkdirSync(join(store, 'runs'), { recursive: true });
    copyFileSync(join(FIXTURES, 'simulated.ndjson'), join(store, 'runs', '20260312-140000-5a1e.ndjson'));
    const report = buildReport(fixture('simulated.ndjson'));
    const md = await runCli(['report', 'last', '--store', store]);
    expect(md.stderr).toBe('');
    expect(md.code).toBe(0);
    expect(md.stdout).toBe(renderMarkdown(report));
    const json = await runCli(['report', '20260312', '--format', 'json', '--store', store]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(report);
  });
});
