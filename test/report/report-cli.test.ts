// `runbook report` end to end through the built CLI: run lookup (id, prefix, last), --format, --out,
// bad input (exit 2, one clear line, no stack), secrets, and the report a run writes when it ends
// (plain and TUI; not with --ui json; a report that cannot be written never fails the run).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { startInTmux } from '../helpers/tmux.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/report/', import.meta.url));
const SIM_ID = '20260312-140000-5a1e';
const DECISIONS_ID = '20261123-154108-c20e';

let tmp: { dir: string; cleanup: () => void };
let store: string;
beforeAll(() => {
  tmp = tempDir('runbook-report-cli-');
  store = join(tmp.dir, 'store');
  mkdirSync(join(store, 'runs'), { recursive: true });
  copyFileSync(join(FIXTURES, 'simulated.ndjson'), join(store, 'runs', `${SIM_ID}.ndjson`));
  copyFileSync(join(FIXTURES, 'live-decisions.ndjson'), join(store, 'runs', `${DECISIONS_ID}.ndjson`));
});
afterAll(() => tmp.cleanup());

const report = (...args: string[]): Promise<CliResult> => runCli(['report', ...args], { cwd: tmp.dir });

function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^runbook: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('runbook report', () => {
  it('finds a run by id, unique prefix or last (the newest)', async () => {
    const byId = await report(SIM_ID, '--store', store);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^# Run report: Fail over to the standby/);
    expect((await report('20260312', '--store', store)).stdout).toBe(byId.stdout);
    const last = await report('last', '--store', store);
    expect(last.stdout).toContain(`\`${DECISIONS_ID}\``);
  });

  it('--format json prints the versioned object; --out writes the file and says where', async () => {
    const json = await report(SIM_ID, '--format', 'json', '--store', store);
    expect(json.code).toBe(0);
    const obj = JSON.parse(json.stdout) as { version: number; run: { mode: string }; rto: { verdict: string; clock: string } };
    expect(obj.version).toBe(1);
    expect(obj.run.mode).toBe('simulate');
    expect(obj.rto).toMatchObject({ verdict: 'within', clock: 'simulated' });
    const out = join(tmp.dir, 'out', 'nested', 'drill.md');
    const w = await report(SIM_ID, '--out', out, '--store', store);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toBe(`Report written to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe((await report(SIM_ID, '--store', store)).stdout);
  });

  it('--help documents the arguments and options', async () => {
    const r = await report('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: runbook report');
    for (const m of ['<run-id>', '--format', '--out', '--store']) expect(r.stdout).toContain(m);
  });

  it.each([
    ['an unknown run id', ['nope', '--store', 'STORE'], /No run "nope" in the store\. "runbook runs" lists the 2 runs/],
    ['an empty store', ['last', '--store', 'EMPTY'], /has no runs yet/],
    ['an ambiguous prefix', ['2026', '--store', 'STORE'], /Run id "2026" is ambiguous/],
    ['a bad --format', [SIM_ID, '--format', 'html', '--store', 'STORE'], /--format "html" is not a report format: use --format md .* or --format json/],
    ['--out that is a directory', [SIM_ID, '--out', 'DIR', '--store', 'STORE'], /Cannot write the report to .*: it is a directory/],
    ['--out under a file', [SIM_ID, '--out', 'FILE/report.md', '--store', 'STORE'], /Cannot write the report to .*: part of its path is a file/],
    ['an empty --out', [SIM_ID, '--out', ' ', '--store', 'STORE'], /--out is empty/],
    ['no run id', ['--store', 'STORE'], /missing required argument 'run-id'/],
  ])('%s: exit 2, one clear line, no stack trace', async (_name, args, message) => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const sub = (a: string): string => a.replace('STORE', store).replace('EMPTY', join(tmp.dir, 'empty-store')).replace('DIR', tmp.dir).replace('FILE', file);
    expectUsageError(await report(...args.map(sub)), message);
  });
});

describe('the report at the end of a run', () => {
  const SECRET = `s3cr3t 'quoted' $HOME|pipe`;
  const forms = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), SECRET.replace(/'/g, `'\\''`)];
  const expectNoSecret = (where: string, s: string): void => {
    for (const f of forms) expect(s.includes(f), `${where} holds the secret as ${JSON.stringify(f)}`).toBe(false);
  };

  async function liveRun(name: string, ui: string, extra: string[] = []): Promise<{ r: CliResult; store: string; runId: string }> {
    const s = join(tmp.dir, `${name}-store`);
    const dir = join(tmp.dir, `${name}-work`);
    mkdirSync(dir, { recursive: true });
    const r = await runCli(['run', join(FIXTURES, 'live.ts'), '--yes', '--ui', ui, '--store', s, '-p', `dir=${dir}`, ...extra], {
      cwd: tmp.dir, env: { REPORT_TOKEN: SECRET },
    });
    const runs = existsSync(join(s, 'runs')) ? readdirSync(join(s, 'runs')) : [];
    expect(runs, r.stdout + r.stderr).toHaveLength(1);
    return { r, store: s, runId: String(runs[0]).replace(/\.ndjson$/, '') };
  }

  it('plain UI: writes <store>/reports/<run-id>.md, prints its path last; no secret in it, nor in report md/json', async () => {
    const { r, store: s, runId } = await liveRun('plain', 'plain');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`Report: plain-store/reports/${runId}.md`);
    const written = readFileSync(join(s, 'reports', `${runId}.md`), 'utf8');
    expect(written).toContain('| `token` | `***` (secret) |');
    expect(written).toContain('Failover done 100%; token \\*\\*\\*');
    expectNoSecret('run output', r.stdout + r.stderr);
    expectNoSecret('written report', written);
    const md = await runCli(['report', runId, '--store', s], { cwd: tmp.dir });
    expect(md.stdout).toBe(written);
    const json = await runCli(['report', runId, '--format', 'json', '--store', s], { cwd: tmp.dir });
    expect(json.code).toBe(0);
    expectNoSecret('report --format json', json.stdout);
    expect((JSON.parse(json.stdout) as { run: { params: Record<string, unknown> } }).run.params['token']).toBe('***');
  });

  it('--ui json: no report is written and stdout stays pure NDJSON', async () => {
    const { r, store: s } = await liveRun('json', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(s, 'reports'))).toBe(false);
    for (const line of r.stdout.trim().split('\n')) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it('a report that cannot be written is a warning; the run keeps its exit code', async () => {
    const s = join(tmp.dir, 'blocked-store');
    mkdirSync(s, { recursive: true });
    writeFileSync(join(s, 'reports'), 'a file where the reports folder should be');
    mkdirSync(join(tmp.dir, 'blocked-work'));
    const r = await runCli(['run', join(FIXTURES, 'live.ts'), '--yes', '--ui', 'plain', '--store', s, '-p', `dir=${join(tmp.dir, 'blocked-work')}`], {
      cwd: tmp.dir, env: { REPORT_TOKEN: SECRET },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Report: ');
    expect(r.stderr).toMatch(/^runbook: warning: the run report was not written \(.*\); "runbook report \S+" can make it later\.\n$/);
  });

  describe.runIf(requires({ what: 'tmux', paths: ['/usr/bin/tmux', '/usr/local/bin/tmux'], install: 'apt-get install tmux' }))('TUI', () => {
    it('prints the report path after the TUI has let go of the terminal', async () => {
      const s = join(tmp.dir, 'tui-store');
      const dir = join(tmp.dir, 'tui-work');
      mkdirSync(dir, { recursive: true });
      const t = startInTmux(['run', join(FIXTURES, 'live.ts'), '--yes', '--store', s, '-p', `dir=${dir}`], { REPORT_TOKEN: SECRET }, { cols: 100, rows: 30 });
      try {
        const { code, screen } = await t.exited();
        expect(code, screen).toBe(0);
        const runId = String(readdirSync(join(s, 'runs'))[0]).replace(/\.ndjson$/, '');
        const lines = screen.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
        const at = lines.indexOf(`Report: ${join(s, 'reports', `${runId}.md`)}`);
        expect(at, screen).toBeGreaterThan(0);
        // The last thing the run printed, after the TUI's final summary.
        expect(lines[at + 1]).toBe('[exit 0]');
        expect(lines.slice(0, at).join('\n')).toMatch(/DONE/);
        expect(existsSync(join(s, 'reports', `${runId}.md`))).toBe(true);
      } finally {
        t.close();
      }
    });
  });
});

