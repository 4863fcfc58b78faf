// Bad input, end to end: every case runs the CLI as a subprocess and must exit 2 with a message
// that names the problem, without a stack trace, and without leaving a journal behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

/** Runbook sources written into a temp dir. `.js`/`.mjs` ones are plain JS: no types to catch mistakes. */
const FIXTURES: Record<string, string> = {
  'params.ts': `
import { param, runbook, sh } from 'runbook';
export default runbook('params-fixture', {
  title: 'Params fixture',
  params: {
    target: param.string({ env: 'RB_E2E_TARGET', description: 'file the step creates' }),
    replicas: param.number({ default: 1, env: 'RB_E2E_REPLICAS' }),
    force: param.boolean({ default: false }),
    region: param.enum(['eu', 'us'], { default: 'eu' }),
  },
}).exec('touch-target', 'Create the target file', sh\`touch \${(c) => c.params.target}\`);
`,
  'secret.ts': `
import { param, runbook, sh } from 'runbook';
export default runbook('secret-fixture', {
  title: 'Secret fixture',
  params: { token: param.secret({ env: 'RB_E2E_TOKEN' }) },
}).exec('use-token', 'Use the token', sh\`echo \${(c) => c.params.token.length}\`);
`,
  'no-default.ts': `
import { runbook, sh } from 'runbook';
export const book = runbook('no-default', { title: 'Named export only' }).exec('one', 'One', sh\`true\`);
`,
  'not-a-runbook.ts': `
export default { id: 'not-a-runbook', title: 'A plain object', steps: [] };
`,
  // line 5 has the mistake
  'syntax-error.ts': `import { runbook, sh } from 'runbook';

export default runbook('syntax-error', { title: 'Broken' })
  .check('one', 'One', sh\`true\`)
  .exec('two', 'Two', sh\`true\`, { timeout: '1s' )
  .exec('three', 'Three', sh\`true\`);
`,
  'throws.ts': `
import { runbook } from 'runbook';
const hosts = (process.env.RB_E2E_UNSET_HOSTS ?? '').split(',').filter(Boolean);
if (hosts.length === 0) throw new Error('boom at load: no hosts configured');
export default runbook('throws', { title: 'Never built' });
`,
  'duplicate-id.js': `
import { runbook, sh } from 'runbook';
export default runbook('duplicate-id', { title: 'Duplicate ids' })
  .exec('restart', 'Restart', sh\`true\`)
  .check('status', 'Status', sh\`true\`)
  .exec('restart', 'Restart again', sh\`true\`);
`,
  'bad-step-id.mjs': `
import { runbook, sh } from 'runbook';
export default runbook('bad-step-id', { title: 'Bad step id' }).exec('Restart_Service', 'Restart', sh\`true\`);
`,
  'bad-runbook-id.js': `
import { runbook, sh } from 'runbook';
export default runbook('My Runbook', { title: 'Bad runbook id' }).exec('one', 'One', sh\`true\`);
`,
  'unknown-option.js': `
import { runbook, sh } from 'runbook';
export default runbook('unknown-option', { title: 'Unknown option' }).exec('flaky', 'Flaky', sh\`true\`, { retries: 3 });
`,
  'bad-duration.js': `
import { runbook, sh } from 'runbook';
export default runbook('bad-duration', { title: 'Bad duration' }).exec('slow', 'Slow', sh\`true\`, { timeout: '5 minutes' });
`,
  'bad-retry.js': `
import { runbook, sh } from 'runbook';
export default runbook('bad-retry', { title: 'Bad retry' }).exec('flaky', 'Flaky', sh\`true\`, { retry: { attempts: 0 } });
`,
  'steps.ts': `
import { runbook, sh } from 'runbook';
export default runbook('steps-fixture', { title: 'Steps fixture' })
  .exec('get-leader', 'Find the leader', sh\`echo db2\`, { parse: (out) => out.trim() })
  .exec('use-leader', 'Use the leader', sh\`echo \${(c) => c.steps['get-leader'].value}\`)
  .exec('independent', 'Independent', sh\`true\`);
`,
  'confirm.ts': `
import { runbook, sh } from 'runbook';
export default runbook('confirm-fixture', { title: 'Needs a yes' })
  .check('look', 'Look', sh\`true\`)
  .confirm('go-ahead', 'Really fail over?')
  .exec('act', 'Act', sh\`true\`);
`,
  'unknown-ref.js': `
import { runbook, sh } from 'runbook';
export default runbook('unknown-ref', { title: 'Reads a step that does not exist' })
  .exec('a', 'A', sh\`true\`)
  .exec('b', 'B', sh\`echo \${(c) => c.steps['promote-db'].value}\`);
`,
  'later-ref.js': `
import { runbook, sh } from 'runbook';
export default runbook('later-ref', { title: 'Reads a later step' })
  .exec('a', 'A', sh\`echo \${(c) => c.steps.leader.value}\`)
  .exec('leader', 'Leader', sh\`true\`);
`,
  'interactive.ts': `
import { runbook, sh } from 'runbook';
export default runbook('interactive-fixture', { title: 'Needs a terminal' })
  .exec('vendor-script', 'Vendor script that prompts', sh\`true\`, { interactive: true });
`,
  'good.ts': `
import { runbook, sh } from 'runbook';
export default runbook('good-fixture', { title: 'Good' })
  .check('one', 'One', sh\`true\`)
  .exec('two', 'Two', sh\`true\`);
`,
};

