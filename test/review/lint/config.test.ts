// Rule severities from .runbooklintrc.json or package.json "runbook.lint", and the lint CLI's exit codes.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLintConfig } from '../../../review/lint/config.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { fixture, noStack } from '../helpers.js';

const tmp = tempDir('runbook-lint-');
afterAll(() => tmp.cleanup());

function project(name: string, files: Record<string, string>): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'runbooks'), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  cpSync(fixture('lint', 'missing-rto', 'fail.ts'), join(dir, 'runbooks', 'no-rto.ts'));
  cpSync(fixture('lint', 'destructive-needs-confirm', 'fail.ts'), join(dir, 'runbooks', 'destructive.ts'));
  return dir;
}

describe('lint config', () => {
  it('reads package.json "runbook.lint.rules", nearest up from the working directory', () => {
    const dir = project('pkg', { 'package.json': JSON.stringify({ name: 'x', runbook: { lint: { rules: { 'missing-rto': 'error' } } } }) });
    const c = loadLintConfig(undefined, join(dir, 'runbooks'));
    expect(c.severities).toEqual({ 'missing-rto': 'error' });
    expect(c.source).toBe(join(dir, 'package.json'));
  });

  it('prefers .runbooklintrc.json in the same folder', () => {
    const dir = project('rc', { 'package.json': JSON.stringify({ runbook: { lint: { rules: { 'missing-rto': 'error' } } } }), '.runbooklintrc.json': JSON.stringify({ rules: { 'missing-rto': 'off' } }) });
    expect(loadLintConfig(undefined, dir).severities).toEqual({ 'missing-rto': 'off' });
  });

  it('rejects unknown rules and severities, and bad JSON, as usage errors', () => {
    const bad = project('bad', { '.runbooklintrc.json': JSON.stringify({ rules: { 'no-such-rule': 'error' } }) });
    expect(() => loadLintConfig(undefined, bad)).toThrow(/unknown lint rule "no-such-rule"/);
    const sev = project('sev', { '.runbooklintrc.json': JSON.stringify({ rules: { 'missing-rto': 'fatal' } }) });
    expect(() => loadLintConfig(undefined, sev)).toThrow(/use "off", "warn" or "error"/);
    const json = project('json', { '.runbooklintrc.json': '{ rules: ' });
    expect(() => loadLintConfig(undefined, json)).toThrow(/not valid JSON/);
  });
});

describe('runbook lint (CLI)', () => {
  it('exits 1 on errors, 0 on warnings only; severities from package.json turn a warning into an error', async () => {
    const dir = project('cli', { 'package.json': JSON.stringify({ runbook: { lint: { rules: { 'destructive-needs-confirm': 'warn' } } } }) });
    const warnOnly = await runCli(['lint'], { cwd: dir });
    expect(warnOnly.code).toBe(0);
    expect(warnOnly.stdout).toMatch(/runbooks\/destructive\.ts\n\s+6:4\s+warn\s+destructive-needs-confirm/);
    expect(warnOnly.stdout).toMatch(/! 0 errors, \d+ warnings in 2 runbooks/);
    const strict = project('cli2', { 'package.json': JSON.stringify({ runbook: { lint: { rules: { 'missing-rto': 'error' } } } }) });
    const r = await runCli(['lint', 'runbooks/no-rto.ts'], { cwd: strict });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error  missing-rto');
    expect(r.stdout).toContain('How to fix:');
  });

  it('prints Markdown and JSON, and lists the rules', async () => {
    const md = await runCli(['lint', fixture('lint', 'confirm-is-question', 'fail.ts'), '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| ⚠️ | `confirm-is-question` |');
    expect(md.stdout).toContain('<details><summary>Why these rules</summary>');
    const json = await runCli(['lint', fixture('lint', 'duplicate-step-id', 'fail.ts'), '--format', 'json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { summary: { errors: number }; files: { findings: { rule: string; line: number }[] }[]; rules: { id: string; rationale: string }[] };
    expect(parsed.summary.errors).toBe(1);
    expect(parsed.files[0]?.findings[0]).toMatchObject({ rule: 'duplicate-step-id', line: 7 });
    expect(parsed.rules[0]?.id).toBe('duplicate-step-id');
    const rules = await runCli(['lint', '--rules']);
    expect(rules.code).toBe(0);
    expect(rules.stdout.split('\n').filter((l) => /^[a-z]/.test(l))).toHaveLength(12);
  });

  it('skips files in folders that are not runbooks; a named file that is not one is bad input', async () => {
    const dir = project('mixed', { 'runbooks/helper.ts': 'export const x = 1;\n' });
    const r = await runCli(['lint', 'runbooks'], { cwd: dir });
    expect(r.stdout).toContain('(1 other file skipped: not runbooks)');
    const named = await runCli(['lint', 'runbooks/helper.ts'], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/runbooks\/helper\.ts is not a runbook/);
    noStack(named.stderr);
  });

  it('bad input exits 2 with one clear line: missing path, bad --format, bad config, empty folder', async () => {
    const dir = project('badin', { '.runbooklintrc.json': JSON.stringify({ rules: { nope: 'off' } }) });
    const cases: [string[], RegExp, string?][] = [
      [['lint', 'no/such/file.ts'], /Not found: no\/such\/file\.ts/],
      [['lint', fixture('lint'), '--format', 'xml'], /unknown --format "xml"/],
      [['lint', 'runbooks'], /unknown lint rule "nope"/, dir],
      [['lint', fixture('..', '..', 'helpers')], /no runbooks in/],
    ];
    for (const [args, re, cwd] of cases) {
      const r = await runCli(args, cwd ? { cwd } : {});
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      noStack(r.stderr);
    }
  });
});
