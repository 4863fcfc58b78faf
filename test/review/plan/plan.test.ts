// `runbook plan`: of every example and fixture runbook, cross-checked against the plan the DSL builds
// when the module is loaded; three formats; bad input.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../../interpreter/loader/load-runbook.js';
import { planFormatters } from '../../../review/plan/index.js';
import { tryAnalyseSource } from '../../../review/source/analyse.js';
import { ROOT, runCli } from '../../helpers/cli.js';
import { fixture, noStack, read } from '../helpers.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) && !/\.(test|spec|scenario)\.ts$/.test(n) ? [p] : [];
  });
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'examples', f));
const candidates = [...files(join(ROOT, 'examples')), ...files(join(ROOT, 'runbooks')), ...files(join(ROOT, 'test', 'fixtures'))];

describe('plan of every example and runbook', () => {
  it('matches the plan the DSL builds (ids, kinds, phases, titles, timeouts) for every module that loads', async () => {
    let compared = 0;
    for (const file of candidates) {
      const model = tryAnalyseSource(file, read(file));
      if (model === undefined || model.notes.length > 0) continue;
      let plan;
      try {
        ({ plan } = await loadRunbook(file));
      } catch {
        continue; // fixtures that fail on purpose (they have their own tests)
      }
      const name = relative(ROOT, file);
      compared++;
      expect(model.id, name).toBe(plan.id);
      expect(model.title, name).toBe(plan.title);
      expect(model.rto?.ms, name).toBe(plan.rtoMs);
      expect(model.steps.map((s) => [s.kind, s.id, s.phase]), name).toEqual(plan.steps.map((s) => [s.kind, s.id, s.phase]));
      for (const [i, s] of model.steps.entries()) {
        const real = plan.steps[i];
        if (real === undefined) continue;
        if (s.kind !== 'notify') expect(s.title, `${name} ${s.id}`).toBe(real.title);
        if (s.options.timeout?.ms !== undefined) expect(s.options.timeout.ms, `${name} ${s.id}`).toBe(real.options.timeoutMs);
      }
    }
    expect(compared).toBeGreaterThanOrEqual(examples.length + 10);
  });

  it('prints every example in text, Markdown and JSON through the CLI', async () => {
    for (const file of examples) {
      const text = await runCli(['plan', file]);
      expect(text.code, text.stderr).toBe(0);
      const md = await runCli(['plan', file, '--format', 'md']);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/^## .+ \(`[a-z0-9-]+`\)/);
      const json = await runCli(['plan', file, '--format', 'json']);
      const m = JSON.parse(json.stdout) as { steps: { id: string; pos: { line: number } }[] };
      expect(m.steps.length).toBeGreaterThan(0);
      for (const s of m.steps) expect(text.stdout).toContain(`${s.id}  `);
    }
  });

  it('shows the action as written, options, params and RTO', () => {
    const model = tryAnalyseSource('examples/hello.ts', read(join(ROOT, 'examples', 'hello.ts')));
    if (!model) throw new Error('hello.ts not read');
    const text = planFormatters.text(model);
    expect(text).toContain('RTO 2m · 9 steps in 3 phases');
    expect(text).toContain('  workdir  string, default "/tmp/runbook-hello" — scratch directory');
    expect(text).toContain('  5. exec    make-workdir  Create the scratch directory  (line 24)\n       sh: mkdir -p ${c.params.workdir}');
    expect(text).toContain('(estimate 1s)');
    expect(text).toContain('│ This writes one small file under the scratch directory.');
    const md = planFormatters.md(model);
    expect(md).toContain('### Act');
    expect(md).toContain('5. **exec** `make-workdir` — Create the scratch directory <sub>line 24</sub>');
    expect(md).toContain('   ```sh\n   sh: mkdir -p ${c.params.workdir}\n   ```');
  });

  it('plans a runbook that would fail at run time, which `run` refuses', async () => {
    const file = fixture('plan', 'would-fail.ts');
    const r = await runCli(['plan', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('RTO soon (not a duration)');
    expect(r.stdout.match(/exec {4}twice/g)).toHaveLength(2);
    const run = await runCli(['run', file, '--dry-run']);
    expect(run.code).toBe(2);
  });

  it('bad input exits 2 with a clear message and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['plan', 'no/such.ts'], /File not found: no\/such\.ts/],
      [['plan', join(ROOT, 'test', 'helpers', 'cli.ts')], /cli\.ts is not a runbook/],
      [['plan', join(ROOT, 'examples')], /is a directory/],
      [['plan', join(ROOT, 'examples', 'hello.ts'), '--format', 'yaml'], /plan: unknown --format "yaml". Use one of: text, md, json/],
      [['plan'], /missing required argument 'file'/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      noStack(r.stderr);
    }
  });
});
