// `runbook import`: Markdown runbooks (the two in the seed DR guide among them) → DSL modules that
// type-check, plan and dry-run; malformed Markdown is refused with a clear message.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Project } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { importMarkdown } from '../../../review/import/command.js';
import { analyseSource } from '../../../review/source/analyse.js';
import { ROOT, runCli, tempDir } from '../../helpers/cli.js';
import { fixture, noStack, read } from '../helpers.js';

const SEED = join(ROOT, '..', 'shared', 'seeds', '000_b425c2c7678d4f1e.txt');
const SEEDS = [
  { title: 'PAM Failover Runbook', md: 'pam-failover.md', ts: 'pam-failover.ts', params: ['-p', 'tgArn=arn:aws:elasticloadbalancing:tg/1', '-p', 'standbyInstanceId=i-0abc'] },
  { title: 'PostgreSQL Failover Runbook', md: 'postgresql-failover.md', ts: 'postgresql-failover.ts', params: [] },
];
const tmp = tempDir('runbook-import-');
afterAll(() => tmp.cleanup());

/** The Markdown runbook embedded in the seed guide as a ```markdown block (its inner fences balanced). */
function extractFromSeed(text: string, title: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l, i) => l === '```markdown' && lines[i + 1] === `# ${title}`);
  const out: string[] = [];
  let inner = false;
  for (const l of lines.slice(start + 1)) {
    if (/^```\S/.test(l) && !inner) inner = true;
    else if (l.trim() === '```') {
      if (!inner) return `${out.join('\n')}\n`;
      inner = false;
    }
    out.push(l);
  }
  throw new Error(`no ${title} in the seed`);
}

