// Secret sweep: a secret param flows through every channel a run has (command output on stdout and
// stderr, rendered commands, fn return values, parsed values, notify.console, notify.file, errors of
// failing steps, --ui json) and must come out as *** everywhere: CLI stdout/stderr, the journal bytes,
// show, show --json, runs --json and the notification file.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../interpreter/store/journal-reader.js';
import { replay } from '../../interpreter/store/run-state.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { runIdFromOutput } from '../helpers/crash.js';

const RUNBOOK = `
import { fn, notify, param, runbook, sh } from 'runbook';

export default runbook('secret-sweep', {
  title: 'Secret sweep',
  params: {
    password: param.secret({ env: 'DB_PASSWORD', description: 'database password' }),
    out: param.string({ description: 'where notify.file writes' }),
  },
})
  .phase('Use it')
  .exec('echo-stdout', 'Print it to stdout', sh\`printf %s \${(c) => c.params.password}; echo\`)
  .exec('echo-embedded', 'Print it inside a larger word', sh\`printf %s \${(c) => 'pw=' + c.params.password + ';'}; echo\`)
  .exec('echo-stderr', 'Print it to stderr', sh\`{ printf %s \${(c) => c.params.password}; echo; } >&2\`)
  .exec('parse-it', 'Parse it into a value', sh\`printf %s \${(c) => c.params.password}\`, { parse: (out) => ({ seen: out }) })
  .exec('return-it', 'Return it from code', fn(async (c) => ({ dsn: 'postgres://app:' + c.params.password + '@127.0.0.1:5432/db', raw: c.params.password })))
  .exec('reuse', 'Read it from an earlier step', sh\`printf 'reused %s' \${(c) => c.steps['return-it'].value.raw}; echo\`)
  .phase('Tell')
  .notify('tell-console', notify.console(), (c) => 'console says ' + c.params.password)
  .notify('tell-file', notify.file((c) => c.params.out + '/notify.log'), (c) => 'file says ' + c.params.password)
  .phase('Fail')
  .exec('throw-it', 'Throw it in an error', fn(async (c) => { throw new Error('cannot log in with ' + c.params.password); }), { continueOnError: true })
  .exec('fail-with-it', 'Fail with it on stderr', sh\`{ printf 'denied for %s' \${(c) => c.params.password}; echo; } >&2; exit 3\`);
`;

const SECRETS = ['Hunter2-plain-secret', `p@ss w'rd$1`, `q"uo\\te\`$(id)&&;|*?`];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

interface Sweep {
  readonly secret: string;
  readonly store: string;
  readonly outDir: string;
  readonly runId: string;
  readonly run: CliResult;
  readonly cli: (args: string[]) => Promise<CliResult>;
}

async function sweep(secret: string, via: 'env' | '-p', ui: 'plain' | 'json' = 'plain'): Promise<Sweep> {
  const t = tempDir('runbook-secrets-');
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'sweep.ts');
  writeFileSync(file, RUNBOOK);
  const outDir = join(t.dir, 'notify');
  mkdirSync(outDir);
  const store = join(t.dir, 'store');
  const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
    runCli([...args, '--store', store], { cwd: t.dir, env: { DB_PASSWORD: undefined, ...env } });
  const args = ['run', file, '--yes', '--ui', ui, '-p', `out=${outDir}`];
  const run = via === 'env' ? await cli(args, { DB_PASSWORD: secret }) : await cli([...args, '-p', `password=${secret}`]);
  const ids = existsSync(join(store, 'runs')) ? readdirSync(join(store, 'runs')).map((f) => f.replace(/\.ndjson$/, '')) : [];
  expect(ids, run.stdout + run.stderr).toHaveLength(1);
  return { secret, store, outDir, runId: String(ids[0]), run, cli: (a) => cli(a) };
}