interface Ctx {
  /** Folder with the runbook fixtures. */
  readonly fx: string;
  /** A fresh, empty store for this case. */
  readonly store: string;
  /** A fresh, empty working directory for this case (the CLI's cwd). */
  readonly work: string;
  /** Stores prepared in beforeAll. */
  readonly stores: { readonly good: string; readonly corrupt: string; readonly newer: string; readonly empty: string; readonly ambiguous: string };
  /** The id of the run in each prepared store. */
  readonly runId: string;
}

interface Case {
  readonly name: string;
  readonly args: (c: Ctx) => string[];
  /** Substrings (or patterns) the error message must contain: they name the problem. */
  readonly says: (c: Ctx) => (string | RegExp)[];
  readonly env?: Record<string, string | undefined>;
}

const p = (c: Ctx, ...rest: string[]): string[] => ['run', join(c.fx, 'params.ts'), '--store', c.store, ...rest];
const target = (c: Ctx): string => `target=${join(c.work, 'target')}`;

const CASES: readonly Case[] = [
  // params
  { name: 'unknown param', args: (c) => p(c, '-p', target(c), '-p', 'colour=red'), says: () => ['Unknown param "colour"', 'params-fixture', 'target, replicas, force, region'] },
  { name: 'number param that is not a number', args: (c) => p(c, '-p', target(c), '-p', 'replicas=three'), says: () => ['"replicas"', 'a number', '"three"'] },
  { name: 'number param from the environment that is not a number', args: (c) => p(c, '-p', target(c)), env: { RB_E2E_REPLICAS: 'lots' }, says: () => ['"replicas"', 'environment variable RB_E2E_REPLICAS', '"lots"'] },
  { name: 'boolean param that is not a boolean', args: (c) => p(c, '-p', target(c), '-p', 'force=maybe'), says: () => ['"force"', 'true or false', '"maybe"'] },
  { name: 'enum param outside its values', args: (c) => p(c, '-p', target(c), '-p', 'region=mars'), says: () => ['"region"', 'one of eu, us', '"mars"'] },
  { name: 'missing required param (names the param and its env var)', args: (c) => p(c), says: () => ['Missing required param "target"', '-p target=', 'RB_E2E_TARGET'] },
  { name: 'missing required secret in a live run', args: (c) => ['run', join(c.fx, 'secret.ts'), '--store', c.store], says: () => ['Missing required param "token"', 'RB_E2E_TOKEN'] },
  { name: '-p without =', args: (c) => p(c, '-p', 'target'), says: () => ['-p "target"', '-p key=value'] },
  { name: '-p with an empty key', args: (c) => p(c, '-p', '=value'), says: () => ['-p "=value"', '-p key=value'] },
  { name: 'empty string param (-p target=)', args: (c) => p(c, '-p', 'target='), says: () => ['"target"', 'is empty', 'give a value'] },
  { name: 'empty enum param', args: (c) => p(c, '-p', target(c), '-p', 'region='), says: () => ['"region"', 'is empty'] },
  { name: 'empty string param from the environment', args: (c) => p(c), env: { RB_E2E_TARGET: '' }, says: () => ['"target"', 'is empty', 'environment variable RB_E2E_TARGET'] },
  { name: 'empty secret param', args: (c) => ['run', join(c.fx, 'secret.ts'), '--store', c.store, '-p', 'token='], says: () => ['"token"', 'is empty'] },
  { name: 'the same -p twice', args: (c) => p(c, '-p', target(c), '-p', 'target=/elsewhere'), says: () => ['-p target is given twice'] },

  // runbook files
  { name: 'missing runbook file', args: (c) => ['run', join(c.fx, 'nope.ts'), '--store', c.store], says: (c) => ['Runbook file not found', join(c.fx, 'nope.ts')] },
  { name: 'a directory given as the runbook file', args: (c) => ['run', c.fx, '--store', c.store], says: (c) => [`${c.fx} is a directory`, `runbook list ${c.fx}`] },
  { name: 'missing runbook file by absolute path (no "relative to")', args: (c) => ['run', join(c.fx, 'nope.ts'), '--store', c.store], says: () => [/Runbook file not found: \S+nope\.ts\. Check the path\.$/m] },
  { name: 'missing runbook file by relative path (says relative to what)', args: (c) => ['run', 'nope.ts', '--store', c.store], says: (c) => ['Runbook file not found: nope.ts', `relative to ${c.work}`] },
  { name: 'runbook module without a default export', args: (c) => ['run', join(c.fx, 'no-default.ts'), '--store', c.store], says: () => ['no-default.ts', 'no default export'] },
  { name: 'default export that is not a runbook', args: (c) => ['run', join(c.fx, 'not-a-runbook.ts'), '--store', c.store], says: () => ['not-a-runbook.ts', 'is not a runbook'] },
  { name: 'syntax error in the runbook (names file:line)', args: (c) => ['run', join(c.fx, 'syntax-error.ts'), '--store', c.store], says: () => [/syntax-error\.ts:5:\d+/, 'does not compile'] },
  { name: 'runbook module that throws while loading', args: (c) => ['run', join(c.fx, 'throws.ts'), '--store', c.store], says: () => ['throws.ts', 'boom at load: no hosts configured'] },
  { name: 'duplicate step id built from plain JS', args: (c) => ['run', join(c.fx, 'duplicate-id.js'), '--store', c.store], says: () => ['Duplicate step id "restart"', 'duplicate-id'] },
  { name: 'step id that is not kebab-case', args: (c) => ['run', join(c.fx, 'bad-step-id.mjs'), '--store', c.store], says: () => ['"Restart_Service"', 'kebab-case'] },
  { name: 'runbook id that is not kebab-case', args: (c) => ['run', join(c.fx, 'bad-runbook-id.js'), '--store', c.store], says: () => ['"My Runbook"', 'kebab-case'] },
  { name: 'unknown step option', args: (c) => ['run', join(c.fx, 'unknown-option.js'), '--store', c.store], says: () => ['step "flaky"', 'unknown option "retries"'] },
  { name: 'bad duration string', args: (c) => ['run', join(c.fx, 'bad-duration.js'), '--store', c.store], says: () => ['step "slow"', '"5 minutes" is not a duration'] },
  { name: 'retry.attempts below 1', args: (c) => ['run', join(c.fx, 'bad-retry.js'), '--store', c.store], says: () => ['step "flaky"', 'retry.attempts'] },

  // flags and commands
  { name: 'unknown CLI flag', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--bogus'], says: () => ["unknown option '--bogus'"] },
  { name: 'unknown command', args: () => ['frobnicate'], says: () => ["unknown command 'frobnicate'"] },
  { name: 'no command at all', args: () => [], says: () => ['Usage: runbook', 'run [options] <file>'] },
  { name: 'missing argument to run', args: () => ['run'], says: () => ["missing required argument 'file'"] },
  { name: 'missing argument to show', args: (c) => ['show', '--store', c.store], says: () => ["missing required argument 'run-id'"] },
  { name: 'too many arguments', args: (c) => ['runs', 'extra', '--store', c.store], says: () => ["too many arguments for 'runs'"] },
  { name: 'empty --operator', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--yes', '--operator', ''], says: () => ['--operator is empty'] },
  { name: 'blank --operator', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--yes', '--operator', '  '], says: () => ['--operator is empty'] },
  { name: '--probe without --dry-run', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--probe'], says: () => ['--probe', '--dry-run'] },
  { name: '--from and --only together', args: (c) => ['run', join(c.fx, 'steps.ts'), '--store', c.store, '--from', 'use-leader', '--only', 'independent'], says: () => ['--from and --only'] },
  { name: 'unknown --from step', args: (c) => ['run', join(c.fx, 'steps.ts'), '--store', c.store, '--from', 'nope'], says: () => ['--from nope', 'no step "nope"', 'get-leader, use-leader, independent'] },
  { name: 'unknown --only step', args: (c) => ['run', join(c.fx, 'steps.ts'), '--store', c.store, '--only', 'nope'], says: () => ['--only nope', 'no step "nope"'] },
  { name: 'a step after --from reads the output of a skipped step', args: (c) => ['run', join(c.fx, 'steps.ts'), '--store', c.store, '--from', 'use-leader', '--yes'], says: () => ['"use-leader"', '"get-leader"', '--from use-leader'] },
  { name: '--only a step that reads the output of a skipped step', args: (c) => ['run', join(c.fx, 'steps.ts'), '--store', c.store, '--only', 'use-leader', '--dry-run'], says: () => ['"use-leader"', '"get-leader"'] },
  { name: '--ui bogus', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--ui', 'bogus'], says: () => ['--ui "bogus"', 'plain'] },
  { name: '--ui without a value', args: (c) => ['run', join(c.fx, 'good.ts'), '--store', c.store, '--ui'], says: () => ['--ui', 'argument missing'] },
  { name: 'confirmation needed, no TTY and no --yes', args: (c) => ['run', join(c.fx, 'confirm.ts'), '--store', c.store], says: () => ['go-ahead', 'not a terminal', '--yes'] },
  { name: 'dry-run of a step reading a step that does not exist (the CLI does not type-check)', args: (c) => ['run', join(c.fx, 'unknown-ref.js'), '--dry-run', '--store', c.store], says: () => ['Step "b"', 'no step "promote-db"'] },
  { name: 'dry-run of a step reading a later step', args: (c) => ['run', join(c.fx, 'later-ref.js'), '--dry-run', '--store', c.store], says: () => ['Step "a"', 'step "leader", which runs after it'] },
  { name: 'interactive exec, no TTY (even with --yes)', args: (c) => ['run', join(c.fx, 'interactive.ts'), '--store', c.store, '--yes'], says: () => ['vendor-script', 'interactive', 'not a TTY'] },

  // runs and journals
  { name: 'unknown run id for show', args: (c) => ['show', 'nope', '--store', c.stores.good], says: () => ['No run "nope"'] },
  { name: 'unknown run id for resume', args: (c) => ['resume', 'nope', '--store', c.stores.good], says: () => ['No run "nope"'] },
  { name: '"last" in an empty store', args: (c) => ['show', 'last', '--store', c.store], says: () => ['No run "last"', 'no runs yet'] },
  { name: 'ambiguous run id prefix', args: (c) => ['show', '20200101-0000', '--store', c.stores.ambiguous], says: () => ['"20200101-0000" is ambiguous'] },
  { name: 'corrupt journal (bad middle line) for show', args: (c) => ['show', c.runId, '--store', c.stores.corrupt], says: (c) => [`${c.runId}.ndjson is corrupt`, 'line 3'] },
  { name: 'corrupt journal (bad middle line) for resume', args: (c) => ['resume', c.runId, '--store', c.stores.corrupt, '--yes'], says: (c) => [`${c.runId}.ndjson is corrupt`, 'line 3'] },
  { name: 'corrupt journal for show --json', args: (c) => ['show', 'last', '--json', '--store', c.stores.corrupt], says: () => ['is corrupt: line 3'] },
  { name: 'journal from a newer format version', args: (c) => ['show', c.runId, '--store', c.stores.newer], says: () => ['format 99', 'newer than this runbook understands'] },
  { name: 'journal from a newer format version, resume', args: (c) => ['resume', c.runId, '--store', c.stores.newer, '--yes'], says: () => ['format 99'] },
  { name: 'empty journal', args: (c) => ['show', c.runId, '--store', c.stores.empty], says: (c) => [`${c.runId}.ndjson is empty`] },
  { name: 'resume with --retry-interrupted and --mark-interrupted-done', args: (c) => ['resume', c.runId, '--store', c.stores.good, '--retry-interrupted', '--mark-interrupted-done', '--note', 'x'], says: () => ['--retry-interrupted and --mark-interrupted-done'] },
  { name: '--mark-interrupted-done without --note', args: (c) => ['resume', c.runId, '--store', c.stores.good, '--mark-interrupted-done'], says: () => ['--mark-interrupted-done needs --note'] },
  { name: 'resume of a run that already finished', args: (c) => ['resume', c.runId, '--store', c.stores.good], says: (c) => [`Run ${c.runId} already finished`] },
  { name: 'list of a file, not a directory', args: (c) => ['list', join(c.fx, 'good.ts')], says: (c) => [`${join(c.fx, 'good.ts')} is not a directory`] },
  { name: 'list of a missing directory', args: (c) => ['list', join(c.fx, 'missing-dir')], says: () => ['missing-dir is not a directory'] },
];

/** Every file under `dir` with a hash of its content (to prove a case changed nothing). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, depth: number): void => {
    if (depth > 6 || !existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full, depth + 1);
      else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir, 0);
  return out;
}

let root: { dir: string; cleanup: () => void };
let fx = '';
let stores: Ctx['stores'];
let runId = '';

beforeAll(async () => {
  root = tempDir('runbook-bad-input-');
  fx = join(root.dir, 'fixtures');
  mkdirSync(fx);
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(fx, name), text);

  // A real journal from a real run, then damaged copies of it.
  stores = {
    good: join(root.dir, 'store-good'),
    corrupt: join(root.dir, 'store-corrupt'),
    newer: join(root.dir, 'store-newer'),
    empty: join(root.dir, 'store-empty'),
    ambiguous: join(root.dir, 'store-ambiguous'),
  };
  const r = await runCli(['run', join(fx, 'good.ts'), '--yes', '--store', stores.good], { cwd: root.dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const names = readdirSync(join(stores.good, 'runs'));
  expect(names).toHaveLength(1);
  runId = (names[0] ?? '').replace(/\.ndjson$/, '');
  const lines = readFileSync(join(stores.good, 'runs', `${runId}.ndjson`), 'utf8').trimEnd().split('\n');
  expect(lines.length).toBeGreaterThan(4);

  const put = (store: string, id: string, text: string): void => {
    mkdirSync(join(store, 'runs'), { recursive: true });
    writeFileSync(join(store, 'runs', `${id}.ndjson`), text);
  };
  // line 3 is damaged in the middle of the file; the lines after it are intact
  put(stores.corrupt, runId, `${[...lines.slice(0, 2), '{"type":"step-finished","stepId":"one",', ...lines.slice(3)].join('\n')}\n`);
  const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  put(stores.newer, runId, `${[JSON.stringify({ ...first, v: 99 }), ...lines.slice(1)].join('\n')}\n`);
  put(stores.empty, runId, '');
  for (const id of ['20200101-000000-aa01', '20200101-000001-aa02']) {
    put(stores.ambiguous, id, `${[JSON.stringify({ ...first, runId: id }), ...lines.slice(1)].join('\n')}\n`);
  }
});

afterAll(() => root.cleanup());

describe('bad input: exit 2, a message naming the problem, no stack trace, nothing written', () => {
  it('has at least 32 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(32);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async (k) => {
    const work = join(root.dir, `work-${k.i}`);
    const store = join(root.dir, `store-case-${k.i}`);
    mkdirSync(work);
    const ctx: Ctx = { fx, store, work, stores, runId };
    const before = snapshot(root.dir);

    const r = await runCli(k.args(ctx), { cwd: work, env: { RB_E2E_TARGET: undefined, RB_E2E_REPLICAS: undefined, RB_E2E_TOKEN: undefined, RB_E2E_UNSET_HOSTS: undefined, RUNBOOK_DEBUG: undefined, ...k.env } });
    const context = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

    expect(r.code, context).toBe(2);
    expect(r.stderr, context).toMatch(/^runbook: |^Usage: runbook/);
    for (const s of k.says(ctx)) {
      if (typeof s === 'string') expect(r.stderr, context).toContain(s);
      else expect(r.stderr, context).toMatch(s);
    }
    // no stack trace, no internals, no crash report
    for (const out of [r.stderr, r.stdout]) {
      expect(out, context).not.toMatch(/^\s+at /m);
      expect(out, context).not.toContain('node:internal');
      expect(out, context).not.toContain('internal error');
      expect(out, context).not.toMatch(/\b(TypeError|ReferenceError|SyntaxError|RangeError):/);
    }
    // nothing lost and nothing made: no journal, no step ran, every prepared file is as it was
    const after = snapshot(root.dir);
    expect(Object.keys(snapshot(store)).filter((f) => f.endsWith('.ndjson')), 'journal written in the case store').toEqual([]);
    expect(readdirSync(work), 'files left in the working directory').toEqual([]);
    expect(after).toEqual(before);
  });
});
