// The analyser reads the plan from source: ids, kinds, titles, phases, lines, actions as written, options.
import { describe, expect, it } from 'vitest';
import { analyseFile, analyseSource } from '../../../review/source/analyse.js';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { fixture } from '../helpers.js';

describe('analyseSource', () => {
  it('reads examples/hello.ts: phases, steps with kind, id, title, line, command and options', () => {
    const m = analyseFile(join(ROOT, 'examples', 'hello.ts'));
    expect(m).toMatchObject({ id: 'hello', title: 'Hello, runbook', rto: { text: '2m', ms: 120_000 } });
    expect(m.phases.map((p) => p.title)).toEqual(['Assess', 'Act', 'Tell']);
    expect(m.params.map((p) => [p.name, p.type, p.default])).toEqual([['who', 'string', '"on-call"'], ['workdir', 'string', '"/tmp/runbook-hello"']]);
    expect(m.steps.map((s) => [s.kind, s.id, s.phase, s.pos.line])).toEqual([
      ['check', 'shell-works', 'Assess', 14], ['check', 'tmp-writable', 'Assess', 15], ['check', 'load', 'Assess', 16], ['confirm', 'go-ahead', 'Assess', 20],
      ['exec', 'make-workdir', 'Act', 24], ['exec', 'greet', 'Act', 25], ['check', 'greeting-written', 'Act', 28], ['exec', 'count-words', 'Act', 29],
      ['notify', 'announce', 'Tell', 31],
    ]);
    const by = (id: string) => m.steps.find((s) => s.id === id);
    expect(by('tmp-writable')?.action?.command).toBe('test -w /tmp'); // a literal interpolation is shown as the shell gets it
    expect(by('make-workdir')?.action?.text).toBe('sh: mkdir -p ${c.params.workdir}');
    expect(by('greet')?.options.estimate).toEqual({ text: '1s', ms: 1000 });
    expect(by('go-ahead')?.options.description).toBe('This writes one small file under the scratch directory.');
    expect(by('count-words')?.action).toMatchObject({ callee: 'fn', readOnly: true });
    expect(by('count-words')?.mutating).toBe(false);
    expect(by('make-workdir')?.mutating).toBe(true);
    expect(by('announce')?.message?.text).toContain("c.steps['count-words'].value");
  });

  it('reads builders it does not know generically, with targets, destructive verbs, fences, masks', () => {
    const m = analyseFile(fixture('plan', 'generic-actions.js'));
    const by = (id: string) => m.steps.find((s) => s.id === id);
    expect(m.lockKey).toBe('c.params.cluster');
    expect(m.params.find((p) => p.name === 'cluster')).toMatchObject({ type: 'enum', values: ['eu', 'us'], default: '"eu"' });
    expect(m.params.find((p) => p.name === 'webhook')).toMatchObject({ type: 'secret', env: 'SLACK_WEBHOOK_URL', optional: true });
    expect(by('lag')?.action).toMatchObject({ callee: 'pg.query', command: 'select pg_last_wal_replay_lsn()', readOnly: true });
    expect(by('lag')?.options.timeout).toEqual({ text: '10s', ms: 10_000 });
    expect(by('health')?.action?.target).toBe('https://admin:***@api.example.com/health');
    expect(by('health')?.action?.text).not.toContain('hunter2');
    expect(by('uname')?.action).toMatchObject({ callee: 'ssh', target: 'ops@${c.params.standby}:2222', command: 'uname -a' });
    expect(by('fleet')?.action).toMatchObject({ callee: 'ssh.each', target: 'web-1, web-2', command: 'uptime' });
    expect(by('stop-vault')?.action).toMatchObject({ callee: 'ssh', target: 'ops@vault-1', destructive: ['stop a service'] });
    expect(by('scale-down')?.action?.destructive).toEqual(['scale to 0']);
    expect(by('switchover')?.action?.destructive).toEqual(['switchover']);
    expect(by('switchover')?.options.continueOnError).toBe('true');
    expect(by('flush')?.action?.destructive).toEqual(['flush']);
    expect(by('promote')?.action).toMatchObject({ hasFence: true });
    expect(by('promote')?.action?.parts.map((p) => p.role)).toEqual(['precheck', 'fence', 'action', 'verify']);
    expect(by('record')?.options).toMatchObject({ when: "c.params.cluster === 'eu'", estimate: { text: '2s', ms: 2000 }, interactive: 'false' });
    expect(by('tell')).toMatchObject({ title: 'Notify slack', action: { target: '${c.params.webhook}' } });
  });

  it('reads a chain built through a variable and reassignments, and says what it cannot list', () => {
    const m = analyseFile(fixture('plan', 'split-chain.ts'));
    expect(m.steps.map((s) => `${s.phase}/${s.id}`)).toEqual(['One/first', 'Two/second', 'Two/done']);
    expect(m.notes.map((n) => n.message)).toEqual(['steps added to "b" inside a loop or a branch are not listed by static review']);
  });

  it('reads a runbook that would fail at run time (duplicate id, bad rto, bad option)', () => {
    const m = analyseFile(fixture('plan', 'would-fail.ts'));
    expect(m.id).toBe('Would_Fail');
    expect(m.rto).toEqual({ text: 'soon', ms: undefined });
    expect(m.steps.map((s) => s.id)).toEqual(['twice', 'twice']);
    expect(m.steps[1]?.options.waitUntil).toBe("{ timeout: '1m' }");
  });

  it('follows an aliased import, `export { x as default }`, and consts holding actions', () => {
    const src = [
      "import { runbook as rb, sh } from 'runbook';",
      "const restart = sh`systemctl restart ${'my app'}`;",
      "const book = rb('aliased', { title: 'Aliased' }).exec('restart', 'Restart', restart, { timeout: 90_000 });",
      'export { book as default };',
    ].join('\n');
    const m = analyseSource('aliased.ts', src);
    expect(m.steps[0]?.action).toMatchObject({ callee: 'sh', command: "systemctl restart 'my app'", source: "restart = sh`systemctl restart ${'my app'}`" });
    expect(m.steps[0]?.options.timeout).toEqual({ text: '90000', ms: 90_000 });
  });

  it('refuses a module that does not export a runbook, naming the file', () => {
    expect(() => analyseSource('helper.ts', 'export const x = 1;')).toThrow(/helper\.ts is not a runbook/);
    expect(() => analyseSource('num.ts', 'export default 42;')).toThrow(/num\.ts is not a runbook/);
    expect(() => analyseSource('other.ts', "import { other } from 'x'; export default other('a').exec('b');")).toThrow(/not a runbook/);
  });

  it('keeps reading after a syntax error and says so', () => {
    const m = analyseSource('broken.ts', "import { runbook, sh } from 'runbook';\nexport default runbook('b', { title: 'B' }).exec('a', 'A', sh`ls`);\nconst = ;\n");
    expect(m.steps.map((s) => s.id)).toEqual(['a']);
    expect(m.notes[0]?.message).toMatch(/^syntax error/);
  });
});
