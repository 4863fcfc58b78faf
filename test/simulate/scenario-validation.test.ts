// Bad scenarios are refused at load, before anything is journaled: exit 2, one paragraph naming the
// field (or the unknown step) and the fix, no stack trace.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const RUNBOOK = fileURLToPath(new URL('../fixtures/simulate/failover.ts', import.meta.url));
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('runbook-bad-scenario-');
});
afterAll(() => tmp.cleanup());

const cases: { name: string; file: string; text: string; says: string[] }[] = [
  { name: 'unknown step id (with a suggestion)', file: 'a.yaml', text: 'steps:\n  standby-lags:\n    fail: 1\n', says: ['steps.standby-lags', 'no step "standby-lags"', 'did you mean "standby-lag"'] },
  { name: 'unknown top-level field', file: 'b.yaml', text: 'name: x\nsteps: {}\nevent: []\n', says: ['event', 'unknown field "event"', 'Allowed: runbook, name'] },
  { name: 'unknown field in a step', file: 'c.yaml', text: 'steps:\n  leader:\n    fails: 2\n', says: ['steps.leader.fails', 'unknown field "fails"'] },
  { name: 'bad duration', file: 'd.yaml', text: 'steps:\n  leader:\n    duration: soon\n', says: ['steps.leader.duration', '"soon" is not a duration'] },
  { name: 'fail.times not a whole number', file: 'e.yaml', text: 'steps:\n  leader:\n    fail: { times: 1.5 }\n', says: ['steps.leader.fail.times', 'whole number'] },
  { name: 'answer on a step that is not a confirm', file: 'f.yaml', text: 'steps:\n  leader:\n    answer: yes\n', says: ['steps.leader.answer', 'unknown field "answer"', 'check step'] },
  { name: 'fail on a confirm', file: 'g.yaml', text: 'steps:\n  really-down:\n    fail: 1\n', says: ['steps.really-down.fail', "confirm step's script"] },
  { name: 'events not a list', file: 'h.yaml', text: 'events:\n  at: 3m\n', says: ['events', 'expected a list'] },
  { name: 'event without say', file: 'i.yaml', text: 'events:\n  - at: 3m\n    set: { lag: 0 }\n', says: ['events[0].say', 'missing'] },
  { name: 'event at a bad time', file: 'j.yaml', text: 'events:\n  - at: -5\n    say: boom\n', says: ['events[0].at', 'not a duration'] },
  { name: 'bad failure choice', file: 'k.yaml', text: 'steps:\n  leader:\n    onFailure: [retry, ignore]\n', says: ['steps.leader.onFailure[1]', '"ignore" is not a choice'] },
  { name: 'condition on unknown state', file: 'l.yaml', text: 'steps:\n  leader:\n    failWhen: { state: lag, gt: 5 }\n', says: ['steps.leader.failWhen.state', '"lag" is not in the scenario state'] },
  { name: 'condition without comparison', file: 'm.yaml', text: 'state: { lag: 1 }\nsteps:\n  leader:\n    failWhen: { state: lag }\n', says: ['steps.leader.failWhen', 'needs a comparison'] },
  { name: 'scenario for another runbook', file: 'n.yaml', text: 'runbook: redis-failover\n', says: ['runbook', 'for runbook "redis-failover"', '"sim-failover"'] },
  { name: 'YAML syntax error with its line', file: 'o.yaml', text: 'name: x\nsteps:\n  leader: [unclosed\n', says: ['not valid YAML', 'line'] },
  { name: 'invalid JSON', file: 'p.json', text: '{"name": "x",}', says: ['not valid JSON'] },
  { name: 'not a map', file: 'q.yaml', text: '- just\n- a list\n', says: ['expected a map of fields, got a list'] },
  { name: 'a function field in YAML is impossible; output must be text', file: 'r.yaml', text: 'steps:\n  leader:\n    output: { text: 1 }\n', says: ['steps.leader.output', 'as text'] },
  { name: 'an event sets a key the state does not declare (typo)', file: 'v.yaml', text: 'state: { lagBytes: 1 }\nevents:\n  - { at: 3m, say: caught up, set: { lagByte: 0 } }\n', says: ['events[0].set.lagByte', '"lagByte" is not in the scenario state (did you mean "lagBytes"?)'] },
  { name: 'an output template names an undeclared key', file: 'w.yaml', text: 'state: { lagBytes: 1 }\nsteps:\n  standby-lag:\n    output: "{{lagg}}"\n', says: ['steps.standby-lag.output', '"lagg" is not in the scenario state'] },
  { name: 'an article that fits: "an exec step"', file: 'x.yaml', text: 'steps:\n  fence-old:\n    answer: yes\n', says: ["in an exec step's script"] },
  { name: 'a param the runbook does not have', file: 'y.yaml', text: 'params: { standbyy: db2 }\n', says: ['params.standbyy', 'has no param "standbyy"', 'Its params: standby, marker'] },
  { name: 'unknown file kind', file: 's.txt', text: 'name: x', says: ['unknown kind of file ".txt"'] },
  { name: 'TS module whose default export is not a scenario', file: 't.ts', text: 'export default { name: "x" };\n', says: ['is not a scenario', "import scenario from 'runbook'"] },
];

describe('bad scenarios → exit 2 naming the field', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const file = join(tmp.dir, c.file);
      writeFileSync(file, c.text);
      const store = join(tmp.dir, `store-${c.file}`);
      const r = await runCli(['run', RUNBOOK, '--simulate', file, '--auto', '--ui', 'plain', '--store', store]);
      expect(r.code, r.stderr).toBe(2);
      for (const s of c.says) expect(r.stderr).toContain(s);
      expect(r.stderr).toContain(c.file.endsWith('.txt') ? 's.txt' : `Scenario ${file}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(existsSync(store)).toBe(false);
    });
  }

  it('a missing scenario file', async () => {
    const r = await runCli(['run', RUNBOOK, '--simulate', join(tmp.dir, 'nope.yaml'), '--auto']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Scenario file not found');
  });

  it('a typed scenario for another runbook', async () => {
    const other = join(tmp.dir, 'other.ts');
    writeFileSync(other, "import { runbook, sh } from 'runbook';\nexport default runbook('other', { title: 'Other' }).exec('x', 'X', sh`true`);\n");
    const file = join(tmp.dir, 'u.ts');
    writeFileSync(file, "import { scenario } from 'runbook';\nimport other from './other.js';\nexport default scenario(other, { name: 'u' });\n");
    const r = await runCli(['run', RUNBOOK, '--simulate', file, '--auto']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is written for runbook "other", but the runbook given is "sim-failover"');
  });
});
