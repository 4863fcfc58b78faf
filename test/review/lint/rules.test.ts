// Each lint rule against a fixture that must pass it (and every other rule) and one that must fail it.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../review/lint/lint.js';
import { RULES } from '../../../review/lint/rules/index.js';
import type { Finding } from '../../../review/lint/types.js';
import { fixture, read } from '../helpers.js';

const config = { severities: {}, source: undefined };

function lint(rule: string, which: 'pass' | 'fail'): readonly Finding[] {
  const file = fixture('lint', rule, `${which}.ts`);
  const r = lintSource(file, read(file), config);
  if (r === undefined) throw new Error(`${file} is not read as a runbook`);
  return r.findings;
}

const of = (fs: readonly Finding[], rule: string): Finding[] => fs.filter((f) => f.rule === rule);

describe('lint rules', () => {
  it('every rule has a fixture folder, an id, a one-line rationale and a fix', () => {
    const dirs = readdirSync(fixture('lint')).sort();
    expect(dirs).toEqual(RULES.map((r) => r.id).sort());
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(r.rationale).not.toContain('\n');
      expect(r.fix).not.toContain('\n');
      expect(r.rationale.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(10);
    }
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('passes its clean fixture (which passes every other rule too)', () => {
        expect(lint(rule.id, 'pass')).toEqual([]);
      });
      it('fails its failing fixture, with the rule id, the fix and a position', () => {
        const hits = of(lint(rule.id, 'fail'), rule.id);
        expect(hits.length).toBeGreaterThan(0);
        for (const h of hits) {
          expect(h.fix).toBe(rule.fix);
          expect(h.severity).toBe(rule.severity);
          expect(h.line).toBeGreaterThan(0);
        }
      });
    });
  }

  it('names what it found', () => {
    expect(of(lint('duplicate-step-id', 'fail'), 'duplicate-step-id').map((f) => f.message)).toEqual(['step id "look" is already used by the step at line 5']);
    expect(of(lint('kebab-case-id', 'fail'), 'kebab-case-id').map((f) => f.message)).toEqual([
      'runbook id "Kebab_Fail" is not a kebab-case literal',
      'step id "lookAtLoad" is not kebab-case',
      'the id of check "Computed id" is an expression (dynamic), not a literal: it cannot be reviewed or resumed by name',
    ]);
    expect(of(lint('destructive-needs-confirm', 'fail'), 'destructive-needs-confirm').map((f) => [f.step, f.message.replace(/.*\((.*)\).*/, '$1')])).toEqual([
      ['stop-vault', 'stop a service'],
      ['drop-db', 'drop'],
      ['scale-down', 'scale to 0'],
      ['move-dns', 'DNS change'],
      ['clean', 'rm'],
    ]);
    expect(of(lint('literal-secret', 'fail'), 'literal-secret').map((f) => [f.line, f.message])).toEqual([
      [4, 'a literal value for "password" is written in the source'],
      [8, 'a password in a URL is written in the source'],
      [9, 'a PagerDuty routing key is written in the source'],
      [11, 'a Slack webhook URL is written in the source'],
    ]);
    expect(of(lint('notify-start-end', 'fail'), 'notify-start-end').map((f) => f.message)).toEqual([
      'no notify before the first change (exec "restore")',
      'no notify after the last change (exec "restore")',
    ]);
    expect(of(lint('unreachable-step', 'fail'), 'unreachable-step').map((f) => f.step)).toEqual(['never', 'never-either']);
    expect(of(lint('promote-needs-gate', 'fail'), 'promote-needs-gate')[0]?.message).toBe('promote "promote" has neither a confirm nor a fence before it');
    expect(of(lint('missing-rto', 'fail'), 'missing-rto')[0]?.message).toBe('runbook "no-rto" has no rto');
  });

  it('never prints the secret it found', () => {
    const text = JSON.stringify(lint('literal-secret', 'fail'));
    for (const secret of ['hunter2', 's3cr3tpass', '0123456789abcdef0123456789abcdef', 'FAKEFAKEFAKE']) expect(text).not.toContain(secret);
  });

  it('honours runbook-lint-disable-next-line and severities', () => {
    const src = read(fixture('lint', 'missing-rto', 'fail.ts')).replace("export default", '// runbook-lint-disable-next-line missing-rto\nexport default');
    expect(lintSource('x.ts', src, config)?.findings.filter((f) => f.rule === 'missing-rto')).toEqual([]);
    const off = lintSource('x.ts', read(fixture('lint', 'missing-rto', 'fail.ts')), { severities: { 'missing-rto': 'off' }, source: undefined });
    expect(off?.findings).toEqual([]);
    const err = lintSource('x.ts', read(fixture('lint', 'missing-rto', 'fail.ts')), { severities: { 'missing-rto': 'error' }, source: undefined });
    expect(err?.findings.map((f) => f.severity)).toEqual(['error']);
  });
});

describe('literal-secret, more shapes', () => {
  const find = (src: string): string[] =>
    (lintSource('s.ts', `import { runbook, sh, notify, param } from 'runbook';\n${src}`, config)?.findings ?? []).filter((f) => f.rule === 'literal-secret').map((f) => f.message);
  const head = "export default runbook('s', { title: 'S', rto: '1m' })";

  it('finds tokens, keys and passwords in calls, templates and params', () => {
    expect(find(`${head}.notify('p', notify.pagerduty('0123456789abcdef0123456789abcdef'), 'x');`)).toEqual(['a PagerDuty routing key is written in the source']);
    expect(find(`${head}.exec('g', 'G', sh\`curl -H 'Authorization: Bearer abcdefghijklmnop1234567890' https://api\`);`)).toEqual(['a bearer token is written in the source']);
    expect(find(`${head}.exec('m', 'M', sh\`mysql --password=Sup3rSecret db\`);`)).toEqual(['a password or token on a command line is written in the source']);
    expect(find(`${head}.exec('e', 'E', sh\`PGPASSWORD=Sup3rSecret psql -h db1\`);`)).toEqual(['a password or token in an environment assignment is written in the source']);
    expect(find(`export default runbook('s', { title: 'S', rto: '1m', params: { t: param.string({ default: 'ghp_abcdefghijklmnopqrstuvwxyz0123' }) } }).exec('a', 'A', sh\`true\`);`)).toEqual(['a GitHub token is written in the source']);
  });

  it('leaves references, placeholders and env names alone', () => {
    expect(find(`${head}.exec('a', 'A', sh\`mysql --password=\${(c) => c.params.t} db\`).exec('b', 'B', sh\`PGPASSWORD=$PW psql\`).exec('c', 'C', sh\`curl https://u:<password>@h\`);`)).toEqual([]);
    expect(find(`export default runbook('s', { title: 'S', rto: '1m', params: { token: param.secret({ env: 'API_TOKEN', description: 'the API token' }) } }).exec('a', 'A', sh\`true\`);`)).toEqual([]);
  });
});