/** Type-checks generated modules against the real DSL (strict, as a user's project would). */
function typeErrors(files: Record<string, string>): string[] {
  const project = new Project({ tsConfigFilePath: join(ROOT, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
  const sfs = Object.entries(files).map(([name, text]) => project.createSourceFile(join(ROOT, 'test', 'fixtures', 'review', 'import', `__check-${name}`), text, { overwrite: true }));
  return sfs.flatMap((sf) => sf.getPreEmitDiagnostics().map((d) => `${sf.getBaseName()}:${d.getLineNumber() ?? 0}: ${String(d.getMessageText())}`));
}

describe('import of the seed runbooks', () => {
  it.skipIf(!existsSync(SEED))('the fixtures are the runbooks of the seed guide, verbatim', () => {
    const seed = readFileSync(SEED, 'utf8');
    for (const s of SEEDS) expect(read(fixture('import', s.md))).toBe(extractFromSeed(seed, s.title));
  });

  for (const s of SEEDS) {
    it(`${s.title}: generates the committed module`, async () => {
      const r = importMarkdown(read(fixture('import', s.md)), s.md);
      await expect(r.module).toMatchFileSnapshot(`../../fixtures/review/import/${s.ts}`);
    });
  }

  it('the generated modules type-check against the DSL (strict)', () => {
    const files = Object.fromEntries(SEEDS.map((s) => [s.ts, importMarkdown(read(fixture('import', s.md)), s.md).module]));
    expect(typeErrors(files)).toEqual([]);
  });

  it('PAM: phases, confirms from "- [ ]", ssh from `ssh host` blocks, placeholders as params, a choice between alternatives', () => {
    const m = analyseSource('pam.ts', importMarkdown(read(fixture('import', 'pam-failover.md')), 'pam-failover.md').module);
    expect(m.id).toBe('pam-failover');
    expect(m.phases.map((p) => p.title)).toEqual(['Pre-Failover Checklist', 'Failover Steps', 'Post-Failover']);
    expect(m.steps.map((x) => [x.kind, x.id])).toEqual([
      ['confirm', 'confirm-primary-is-truly-unavailable'], ['confirm', 'verify-standby-is-healthy'], ['confirm', 'notify-stakeholders'], ['confirm', 'document-incident-start-time'],
      ['exec', 'stop-primary-if-accessible'], ['check', 'verify-standby-readiness'], ['confirm', 'confirm-replication-is-caught-up'], ['exec', 'promote-standby'],
      ['confirm', 'update-dns-instead'], ['exec', 'aws-alb'], ['exec', 'update-dns'],
      ['check', 'test-pvwa'], ['check', 'test-cpm'], ['check', 'test-psm'], ['confirm', 'notify-applications-done'],
      ['confirm', 'document-incident'], ['confirm', 'plan-primary-restoration'], ['confirm', 'review-failover-performance'],
    ]);
    const by = (id: string) => m.steps.find((x) => x.id === id);
    expect(by('stop-primary-if-accessible')?.action).toMatchObject({ callee: 'ssh', target: 'primary-vault.example.com', command: 'systemctl stop PrivateArk\nsystemctl stop cyberark-vault' });
    expect(by('test-cpm')?.action).toMatchObject({ callee: 'ssh', target: 'cpm.example.com', command: 'systemctl status cyberark-cpm' });
    // A vendor script that prompts gets a terminal: ssh -t, interactive.
    expect(by('promote-standby')?.action?.command).toBe('ssh -t standby-vault.example.com /opt/CyberArk/Vault/tools/PromoteStandby.sh');
    expect(by('promote-standby')?.options).toMatchObject({ interactive: 'true', description: 'Follow prompts' });
    expect(m.params.map((p) => p.name)).toEqual(['tgArn', 'standbyInstanceId']);
    expect(by('aws-alb')?.action?.command).toContain('--target-group-arn ${c.params.tgArn}');
    expect(by('update-dns-instead')?.options.onNo).toBe('continue');
    expect(by('aws-alb')?.options.when).toBe("c.steps['update-dns-instead'].value !== true");
    expect(by('update-dns')?.options.when).toBe("c.steps['update-dns-instead'].value === true");
    expect(by('notify-applications-done')?.options.description).toBe('- Update application configurations if needed\n- Restart applications using PAM');
  });

  it('PostgreSQL: prose becomes the description, one step per commented part of a block, read-only parts as checks', () => {
    const m = analyseSource('pg.ts', importMarkdown(read(fixture('import', 'postgresql-failover.md')), 'postgresql-failover.md').module);
    expect(m.steps.map((x) => [x.phase, x.kind, x.id])).toEqual([
      ['Automatic Failover (Patroni)', 'check', 'automatic-failover-patroni'],
      ['Manual Failover (if needed)', 'check', 'check-current-state'],
      ['Manual Failover (if needed)', 'exec', 'perform-switchover-to-specific-node'],
      ['Manual Failover (if needed)', 'check', 'verify'],
      ['Verify Conjur Connection', 'check', 'verify-conjur-connection'],
    ]);
    expect(m.steps[0]?.options.description).toBe('Patroni handles failover automatically. Monitor with:');
    expect(m.steps[2]?.action?.destructive).toEqual(['switchover']);
  });

  for (const s of SEEDS) {
    it(`${s.title}: the committed module plans and dry-runs through the CLI`, async () => {
      const file = `test/fixtures/review/import/${s.ts}`;
      const plan = await runCli(['plan', file]);
      expect(plan.code, plan.stderr).toBe(0);
      const dry = await runCli(['run', file, '--dry-run', '--ui', 'plain', '--store', join(tmp.dir, 'store'), ...s.params]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('nothing was run');
      if (s.ts === 'pam-failover.ts') {
        expect(dry.stdout).toContain('ssh primary-vault.example.com: systemctl stop PrivateArk');
        expect(dry.stdout).toContain('--target-group-arn arn:aws:elasticloadbalancing:tg/1');
      } else {
        expect(dry.stdout).toContain('patronictl switchover --master patroni-0 --candidate patroni-1 --force');
      }
    });
  }
});

describe('import features', () => {
  const r = importMarkdown(read(fixture('import', 'features.md')), 'features.md');
  const m = analyseSource('features.ts', r.module);
  const by = (id: string) => m.steps.find((x) => x.id === id);

  it('reads the RTO from the text, keeps ids unique, turns a trailing "# Confirm …" into a question', () => {
    expect(m.rto).toEqual({ text: '15m', ms: 900_000 });
    expect(m.description).toBe('Fail the vault over to the standby site. RTO: 15 min.');
    expect(m.steps.filter((x) => x.title === 'Stop the primary').map((x) => x.id)).toEqual(['stop-the-primary', 'stop-the-primary-2']);
    expect(by('confirm-the-service-is-stopped')?.title).toBe('Confirm the service is stopped?');
    expect(by('page-the-vault-owner')).toMatchObject({ title: 'Page the vault owner?', options: { description: 'Their number is in the on-call sheet.\n\nA plain bullet is prose, not a step.' } });
  });

  it('ssh with a placeholder host, console prompts, a non-shell block kept as a description', () => {
    expect(by('stop-the-primary-2')?.action).toMatchObject({ callee: 'ssh', target: '${c.params.primaryHost}', command: 'systemctl stop vault-agent' });
    expect(by('promote')?.action?.command).toBe('vault-promote --site dr');
    expect(by('configuration-done')?.options.description).toBe('```yaml\nreplication: off\n```');
    expect(r.notes).toEqual(['the yaml code block at line 28 is kept as a description (only shell blocks become steps).']);
    expect(typeErrors({ 'features.ts': r.module })).toEqual([]);
  });

  it('--plain-ssh writes sh`ssh host …` instead of the ssh DSL', () => {
    const plain = importMarkdown(read(fixture('import', 'features.md')), 'features.md', { plainSsh: true });
    expect(plain.module).not.toMatch(/\bssh\(/);
    expect(analyseSource('p.ts', plain.module).steps.find((x) => x.id === 'stop-the-primary')?.action?.command).toBe("ssh ops@vault-1 'systemctl stop vault'");
  });

  it('escapes what a template literal would interpret (backticks, ${, backslashes)', () => {
    const md = '# Esc\n\n## Go\n\n```bash\necho "`date`" ${HOME} \\\n  done\n```\n';
    const out = importMarkdown(md, 'esc.md').module;
    expect(analyseSource('esc.ts', out).steps[0]?.action?.command).toBe('echo "`date`" ${HOME} \\\n  done');
  });
});

describe('runbook import (CLI)', () => {
  it('writes --out, refuses to overwrite without --force, and tells what to give', async () => {
    const out = join(tmp.dir, 'pam.ts');
    const r = await runCli(['import', 'test/fixtures/review/import/pam-failover.md', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote ${out}: 18 steps.`);
    expect(r.stderr).toContain('give them with -p tgArn=… -p standbyInstanceId=…');
    expect(readFileSync(out, 'utf8')).toBe(read(fixture('import', 'pam-failover.ts')));
    const again = await runCli(['import', 'test/fixtures/review/import/pam-failover.md', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; give --force/);
    writeFileSync(out, 'old');
    expect((await runCli(['import', 'test/fixtures/review/import/pam-failover.md', '--out', out, '--force', '--id', 'vault-dr', '--rto', '15m'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain("runbook('vault-dr', {\n  title: 'PAM Failover Runbook',\n  rto: '15m',");
  });

  it('malformed Markdown and bad input exit 2 with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['import', 'test/fixtures/review/import/malformed/no-headings.md'], /no-headings\.md has no headings\. A Markdown runbook needs a "# Title"/],
      [['import', 'test/fixtures/review/import/malformed/unterminated-fence.md'], /the code block opened at line 5 \(```bash\) is never closed.*Close it with a ``` line/],
      [['import', 'test/fixtures/review/import/malformed/no-steps.md'], /has headings but no steps under them/],
      [['import', 'nope.md'], /import: file not found: nope\.md/],
      [['import', 'test/fixtures/review/import/features.md', '--id', 'Bad Id'], /--id "Bad Id" is not kebab-case/],
      [['import', 'test/fixtures/review/import/features.md', '--rto', 'soon'], /--rto "soon" is not a duration/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    }
  });
});