/** The secret and the forms a command line or an encoder could turn it into. */
function forms(secret: string): string[] {
  const out = new Set([secret, secret.replace(/'/g, `'\\''`), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
  return [...out].filter((f) => f.length >= 6);
}

function expectClean(where: string, text: string, secret: string): void {
  for (const f of forms(secret)) expect(text.includes(f), `${where} contains the secret (as ${JSON.stringify(f)}):\n${text}`).toBe(false);
}

async function expectSweptEverywhere(s: Sweep): Promise<void> {
  // The run itself: it reached the last step, which failed (exit 1).
  expect(s.run.code, s.run.stdout + s.run.stderr).toBe(1);
  expectClean('run stdout', s.run.stdout, s.secret);
  expectClean('run stderr', s.run.stderr, s.secret);
  expect(s.run.stdout).toContain('***');

  const journalPath = join(s.store, 'runs', `${s.runId}.ndjson`);
  const journal = readFileSync(journalPath, 'utf8');
  expectClean('journal', journal, s.secret);
  // *** stands where the secret was, in each channel.
  const st = replay(readJournal(journalPath).events);
  expect(st.meta.params['password']).toBe('***');
  expect(st.meta.secretParams).toEqual(['password']);
  expect(st.steps.get('echo-stdout')).toMatchObject({ status: 'ok', result: { stdout: '***' } });
  expect(st.steps.get('echo-embedded')).toMatchObject({ status: 'ok', result: { stdout: 'pw=***;' } });
  expect(st.steps.get('echo-stderr')).toMatchObject({ status: 'ok', result: { stderr: '***' } });
  expect(st.steps.get('parse-it')).toMatchObject({ status: 'ok', value: { seen: '***' } });
  expect(st.steps.get('return-it')).toMatchObject({ status: 'ok', value: { dsn: 'postgres://app:***@127.0.0.1:5432/db', raw: '***' } });
  expect(st.steps.get('reuse')).toMatchObject({ status: 'ok', result: { stdout: 'reused ***' } });
  expect(st.steps.get('tell-console')).toMatchObject({ status: 'ok', value: { message: 'console says ***' } });
  expect(st.steps.get('tell-file')).toMatchObject({ status: 'ok', value: { message: 'file says ***' } });
  expect(st.steps.get('throw-it')).toMatchObject({ status: 'failed', continued: true, error: 'cannot log in with ***' });
  expect(st.steps.get('fail-with-it')).toMatchObject({ status: 'failed' });
  expect(st.steps.get('fail-with-it')?.error).toContain('denied for ***');
  expect(st.status).toBe('failed');

  const notified = readFileSync(join(s.outDir, 'notify.log'), 'utf8');
  expectClean('notify.file output', notified, s.secret);
  expect(notified).toContain('file says ***');

  for (const args of [['show', s.runId], ['show', s.runId, '--json'], ['runs'], ['runs', '--json']]) {
    const r = await s.cli(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    expectClean(args.join(' '), r.stdout + r.stderr, s.secret);
  }
  const shown = await s.cli(['show', s.runId]);
  expect(shown.stdout).toContain('***');
  expect(shown.stdout).toMatch(/fail-with-it.*denied for \*\*\*/);
  const json = JSON.parse((await s.cli(['show', s.runId, '--json'])).stdout) as { params: Record<string, unknown> };
  expect(json.params['password']).toBe('***');
}

describe('secrets never leave the process', () => {
  for (const secret of SECRETS) {
    for (const via of ['env', '-p'] as const) {
      it(`${JSON.stringify(secret)} given by ${via === 'env' ? 'DB_PASSWORD' : '-p'}: *** in stdout, stderr, journal, show, runs, notify.file`, async () => {
        const s = await sweep(secret, via);
        // The command really received the secret (the plain output shows the redacted echo of it).
        expect(s.run.stdout).toMatch(/console says \*\*\*/);
        await expectSweptEverywhere(s);
      });
    }
  }

  it('--ui json: the NDJSON event stream carries *** and never the secret', async () => {
    const secret = `p@ss w'rd$1`;
    const s = await sweep(secret, 'env', 'json');
    await expectSweptEverywhere(s);
    const lines = s.run.stdout.split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as { type: string; stepId?: string; text?: string });
    expect(events[0]?.type).toBe('run-started');
    expect(events.filter((e) => e.type === 'output' && e.stepId === 'echo-stdout').map((e) => e.text)).toEqual(['***\n']);
    expect(events.filter((e) => e.type === 'output' && e.stepId === 'echo-stderr').map((e) => e.text)).toEqual(['***\n']);
    // What the reporter streams is what the journal stores.
    expect(lines).toEqual(readFileSync(join(s.store, 'runs', `${s.runId}.ndjson`), 'utf8').split('\n').filter((l) => l !== ''));
  });

  it('a secret that is also part of a step id does not rewrite the journal structure', async () => {
    // "tell" is a substring of the step ids tell-console and tell-file: ids must survive redaction.
    const s = await sweep('tell', 'env');
    expect(s.run.code, s.run.stdout + s.run.stderr).toBe(1);
    const journalPath = join(s.store, 'runs', `${s.runId}.ndjson`);
    const st = replay(readJournal(journalPath).events);
    expect(st.meta.steps.map((x) => x.id)).toEqual([
      'echo-stdout', 'echo-embedded', 'echo-stderr', 'parse-it', 'return-it', 'reuse', 'tell-console', 'tell-file', 'throw-it', 'fail-with-it',
    ]);
    expect([...st.steps.keys()]).toEqual(st.meta.steps.map((x) => x.id));
    expect(st.steps.get('tell-console')).toMatchObject({ status: 'ok', value: { message: 'console says ***' } });
    expect(st.steps.get('tell-file')).toMatchObject({ status: 'ok', value: { message: 'file says ***' } });
    const shown = JSON.parse((await s.cli(['show', s.runId, '--json'])).stdout) as { steps: { id: string; kind: string; status: string }[] };
    expect(shown.steps.map((x) => [x.id, x.kind])).toContainEqual(['tell-file', 'notify']);
    expect(shown.steps).toHaveLength(10);
  });

  it('a missing secret is refused before any step runs, naming the param and its env variable', async () => {
    const t = tempDir('runbook-secrets-');
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'sweep.ts'), RUNBOOK);
    const r = await runCli(['run', 'sweep.ts', '--yes', '-p', 'out=.', '--store', join(t.dir, 'store')], { cwd: t.dir, env: { DB_PASSWORD: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"password"');
    expect(r.stderr).toContain('DB_PASSWORD');
    expect(existsSync(join(t.dir, 'notify.log'))).toBe(false);
  });
});
