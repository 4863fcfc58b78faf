// Step-level diff: every change class and every risk flag, in text, Markdown and JSON.
import { describe, expect, it } from 'vitest';
import { diffRunbooks } from '../../../review/diff/diff.js';
import type { RunbookDiff } from '../../../review/diff/types.js';
import { analyseFile } from '../../../review/source/analyse.js';
import { runCli } from '../../helpers/cli.js';
import { fixture, noStack } from '../helpers.js';

const rel = (name: string): string => `test/fixtures/review/diff/${name}`;
const diffOf = (a: string, b: string): RunbookDiff => diffRunbooks(analyseFile(fixture('diff', a)), analyseFile(fixture('diff', b)));

describe('diff: change classes', () => {
  const d = diffOf('classes-old.ts', 'classes-new.ts');
  const step = (id: string) => d.steps.find((s) => s.id === id);

  it('finds added, removed, renamed, moved (and across phases) and changed steps', () => {
    expect(step('added-step')).toMatchObject({ status: 'added', kind: 'exec', action: 'sh: warm-caches --all', new: { phase: 'Fail over', position: 12 } });
    expect(step('to-remove')).toMatchObject({ status: 'removed', old: { phase: 'Fail over', position: 12 } });
    expect(step('flush-caches')).toMatchObject({ status: 'renamed', oldId: 'old-name', changes: [] });
    expect(step('standby-lag')).toMatchObject({ status: 'kept', moved: { acrossPhases: true }, old: { phase: 'Assess' }, new: { phase: 'Fail over' }, changes: [] });
    expect(d.steps.filter((s) => s.moved && !s.moved.acrossPhases).map((s) => s.id)).toEqual(['restart-proxy']);
    expect(d.summary).toEqual({ added: 1, removed: 1, renamed: 1, moved: 2, changed: 6, unchanged: 5, risks: 0 });
  });

  it('names each changed field: kind, title, command, target, options, guards', () => {
    const changes = (id: string) => step(id)?.changes.map((c) => [c.field, c.old, c.new]);
    expect(changes('rekind')).toEqual([['kind', 'exec', 'check']]);
    expect(changes('retitle')).toEqual([['title', 'Old title', 'New title']]);
    expect(changes('recommand')).toEqual([['command', 'nsupdate -k /etc/key dns1.txt', 'nsupdate -k /etc/key dns2.txt']]);
    expect(changes('retarget')).toEqual([['target', 'ops@app1', 'ops@app2']]);
    expect(changes('restart-proxy')).toEqual([['options.timeout', '30s', '60s'], ['options.estimate', undefined, '10s']]);
    expect(changes('guarded')).toEqual([['guard.when', 'c.steps.go.value', "c.steps.go.value && c.run.mode === 'live'"]]);
  });

  it('sees a renamed phase as one rename, not as moves, and metadata changes', () => {
    expect(d.phases).toEqual({ added: [], removed: [], renamed: [{ from: 'Verify', to: 'Verification' }] });
    expect(step('app-up')).toBeUndefined();
    expect(d.meta).toEqual([{ field: 'rto', old: '15m', new: '10m' }]);
  });

  it('an identical runbook has no changes', () => {
    const same = diffOf('classes-old.ts', 'classes-old.ts');
    expect(same.steps).toEqual([]);
    expect(same.summary).toMatchObject({ added: 0, removed: 0, moved: 0, changed: 0, unchanged: 14 });
  });
});

describe('diff: risk flags', () => {
  const d = diffOf('risks-old.ts', 'risks-new.ts');

  it('raises every flag a reviewer must see', () => {
    expect(d.risks.map((r) => [r.flag, r.step])).toEqual([
      ['confirm-removed', 'really-down'],
      ['check-after-guarded-step', 'lag-ok'],
      ['confirm-weakened', 'second-gate'],
      ['timeout-lowered', 'promote-db2'],
      ['promote-before-fence', 'promote-db2'],
      ['promote-before-fence', 'promote-db2'],
      ['continue-on-error-added', 'repoint'],
    ]);
    expect(d.risks.map((r) => r.message)).toContain('promote "promote-db2" now runs before its fence "fence-old-primary"');
    expect(d.risks.map((r) => r.message)).toContain('check "lag-ok" now runs after exec "fence-old-primary", which it used to guard');
    expect(d.risks.map((r) => r.message)).toContain('promote "promote-db2" timeout lowered from 5m to 1m');
  });

  it('raises none the other way round where the change is safer', () => {
    const back = diffOf('risks-new.ts', 'risks-old.ts');
    expect(back.risks.map((r) => r.flag)).not.toContain('timeout-lowered');
    expect(back.risks.map((r) => r.flag)).not.toContain('continue-on-error-added');
    expect(back.risks.map((r) => r.flag)).not.toContain('confirm-removed');
  });
});

describe('runbook diff (CLI), three formats', () => {
  for (const pair of ['classes', 'risks']) {
    for (const format of ['text', 'md', 'json']) {
      it(`${pair} as ${format}`, async () => {
        const r = await runCli(['diff', rel(`${pair}-old.ts`), rel(`${pair}-new.ts`), '--format', format]);
        expect(r.code, r.stderr).toBe(0);
        if (format === 'json') expect(JSON.parse(r.stdout)).toMatchObject({ runbooks: [{ id: `diff-${pair}` }] });
        await expect(r.stdout).toMatchFileSnapshot(`../../fixtures/review/diff/expected/${pair}.${format === 'md' ? 'md' : format === 'json' ? 'json' : 'txt'}`);
      });
    }
  }

  it('--fail-on-risk exits 1 when a flag is raised, 0 otherwise', async () => {
    expect((await runCli(['diff', rel('risks-old.ts'), rel('risks-new.ts'), '--fail-on-risk'])).code).toBe(1);
    expect((await runCli(['diff', rel('classes-old.ts'), rel('classes-new.ts'), '--fail-on-risk'])).code).toBe(0);
  });

  it('bad input exits 2: a missing file, not a runbook, one file only, bad --format', async () => {
    const cases: [string[], RegExp][] = [
      [['diff', rel('classes-old.ts'), 'nope.ts'], /File not found: nope\.ts/],
      [['diff', rel('classes-old.ts'), 'test/helpers/cli.ts'], /test\/helpers\/cli\.ts is not a runbook/],
      [['diff', rel('classes-old.ts')], /give two runbook files/],
      [['diff', rel('classes-old.ts'), rel('classes-new.ts'), '--format', 'html'], /unknown --format "html"/],
      [['diff', rel('classes-old.ts'), rel('classes-new.ts'), '--to', 'HEAD'], /--to goes with --git/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      noStack(r.stderr);
    }
  });
});
