/**
 * The engine driven directly (no CLI): every step kind and option, failure decisions, interrupts,
 * dry-run and probe, redaction. Real processes and a real HTTP receiver on 127.0.0.1.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fn, http, notify, param, promote, runbook, sh, type AnyRunbook, type HttpResult, type StepOutput } from 'runbook';
import type { RunInfo } from '../../dsl/context.js';
import type { StepNode } from '../../dsl/nodes.js';
import { runEngine, type EngineOptions, type EngineResult } from '../../interpreter/engine/engine.js';
import type { FailureDecision, Prompter } from '../../interpreter/engine/prompter.js';
import { noPrompter } from '../../interpreter/engine/prompter.js';
import { processAlive } from '../../interpreter/store/process-alive.js';
import { stepOutput } from '../../interpreter/engine/step-output.js';
import { EXIT } from '../../interpreter/errors.js';
import type { EventBody, JournalEvent } from '../../interpreter/events.js';
import { eventPipeline } from '../../interpreter/cli/pipeline.js';
import { dryRunMode, liveMode, probeMode } from '../../interpreter/modes/index.js';
import type { ActionEnv, ModeRuntime } from '../../interpreter/modes/types.js';
import { REDACTED, Redactor } from '../../interpreter/redact.js';

// ---------------------------------------------------------------------------------------------
// helpers

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'runbook-engine-'));
  dirs.push(d);
  return d;
}

type Ev<T extends EventBody['type']> = Extract<EventBody, { type: T }>;
function pick<T extends EventBody['type']>(events: readonly EventBody[], type: T): Ev<T>[] {
  return events.filter((e): e is Ev<T> => e.type === type);
}
function finished(events: readonly EventBody[], id: string): Ev<'step-finished'> {
  const e = pick(events, 'step-finished').find((x) => x.stepId === id);
  if (!e) throw new Error(`no step-finished for ${id}; events: ${JSON.stringify(events.map((x) => x.type))}`);
  return e;
}
function started(events: readonly EventBody[], id: string): Ev<'step-started'> {
  const e = pick(events, 'step-started').find((x) => x.stepId === id);
  if (!e) throw new Error(`no step-started for ${id}`);
  return e;
}
function output(events: readonly EventBody[], id: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
  return pick(events, 'output').filter((e) => e.stepId === id && e.stream === stream).map((e) => e.text).join('');
}

/** Scripted answers; records every question. Runs out of script → the test fails loudly. */
class FakePrompter implements Prompter {
  readonly confirms: { id: string; question: string; description: string | undefined }[] = [];
  readonly failures: { id: string; error: string; attempts: number }[] = [];
  suspended = 0;
  resumed = 0;
  constructor(
    private readonly answers: (boolean | 'hang')[] = [],
    private readonly decisions: FailureDecision[] = [],
    readonly interactive = true,
  ) {}
  confirm(step: StepNode, question: string, description: string | undefined): Promise<boolean> {
    this.confirms.push({ id: step.id, question, description });
    const a = this.answers.shift();
    if (a === undefined) return Promise.reject(new Error(`unexpected confirmation for ${step.id}`));
    return a === 'hang' ? new Promise<boolean>(() => {}) : Promise.resolve(a);
  }
  onFailure(step: StepNode, error: string, attempts: number): Promise<FailureDecision> {
    this.failures.push({ id: step.id, error, attempts });
    const d = this.decisions.shift();
    return d === undefined ? Promise.reject(new Error(`unexpected failure decision for ${step.id}: ${error}`)) : Promise.resolve(d);
  }
  suspend(): void {
    this.suspended++;
  }
  resume(): void {
    this.resumed++;
  }
}

interface RunOpts {
  mode?: ModeRuntime;
  params?: Record<string, unknown>;
  prompter?: Prompter;
  yes?: boolean;
  signal?: AbortSignal;
  emit?: (e: EventBody) => void;
  redact?: (s: string) => string;
  restored?: ReadonlyMap<string, StepOutput<unknown, unknown>>;
  skip?: ReadonlyMap<string, string>;
}

async function run(rb: AnyRunbook, o: RunOpts = {}): Promise<EngineResult & { events: EventBody[] }> {
  const events: EventBody[] = [];
  const mode = o.mode ?? (await liveMode());
  const plan = rb.toPlan();
  const info: RunInfo = { id: 'run-1', runbookId: plan.id, mode: mode.name, operator: 'alice', startedAt: new Date().toISOString() };
  const opts: EngineOptions = {
    plan, mode, params: o.params ?? {}, run: info, prompter: o.prompter ?? noPrompter,
    emit: o.emit ?? ((e) => events.push(e)), redact: o.redact ?? ((s) => s),
    signal: o.signal ?? new AbortController().signal, yes: o.yes ?? false, runStartedAtMs: Date.now(),
    ...(o.restored ? { restored: o.restored } : {}),
    ...(o.skip ? { skip: o.skip } : {}),
  };
  const result = await runEngine(opts);
  return { ...result, events };
}

/** Polls until `cond` holds; bounded. */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const rounds = Math.ceil(timeoutMs / 20);
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function readPid(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}
const leftovers: number[] = [];
afterAll(() => {
  for (const pid of leftovers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }
interface Receiver { url: string; received: Received[]; close(): Promise<void> }
const servers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
/** An HTTP receiver on 127.0.0.1 answering with `status` (or never, with 'hang'). */
async function receiver(status: number | 'hang' = 200, body = '{"ok":true}'): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.setEncoding('utf8').on('data', (d: string) => (data += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: data });
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const rec: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  servers.push(rec);
  return rec;
}
/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A shell snippet that counts its own runs in `file` and prints the count. */
const countRuns = (file: string) => sh`n=$(cat ${file} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${file}; echo $n`;
const runsOf = (file: string): number => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0);

// ---------------------------------------------------------------------------------------------

describe('step kinds, live', () => {
  it('check: runs the probe, streams output, decides with expect', async () => {
    const r = await run(runbook('k', { title: 'K' }).check('ready', 'Shell works', sh`echo ready; echo warn >&2`, { expect: /ready/ }));
    expect(r).toMatchObject({ status: 'done', exitCode: EXIT.done });
    expect(started(r.events, 'ready')).toMatchObject({ kind: 'check', title: 'Shell works', phase: null, attempt: 1, action: { text: 'sh: echo ready; echo warn >&2\n(expect output to match /ready/)', effect: 'read-only' } });
    expect(output(r.events, 'ready')).toBe('ready\n');
    expect(output(r.events, 'ready', 'stderr')).toBe('warn\n');
    const f = finished(r.events, 'ready');
    expect(f).toMatchObject({ status: 'ok', attempts: 1, result: { ok: true, exitCode: 0, stdout: 'ready', stderr: 'warn', timedOut: false, command: 'echo ready; echo warn >&2' } });
    expect(typeof f.durationMs).toBe('number');
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', exitCode: 0 });
  });

  it('check: a failing probe fails a non-interactive run (exit 1) and nothing after it starts', async () => {
    const dir = tmp();
    const r = await run(runbook('k', { title: 'K' })
      .check('down', 'Is it up', sh`echo nope >&2; exit 2`)
      .exec('after', 'After', sh`touch ${join(dir, 'after')}`));
    expect(r).toMatchObject({ status: 'failed', exitCode: EXIT.failed });
    expect(finished(r.events, 'down')).toMatchObject({ status: 'failed', error: 'command exited with code 2: nope', result: { exitCode: 2 } });
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['down']);
    expect(existsSync(join(dir, 'after'))).toBe(false);
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed', exitCode: 1 });
  });

  it('exec: acts, with params quoted into the command', async () => {
    const dir = tmp();
    const r = await run(
      runbook('k', { title: 'K', params: { name: param.string() } }).exec('make', 'Make a file', sh`touch ${(c) => join(dir, c.params.name)}`),
      { params: { name: 'a file; touch pwned' } },
    );
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'a file; touch pwned'))).toBe(true);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(started(r.events, 'make').action?.effect).toBe('mutating');
  });

  it('exec fn: the return value is the result; a throw is a failure with its message', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .exec('calc', 'Calc', fn(async () => ({ n: 42 })))
      .exec('boom', 'Boom', fn(async () => { throw new Error('kaput'); }), { continueOnError: true }));
    expect(finished(r.events, 'calc')).toMatchObject({ status: 'ok', value: { n: 42 }, result: { n: 42 } });
    expect(finished(r.events, 'boom')).toMatchObject({ status: 'failed', error: 'kaput', continued: true });
  });

  it('confirm: yes goes on, recorded with who answered', async () => {
    const p = new FakePrompter([true]);
    const r = await run(runbook('k', { title: 'K' }).confirm('go', 'Proceed?', { description: 'It *matters*.' }).exec('x', 'X', sh`true`), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(p.confirms).toEqual([{ id: 'go', question: 'Proceed?', description: 'It *matters*.' }]);
    expect(pick(r.events, 'confirm-answered')).toEqual([{ type: 'confirm-answered', stepId: 'go', answer: true, by: 'alice', auto: false, decideMs: expect.any(Number) }]);
    expect(started(r.events, 'go').action).toBeNull();
    expect(finished(r.events, 'go')).toMatchObject({ status: 'ok', value: true, by: 'alice', result: { answer: true, by: 'alice', auto: false } });
    expect(finished(r.events, 'x').status).toBe('ok');
  });

  it('confirm: no aborts the run (exit 3) before the next step', async () => {
    const dir = tmp();
    const p = new FakePrompter([false]);
    const r = await run(runbook('k', { title: 'K' }).confirm('go', 'Proceed?').exec('x', 'X', sh`touch ${join(dir, 'x')}`), { prompter: p });
    expect(r).toMatchObject({ status: 'aborted', exitCode: EXIT.aborted });
    expect(finished(r.events, 'go')).toMatchObject({ status: 'failed', value: false, error: 'answered no' });
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['go']);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted', exitCode: 3 });
  });

  it("confirm: onNo 'continue' records false and later steps can read it", async () => {
    const p = new FakePrompter([false]);
    const r = await run(runbook('k', { title: 'K' })
      .confirm('notify-customers', 'Tell customers?', { onNo: 'continue' })
      .exec('tell', 'Tell', sh`true`, { when: (c) => c.steps['notify-customers'].value })
      .exec('after', 'After', fn(async (c) => `answer was ${String(c.steps['notify-customers'].value)}`)), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(finished(r.events, 'notify-customers')).toMatchObject({ status: 'ok', value: false });
    expect(finished(r.events, 'tell')).toMatchObject({ status: 'skipped', reason: 'condition (when) is false' });
    expect(finished(r.events, 'after').value).toBe('answer was false');
  });

  it('confirm with --yes: answered without asking, recorded as automatic', async () => {
    const p = new FakePrompter([]);
    const r = await run(runbook('k', { title: 'K' }).confirm('go', 'Proceed?').confirm('again', 'Really?'), { prompter: p, yes: true });
    expect(r.exitCode).toBe(0);
    expect(p.confirms).toEqual([]);
    expect(pick(r.events, 'confirm-answered')).toEqual([
      { type: 'confirm-answered', stepId: 'go', answer: true, by: 'alice', auto: true },
      { type: 'confirm-answered', stepId: 'again', answer: true, by: 'alice', auto: true },
    ]);
    expect(finished(r.events, 'go').result).toEqual({ answer: true, by: 'alice', auto: true });
  });

  it('promote.custom: precheck → fence → action → verify, in order, each stage recorded', async () => {
    const dir = tmp();
    const log = join(dir, 'log');
    const r = await run(runbook('k', { title: 'K' }).promote('promote-standby', 'Promote', promote.custom({
      precheck: sh`echo precheck >> ${log}`,
      fence: sh`echo fence >> ${log}`,
      action: fn(async () => { appendFileSync(log, 'action\n'); return 'promoted'; }),
      verify: sh`echo verify >> ${log}; echo primary`,
    })));
    expect(r.exitCode).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('precheck\nfence\naction\nverify\n');
    expect(output(r.events, 'promote-standby')).toBe('[precheck]\n[fence]\n[action]\n[verify]\nprimary\n');
    expect(started(r.events, 'promote-standby').action).toMatchObject({ effect: 'mutating' });
    expect(started(r.events, 'promote-standby').action?.text).toBe([
      'promote (custom):', `  precheck: sh: echo precheck >> ${log}`, `  fence:    sh: echo fence >> ${log}`,
      '  promote:  fn: custom code', `  verify:   sh: echo verify >> ${log}; echo primary`,
    ].join('\n'));
    expect(finished(r.events, 'promote-standby')).toMatchObject({
      status: 'ok',
      value: { ok: true, stages: { precheck: { ok: true }, fence: { ok: true }, action: { ok: true, text: 'promoted' }, verify: { ok: true, text: 'primary' } } },
    });
  });

  it('promote.custom: a failing verify fails the step and names the stage', async () => {
    const r = await run(runbook('k', { title: 'K' }).promote('promote-standby', 'Promote', promote.custom({
      precheck: sh`true`, action: sh`true`, verify: sh`echo still a replica >&2; exit 3`,
    })));
    expect(r.exitCode).toBe(EXIT.failed);
    const f = finished(r.events, 'promote-standby');
    expect(f.status).toBe('failed');
    expect(f.error).toBe('verify failed: command exited with code 3: still a replica');
    expect(f.result).toMatchObject({ ok: false, failedStage: 'verify', stages: { precheck: { ok: true }, action: { ok: true }, verify: { ok: false } } });
  });

  it('promote.custom: a failing precheck stops before anything changes', async () => {
    const dir = tmp();
    const r = await run(runbook('k', { title: 'K' }).promote('p', 'Promote', promote.custom({
      precheck: sh`exit 1`, fence: sh`touch ${join(dir, 'fenced')}`, action: sh`touch ${join(dir, 'promoted')}`, verify: sh`true`,
    })));
    expect(finished(r.events, 'p')).toMatchObject({ status: 'failed', error: 'precheck failed: command exited with code 1', result: { failedStage: 'precheck' } });
    expect(existsSync(join(dir, 'fenced'))).toBe(false);
    expect(existsSync(join(dir, 'promoted'))).toBe(false);
  });

  it('notify to the console: the message is output of the step', async () => {
    const r = await run(runbook('k', { title: 'K', params: { who: param.string({ default: 'bob' }) } })
      .exec('a', 'A', sh`echo 7`, { parse: (o) => Number(o) })
      .notify('tell', notify.console(), (c) => `hello ${c.params.who}, a=${c.steps.a.value}`), { params: { who: 'bob' } });
    expect(r.exitCode).toBe(0);
    expect(output(r.events, 'tell')).toBe('hello bob, a=7\n');
    expect(started(r.events, 'tell').action).toEqual({ text: 'notify console: "hello bob, a=7"', effect: 'notify' });
    expect(finished(r.events, 'tell')).toMatchObject({ status: 'ok', value: { ok: true, channel: 'console', message: 'hello bob, a=7' } });
  });

  it('notify to a file: appends a timestamped line naming runbook and run, creating directories', async () => {
    const file = join(tmp(), 'nested', 'dir', 'status.log');
    const r = await run(runbook('file-notes', { title: 'K' })
      .notify('one', notify.file(file), 'first message')
      .notify('two', notify.file(() => file), () => 'second message'));
    expect(r.exitCode).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \[file-notes run-1\] first message$/);
    expect(lines[1]).toMatch(/\[file-notes run-1\] second message$/);
  });

  it('notify to a webhook: POSTs the JSON body to the receiver', async () => {
    const rec = await receiver(200);
    const r = await run(runbook('hooks', { title: 'K', params: { hook: param.string() } })
      .notify('declare', notify.webhook((c) => `${c.params.hook}/incoming`, { headers: { 'x-team': 'dba' } }), 'Disaster declared'), { params: { hook: rec.url } });
    expect(r.exitCode).toBe(0);
    expect(rec.received).toHaveLength(1);
    const got = rec.received[0];
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/incoming');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-team']).toBe('dba');
    expect(JSON.parse(got?.body ?? '')).toEqual({ text: 'Disaster declared', runbook: 'hooks', run: 'run-1', step: 'declare' });
    expect(finished(r.events, 'declare')).toMatchObject({ status: 'ok', value: { ok: true, channel: 'webhook' } });
  });

  it('notify to a webhook that answers 500: a warning, and the run goes on', async () => {
    const rec = await receiver(500, 'oops');
    const dir = tmp();
    const r = await run(runbook('k', { title: 'K' })
      .notify('status', notify.webhook(`${rec.url}/x`), 'Status update')
      .exec('next', 'Next', sh`touch ${join(dir, 'next')}`));
    expect(r).toMatchObject({ status: 'done', exitCode: 0 });
    expect(rec.received).toHaveLength(1);
    expect(pick(r.events, 'warning')).toEqual([{ type: 'warning', stepId: 'status', message: 'notification not delivered: webhook answered 500 Internal Server Error' }]);
    expect(finished(r.events, 'status')).toMatchObject({ status: 'failed', continued: true, value: { ok: false, error: 'webhook answered 500 Internal Server Error' } });
    expect(existsSync(join(dir, 'next'))).toBe(true);
  });

  it('notify to a webhook nobody listens on: a warning naming the transport error', async () => {
    const port = await closedPort();
    const r = await run(runbook('k', { title: 'K' }).notify('status', notify.webhook(`http://127.0.0.1:${port}/`), 'x'));
    expect(r.exitCode).toBe(0);
    expect(pick(r.events, 'warning')[0]?.message).toBe('notification not delivered: webhook delivery failed: ECONNREFUSED');
  });

  it("a notify with continueOnError: false stops the run when it cannot deliver", async () => {
    const rec = await receiver(503);
    const r = await run(runbook('k', { title: 'K' }).notify('page', notify.webhook(rec.url), 'page!', { continueOnError: false }).exec('x', 'X', sh`true`));
    expect(r.exitCode).toBe(EXIT.failed);
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['page']);
  });

  it('http checks: status decides by default; expectStatus overrides', async () => {
    const rec = await receiver(204, '');
    const r = await run(runbook('k', { title: 'K' })
      .check('ok', 'OK', http.get(`${rec.url}/health`))
      .check('wanted', 'Wanted status', http.get(`${rec.url}/health`, { expectStatus: [200] }), { continueOnError: true })
      .exec('post', 'Post', http.post(`${rec.url}/api`, { body: { a: 1 }, headers: { 'x-k': 'v' } })));
    expect(finished(r.events, 'ok')).toMatchObject({ status: 'ok', value: { status: 204, method: 'GET', ok: true } });
    expect(finished(r.events, 'wanted')).toMatchObject({ status: 'failed', error: `GET ${rec.url}/health: status 204, expected 200` });
    expect(rec.received.at(-1)).toMatchObject({ method: 'POST', url: '/api', body: '{"a":1}', headers: { 'content-type': 'application/json', 'x-k': 'v' } });
    expect(started(r.events, 'post').action).toEqual({ text: `POST ${rec.url}/api body: {"a":1} (headers x-k: v)`, effect: 'mutating' });
  });
});

describe('options', () => {
  it('a failed command never passes through parse or a RegExp; only a predicate on the raw result decides alone', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .check('lag', 'Lag is small', sh`cat /nonexistent/lag`, { parse: (o) => Number(o.trim()), expect: (v) => v < 100, continueOnError: true })
      .check('ready', 'Says ready', sh`echo ready; exit 1`, { expect: /ready/, continueOnError: true })
      .check('down', 'Primary is down', sh`exit 7`, { expect: (r) => r.exitCode === 7 }));
    expect(finished(r.events, 'lag')).toMatchObject({ status: 'failed', error: expect.stringContaining('exited with code 1') as unknown });
    expect(finished(r.events, 'ready')).toMatchObject({ status: 'failed', error: expect.stringContaining('exited with code 1') as unknown });
    expect(finished(r.events, 'down')).toMatchObject({ status: 'ok' });
  });

  it('timeout kills the whole process tree: the shell and its grandchild are gone', async () => {
    const dir = tmp();
    const shPid = join(dir, 'sh.pid');
    const sleepPid = join(dir, 'sleep.pid');
    const r = await run(runbook('k', { title: 'K' })
      .exec('slow', 'Slow', sh`echo $$ > ${shPid}; sleep 30 & echo $! > ${sleepPid}; wait`, { timeout: 500 }));
    expect(r.exitCode).toBe(EXIT.failed);
    const f = finished(r.events, 'slow');
    expect(f).toMatchObject({ status: 'failed', error: 'timed out after 500 ms; the process tree was killed', result: { timedOut: true, exitCode: null } });
    const pids = [readPid(shPid), readPid(sleepPid)];
    leftovers.push(...pids);
    expect(pids.every((p) => Number.isInteger(p) && p > 0)).toBe(true);
    await waitFor(() => pids.every((p) => !processAlive(p)), 'the shell and sleep to be gone');
  });

  it('timeout on fn and http: failures as data', async () => {
    const rec = await receiver('hang');
    let release: () => void = () => {};
    const r = await run(runbook('k', { title: 'K' })
      .exec('stuck-code', 'Stuck', fn(() => new Promise<string>((res) => { release = () => res('late'); })), { timeout: 100, continueOnError: true })
      .check('stuck-http', 'Stuck HTTP', http.get(`${rec.url}/slow`, { timeout: 150 }), { expect: (res) => res.timedOut && res.error?.code === 'ETIMEDOUT' }));
    release();
    expect(finished(r.events, 'stuck-code')).toMatchObject({ status: 'failed', error: 'timed out after 100 ms', continued: true });
    expect(finished(r.events, 'stuck-http')).toMatchObject({ status: 'ok', value: { ok: false, status: null, timedOut: true, error: { code: 'ETIMEDOUT', message: 'no response within 150 ms' } } });
    expect(r.exitCode).toBe(0);
  });

  it('retry: attempts until one passes, with attempt-failed events and backoff', async () => {
    const counter = join(tmp(), 'count');
    const r = await run(runbook('k', { title: 'K' })
      .exec('flaky', 'Flaky', countRuns(counter), { parse: (o) => Number(o), expect: (n) => n >= 3, retry: { attempts: 5, interval: 10, backoff: 2 } }));
    expect(r.exitCode).toBe(0);
    expect(runsOf(counter)).toBe(3);
    const fails = pick(r.events, 'attempt-failed');
    expect(fails.map((e) => [e.attempt, e.retryInMs])).toEqual([[1, 10], [2, 20]]);
    expect(fails[0]?.error).toMatch(/^expectation not met: .*; got 1$/);
    expect(finished(r.events, 'flaky')).toMatchObject({ status: 'ok', attempts: 3, value: 3 });
  });

  it('retry: gives up after the attempts and fails with the last error', async () => {
    const counter = join(tmp(), 'count');
    const r = await run(runbook('k', { title: 'K' })
      .exec('never', 'Never', sh`n=$(cat ${counter} 2>/dev/null || echo 0); echo $((n+1)) > ${counter}; exit 4`, { retry: { attempts: 3, interval: '10ms' } }));
    expect(r.exitCode).toBe(EXIT.failed);
    expect(runsOf(counter)).toBe(3);
    expect(pick(r.events, 'attempt-failed').map((e) => [e.attempt, e.retryInMs])).toEqual([[1, 10], [2, 10]]);
    expect(finished(r.events, 'never')).toMatchObject({ status: 'failed', attempts: 3, error: 'command exited with code 4' });
  });

  it('waitUntil: polls a check until expect holds (3rd poll here)', async () => {
    const counter = join(tmp(), 'count');
    const r = await run(runbook('k', { title: 'K' })
      .check('caught-up', 'Replica caught up', countRuns(counter), { parse: (o) => Number(o), expect: (n) => n === 3, waitUntil: { timeout: '20s', interval: 20 } }));
    expect(r.exitCode).toBe(0);
    expect(runsOf(counter)).toBe(3);
    expect(finished(r.events, 'caught-up')).toMatchObject({ status: 'ok', attempts: 1, value: 3 });
    // each poll's output is there; polls are not failed attempts
    expect(output(r.events, 'caught-up')).toBe('1\n2\n3\n');
    expect(pick(r.events, 'attempt-failed')).toEqual([]);
  });

  it('waitUntil: gives up at its timeout, saying how many polls it made', async () => {
    const counter = join(tmp(), 'count');
    const r = await run(runbook('k', { title: 'K' })
      .check('never', 'Never', countRuns(counter), { expect: /^never$/, waitUntil: { timeout: 300, interval: 50 } }));
    expect(r.exitCode).toBe(EXIT.failed);
    const polls = runsOf(counter);
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(finished(r.events, 'never').error).toMatch(new RegExp(`^still not met after waiting 300ms \\(${polls} polls\\): expectation not met: output matches /\\^never\\$/`));
  });

  it('continueOnError: the failure is recorded and the run goes on (exit 0 live)', async () => {
    const dir = tmp();
    const r = await run(runbook('k', { title: 'K' })
      .exec('optional', 'Optional cleanup', sh`exit 1`, { continueOnError: true })
      .exec('next', 'Next', sh`touch ${join(dir, 'next')}`));
    expect(r).toMatchObject({ status: 'done', exitCode: 0 });
    expect(finished(r.events, 'optional')).toMatchObject({ status: 'failed', continued: true });
    expect(existsSync(join(dir, 'next'))).toBe(true);
  });

  it('when: false skips with a reason; true runs; a throwing condition fails the run', async () => {
    const dir = tmp();
    const r = await run(runbook('k', { title: 'K', params: { region: param.string() } })
      .exec('eu-only', 'EU only', sh`touch ${join(dir, 'eu')}`, { when: (c) => c.params.region === 'eu' })
      .exec('us-only', 'US only', sh`touch ${join(dir, 'us')}`, { when: (c) => c.params.region === 'us' }), { params: { region: 'us' } });
    expect(r.exitCode).toBe(0);
    expect(finished(r.events, 'eu-only')).toMatchObject({ status: 'skipped', reason: 'condition (when) is false', attempts: 0 });
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['us-only']);
    expect(existsSync(join(dir, 'eu'))).toBe(false);
    expect(existsSync(join(dir, 'us'))).toBe(true);

    const bad = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`true`, { when: () => { throw new Error('no idea'); } }).exec('y', 'Y', sh`true`));
    expect(bad.exitCode).toBe(EXIT.failed);
    expect(finished(bad.events, 'x')).toMatchObject({ status: 'failed', error: 'when threw: no idea' });
  });

  it('estimate and description are carried in the plan; description reaches the confirm prompt', async () => {
    const rb = runbook('k', { title: 'K' })
      .exec('x', 'X', sh`true`, { estimate: '2m', description: 'Takes a while.' })
      .confirm('go', 'Go?', { estimate: '30s', description: 'Look at the dashboard first.' });
    const plan = rb.toPlan();
    expect(plan.steps.map((s) => [s.options.estimateMs, s.options.description])).toEqual([[120_000, 'Takes a while.'], [30_000, 'Look at the dashboard first.']]);
    const p = new FakePrompter([true]);
    await run(rb, { prompter: p });
    expect(p.confirms[0]?.description).toBe('Look at the dashboard first.');
  });

  it('parse: the typed value is journaled and passed to later steps', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .exec('leader', 'Find leader', sh`printf 'Member  Role\npg2     Leader\n'`, { parse: (out) => /(\S+)\s+Leader/.exec(out)?.[1] })
      .exec('use', 'Use it', sh`echo new leader is ${(c) => c.steps.leader.value ?? 'none'}`)
      .exec('len', 'Length', fn(async (c) => c.steps.use.stdout.length)));
    expect(r.exitCode).toBe(0);
    expect(finished(r.events, 'leader').value).toBe('pg2');
    expect(started(r.events, 'use').action?.text).toBe('sh: echo new leader is pg2');
    expect(output(r.events, 'use')).toBe('new leader is pg2\n');
    expect(finished(r.events, 'len').value).toBe('new leader is pg2'.length);
  });

  it('parse that throws fails the step', async () => {
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`echo {`, { parse: (o) => JSON.parse(o) as unknown }));
    expect(finished(r.events, 'x').error).toMatch(/^parse failed: /);
  });

  it('expect as a function gets (value, c); as a RegExp tests the output; as a value compares deeply', async () => {
    const seen: unknown[] = [];
    const r = await run(runbook('k', { title: 'K', params: { want: param.number() } })
      .check('fn', 'Fn', sh`echo 5`, { parse: (o) => Number(o), expect: (v, c) => { seen.push(v, c.params.want, c.run.mode); return v === c.params.want; } })
      .check('re', 'Re', sh`echo state: RUNNING`, { expect: /state: (RUNNING|STARTING)/ })
      .check('val', 'Val', sh`echo '{"role":"primary","lag":0}'`, { parse: (o) => JSON.parse(o) as { role: string; lag: number }, expect: { role: 'primary', lag: 0 } })
      .check('fn-no-parse', 'No parse', sh`exit 3`, { expect: (res) => res.exitCode === 3 })
      .check('bad-val', 'Bad value', sh`echo 4`, { parse: (o) => Number(o), expect: 3, continueOnError: true })
      .check('bad-re', 'Bad re', sh`echo STOPPED`, { expect: /RUNNING/, continueOnError: true })
      .check('throws', 'Throws', sh`true`, { expect: () => { throw new Error('bad predicate'); }, continueOnError: true }), { params: { want: 5 } });
    expect(seen).toEqual([5, 5, 'live']);
    expect(['fn', 're', 'val', 'fn-no-parse'].map((id) => finished(r.events, id).status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(finished(r.events, 'bad-val')).toMatchObject({ status: 'failed', error: 'expectation not met: value equals 3; got 4' });
    expect(finished(r.events, 'bad-re')).toMatchObject({ status: 'failed', error: 'expectation not met: output matches /RUNNING/; got "STOPPED" (exit code 0)' });
    expect(finished(r.events, 'throws')).toMatchObject({ status: 'failed', error: 'expect threw: bad predicate' });
  });

  it('transport failures are data: connection refused passes a check that expects it', async () => {
    const port = await closedPort();
    const r = await run(runbook('k', { title: 'K' })
      .check('primary-down', 'The old primary is down', http.get(`http://127.0.0.1:${port}/health`), { expect: (res) => res.error?.code === 'ECONNREFUSED' })
      .check('primary-up', 'Is it up (no expect)', http.get(`http://127.0.0.1:${port}/health`), { continueOnError: true }));
    expect(r.exitCode).toBe(0);
    const down = finished(r.events, 'primary-down');
    expect(down.status).toBe('ok');
    expect((down.value as HttpResult).error?.code).toBe('ECONNREFUSED');
    expect(down.value).toMatchObject({ ok: false, status: null, timedOut: false, method: 'GET' });
    expect(finished(r.events, 'primary-up')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/health: ECONNREFUSED /) });
  });

  it('a failed expectation says what the step got, short and readable: HTTP status or transport error, output and exit code', async () => {
    const port = await closedPort();
    const rec = await receiver(503, JSON.stringify({ error: { code: 'EFETCH', message: 'upstream unavailable '.repeat(20) } }));
    const r = await run(runbook('k', { title: 'K' })
      .check('refused', 'Refused', http.get(`http://127.0.0.1:${port}/health`), { expect: (res) => res.status === 200, continueOnError: true })
      .check('unavailable', 'Unavailable', http.get(`${rec.url}/health`, { expectStatus: [200, 503] }), { expect: (res) => res.status === 200, continueOnError: true })
      .check('cmd', 'Command', sh`echo not yet; exit 2`, { expect: (res) => res.exitCode === 0, continueOnError: true })
      .check('big', 'Big value', fn(async () => ({ members: Array.from({ length: 40 }, (_, i) => ({ name: `pg${i}`, role: 'replica' })) })), { expect: () => false, continueOnError: true }));
    expect(finished(r.events, 'refused').error).toMatch(new RegExp(`; got ECONNREFUSED .*\\(GET http://127\\.0\\.0\\.1:${port}/health\\)$`));
    expect(finished(r.events, 'unavailable').error).toMatch(/; got status 503$/);
    expect(finished(r.events, 'cmd').error).toMatch(/; got "not yet" \(exit code 2\) \(command exited with code 2\)$/);
    const big = finished(r.events, 'big').error ?? '';
    expect(big).toMatch(/; got \{"members":\[\{"name":"pg0","role":"replica"\},.*…$/);
    expect(big.slice(big.indexOf('; got ') + 6).length).toBeLessThanOrEqual(160);
    // cut after a comma or colon, never inside a word or string
    expect(big).toMatch(/[,:]…$/);
  });

  it('a command that cannot start is data too', async () => {
    const r = await run(runbook('k', { title: 'K' }).check('missing', 'Tool missing', sh`/nonexistent/tool --version`, { expect: (res) => res.exitCode === 127 }));
    expect(finished(r.events, 'missing').status).toBe('ok');
  });

  it('interactive exec: the prompter steps aside and comes back', async () => {
    const p = new FakePrompter();
    const r = await run(runbook('k', { title: 'K' }).exec('vendor', 'Vendor script', sh`true`, { interactive: true }), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect([p.suspended, p.resumed]).toEqual([1, 1]);
    expect(output(r.events, 'vendor')).toBe('');
  });
});

describe('failures in an interactive run: the operator decides', () => {
  it('retry: runs the step again; the decision is recorded', async () => {
    const counter = join(tmp(), 'count');
    const p = new FakePrompter([], [{ choice: 'retry' }]);
    const r = await run(runbook('k', { title: 'K' }).exec('flaky', 'Flaky', countRuns(counter), { parse: (o) => Number(o), expect: (n) => n >= 2 }), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(runsOf(counter)).toBe(2);
    expect(p.failures).toEqual([{ id: 'flaky', error: expect.stringMatching(/^expectation not met: .*got 1$/), attempts: 1 }]);
    expect(pick(r.events, 'attempt-failed')).toMatchObject([{ stepId: 'flaky', attempt: 1, retryInMs: null }]);
    expect(pick(r.events, 'decision')).toEqual([{ type: 'decision', stepId: 'flaky', choice: 'retry', by: 'alice', decideMs: expect.any(Number) }]);
    expect(finished(r.events, 'flaky')).toMatchObject({ status: 'ok', attempts: 2 });
  });

  it('retry gives the step its whole retry budget again', async () => {
    const counter = join(tmp(), 'count');
    const p = new FakePrompter([], [{ choice: 'retry' }]);
    const r = await run(runbook('k', { title: 'K' }).exec('flaky', 'Flaky', countRuns(counter), { parse: (o) => Number(o), expect: (n) => n >= 4, retry: { attempts: 2, interval: 1 } }), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(runsOf(counter)).toBe(4);
    expect(p.failures.map((f) => f.attempts)).toEqual([2]);
  });

  it('skip: needs a reason, recorded with who; the run goes on', async () => {
    const p = new FakePrompter([], [{ choice: 'skip', reason: 'replica already promoted by hand' }]);
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`exit 1`).exec('y', 'Y', sh`true`), { prompter: p });
    expect(r).toMatchObject({ status: 'done', exitCode: 0 });
    expect(pick(r.events, 'decision')).toEqual([{ type: 'decision', stepId: 'x', choice: 'skip', by: 'alice', reason: 'replica already promoted by hand', decideMs: expect.any(Number) }]);
    expect(finished(r.events, 'x')).toMatchObject({ status: 'skipped', reason: 'replica already promoted by hand', by: 'alice', error: 'command exited with code 1' });
    expect(finished(r.events, 'y').status).toBe('ok');
  });

  it('done by hand: needs a note; later steps see the step as ok', async () => {
    const p = new FakePrompter([], [{ choice: 'done', note: 'ran pg_ctl promote on the host' }]);
    const r = await run(runbook('k', { title: 'K' })
      .exec('x', 'X', sh`exit 1`)
      .exec('y', 'Y', fn(async (c) => c.steps.x.ok && c.steps.x.status)), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(pick(r.events, 'decision')).toEqual([{ type: 'decision', stepId: 'x', choice: 'done', by: 'alice', note: 'ran pg_ctl promote on the host', decideMs: expect.any(Number) }]);
    expect(finished(r.events, 'x')).toMatchObject({ status: 'done-by-hand', note: 'ran pg_ctl promote on the host', by: 'alice' });
    expect(finished(r.events, 'y').value).toBe('done-by-hand');
  });

  it('abort: the run stops with exit 3', async () => {
    const dir = tmp();
    const p = new FakePrompter([], [{ choice: 'abort' }]);
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`exit 1`).exec('y', 'Y', sh`touch ${join(dir, 'y')}`), { prompter: p });
    expect(r).toMatchObject({ status: 'aborted', exitCode: EXIT.aborted });
    expect(pick(r.events, 'decision')).toEqual([{ type: 'decision', stepId: 'x', choice: 'abort', by: 'alice', decideMs: expect.any(Number) }]);
    expect(finished(r.events, 'x').status).toBe('failed');
    expect(existsSync(join(dir, 'y'))).toBe(false);
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted', exitCode: 3 });
  });

  it('continueOnError steps do not ask', async () => {
    const p = new FakePrompter();
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`exit 1`, { continueOnError: true }), { prompter: p });
    expect(r.exitCode).toBe(0);
    expect(p.failures).toEqual([]);
  });

  it('non-interactive: a failure fails the run with exit 1 and nobody is asked', async () => {
    const p = new FakePrompter([], [], false);
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', sh`exit 1`).exec('y', 'Y', sh`true`), { prompter: p });
    expect(r).toMatchObject({ status: 'failed', exitCode: EXIT.failed });
    expect(p.failures).toEqual([]);
    expect(pick(r.events, 'decision')).toEqual([]);
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['x']);
  });
});

describe('interrupts', () => {
  it('abort mid-step: the child tree is killed, step-interrupted, run-finished interrupted, exit 130', async () => {
    const dir = tmp();
    const shPid = join(dir, 'sh.pid');
    const sleepPid = join(dir, 'sleep.pid');
    const controller = new AbortController();
    const pending = run(runbook('k', { title: 'K' })
      .exec('long', 'Long step', sh`sleep 30 & echo $! > ${sleepPid}; echo $$ > ${shPid}; wait`)
      .exec('after', 'After', sh`touch ${join(dir, 'after')}`), { signal: controller.signal });
    await waitFor(() => existsSync(shPid) && readFileSync(shPid, 'utf8').endsWith('\n'), 'the step to start its child');
    const pids = [readPid(shPid), readPid(sleepPid)];
    leftovers.push(...pids);
    expect(pids.every((p) => processAlive(p))).toBe(true);
    controller.abort('SIGINT');
    const r = await pending;
    expect(r).toMatchObject({ status: 'interrupted', exitCode: EXIT.interrupted });
    expect(pick(r.events, 'step-interrupted')).toMatchObject([{ type: 'step-interrupted', stepId: 'long', signal: 'SIGINT' }]);
    expect(pick(r.events, 'step-finished')).toEqual([]);
    expect(r.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'interrupted', exitCode: 130 });
    expect(existsSync(join(dir, 'after'))).toBe(false);
    await waitFor(() => pids.every((p) => !processAlive(p)), 'the interrupted child tree to be gone');
  });

  it('abort while a confirmation is pending', async () => {
    const controller = new AbortController();
    const p = new FakePrompter(['hang']);
    const pending = run(runbook('k', { title: 'K' }).confirm('go', 'Go?'), { prompter: p, signal: controller.signal });
    await waitFor(() => p.confirms.length === 1, 'the question');
    controller.abort('SIGTERM');
    const r = await pending;
    expect(r.exitCode).toBe(EXIT.interrupted);
    expect(pick(r.events, 'step-interrupted')).toMatchObject([{ stepId: 'go', signal: 'SIGTERM' }]);
    expect(pick(r.events, 'confirm-answered')).toEqual([]);
  });

  it('abort during a retry wait stops at once', async () => {
    const controller = new AbortController();
    const counter = join(tmp(), 'count');
    const events: EventBody[] = [];
    const pending = run(runbook('k', { title: 'K' }).exec('x', 'X', countRuns(counter), { expect: /^never$/, retry: { attempts: 3, interval: '1h' } }), {
      signal: controller.signal, emit: (e) => events.push(e),
    });
    await waitFor(() => events.some((e) => e.type === 'attempt-failed'), 'the first attempt to fail');
    controller.abort('SIGINT');
    const r = await pending;
    expect(r.exitCode).toBe(EXIT.interrupted);
    expect(runsOf(counter)).toBe(1);
    expect(pick(events, 'attempt-failed')).toMatchObject([{ attempt: 1, retryInMs: 3_600_000 }]);
    expect(pick(events, 'step-interrupted')).toMatchObject([{ stepId: 'x' }]);
  });

  it('an already-aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const body = vi.fn(async () => 1);
    const r = await run(runbook('k', { title: 'K' }).exec('x', 'X', fn(body)), { signal: controller.signal });
    expect(r.exitCode).toBe(EXIT.interrupted);
    expect(body).not.toHaveBeenCalled();
    expect(r.events).toEqual([expect.objectContaining({ type: 'run-finished', status: 'interrupted', exitCode: 130 })]);
  });
});

describe('dry-run', () => {
  it('renders every action with placeholders for unknown outputs and acts on nothing', async () => {
    const dir = tmp();
    const rec = await receiver(200);
    let bodyCalls = 0;
    const when = vi.fn(() => true);
    const rb = runbook('dry', { title: 'Dry', params: { dir: param.string(), token: param.secret({ env: 'T' }) } })
      .phase('Assess')
      .check('leader', 'Find leader', sh`patronictl -c /etc/patroni.yml list`, { parse: (o) => o.trim() })
      .confirm('go', 'Go?')
      .phase('Act')
      .exec('touch', 'Touch', sh`touch ${(c) => join(c.params.dir, 'marker')} ${(c) => c.steps.leader.value}`, { when })
      .exec('code', 'Code', fn(async function bumpCounter() { bodyCalls++; return 1; }))
      .check('health', 'Health', http.get((c) => `${rec.url}/x?leader=${c.steps.leader.value}`))
      .exec('ssh-ish', 'Uses exit code', sh`echo ${(c) => c.steps.touch.exitCode ?? 'none'} ${(c) => c.steps.code.value}`)
      .notify('tell', notify.webhook(`${rec.url}/hook`), (c) => `leader is ${c.steps.leader.value}`)
      .promote('p', 'Promote', promote.custom({ precheck: sh`pg_isready`, action: sh`pg_ctl promote -D ${(c) => c.steps.leader.value}`, verify: fn(async () => true, { label: 'check role', readOnly: true }) }));
    const p = new FakePrompter();
    const r = await run(rb, { mode: dryRunMode, prompter: p, params: { dir, token: '<secret:token>' } });
    expect(r).toMatchObject({ status: 'done', exitCode: 0 });
    const actions = Object.fromEntries(pick(r.events, 'step-started').map((e) => [e.stepId, e.action]));
    expect(actions).toEqual({
      leader: { text: 'sh: patronictl -c /etc/patroni.yml list\n(parse (o) => o.trim())', effect: 'read-only' },
      go: null,
      touch: { text: expect.stringMatching(new RegExp(`^sh: touch ${join(dir, 'marker')} <steps\\.leader\\.value>\\n\\(only when .{1,99}…\\)$`)) as unknown, effect: 'mutating' },
      code: { text: 'fn: bumpCounter', effect: 'mutating' },
      health: { text: `GET ${rec.url}/x?leader=<steps.leader.value>`, effect: 'read-only' },
      'ssh-ish': { text: 'sh: echo <steps.touch.exitCode> <steps.code.value>', effect: 'mutating' },
      tell: { text: `notify webhook ${rec.url}/hook: "leader is <steps.leader.value>"`, effect: 'notify' },
      p: { text: 'promote (custom):\n  precheck: sh: pg_isready\n  promote:  sh: pg_ctl promote -D <steps.leader.value>\n  verify:   fn: check role (read-only)', effect: 'mutating' },
    });
    expect(pick(r.events, 'step-finished').map((e) => [e.stepId, e.status, e.attempts])).toEqual(
      ['leader', 'go', 'touch', 'code', 'health', 'ssh-ish', 'tell', 'p'].map((id) => [id, 'planned', 0]),
    );
    expect(pick(r.events, 'step-started').map((e) => e.phase)).toEqual(['Assess', 'Assess', 'Act', 'Act', 'Act', 'Act', 'Act', 'Act']);
    // nothing acted
    expect(existsSync(join(dir, 'marker'))).toBe(false);
    expect(bodyCalls).toBe(0);
    expect(rec.received).toEqual([]);
    expect(p.confirms).toEqual([]);
    expect(when).not.toHaveBeenCalled();
    expect(pick(r.events, 'output')).toEqual([]);
    expect(pick(r.events, 'confirm-answered')).toEqual([]);
  });

  it('the dry-run mode holds no adapter; a mode that says it cannot execute is never asked to', async () => {
    expect(dryRunMode.execute).toBeUndefined();
    expect(dryRunMode.canExecute(runbook('k', { title: 'K' }).check('a', 'A', sh`true`).toPlan().steps[0] as StepNode)).toBe(false);
    const execute = vi.fn(() => Promise.reject(new Error('must not run')));
    const spyMode: ModeRuntime = { name: 'dry-run', canExecute: () => false, execute };
    const r = await run(runbook('k', { title: 'K' }).check('a', 'A', sh`true`).exec('b', 'B', fn(async () => 1)).notify('c', notify.console(), 'x'), { mode: spyMode });
    expect(r.exitCode).toBe(0);
    expect(execute).not.toHaveBeenCalled();
  });

  it('an action that cannot be rendered says so instead of failing the plan', async () => {
    const r = await run(runbook('k', { title: 'K', params: { n: param.string({ optional: true }) } })
      .exec('x', 'X', sh`echo ${(c) => c.params.n ?? (undefined as unknown as string)}`), { mode: dryRunMode, params: { n: undefined } });
    expect(r.exitCode).toBe(0);
    expect(started(r.events, 'x').action?.text).toMatch(/^sh: <cannot render: value #1 interpolated into a command is undefined/);
  });
});

describe('probe', () => {
  it('runs read-only checks and read-only code for real, renders the rest', async () => {
    const dir = tmp();
    const rec = await receiver(200);
    let readOnlyCalls = 0;
    let mutatingCalls = 0;
    const p = new FakePrompter();
    const r = await run(runbook('probe', { title: 'Probe' })
      .check('kernel', 'Kernel', sh`uname -s`, { parse: (o) => o.trim() })
      .check('get', 'GET check', http.get(`${rec.url}/health`))
      .exec('count', 'Count (read-only code)', fn(async () => { readOnlyCalls++; return 7; }, { readOnly: true }))
      .exec('write', 'Write', sh`touch ${join(dir, 'marker')}`)
      .exec('mutate', 'Mutating code', fn(async () => { mutatingCalls++; return 1; }))
      .check('post', 'A POST is not read-only, even in a check', http.post(`${rec.url}/reset`))
      .confirm('go', 'Go?')
      .notify('tell', notify.webhook(`${rec.url}/hook`), (c) => `kernel ${c.steps.kernel.value}`)
      .exec('after', 'After', sh`echo ${(c) => c.steps.kernel.value} ${(c) => c.steps.count.value} ${(c) => c.steps.write.exitCode ?? 'none'}`), { mode: await probeMode(), prompter: p });
    expect(r).toMatchObject({ status: 'done', exitCode: 0 });
    const status = Object.fromEntries(pick(r.events, 'step-finished').map((e) => [e.stepId, e.status]));
    expect(status).toEqual({ kernel: 'ok', get: 'ok', count: 'ok', write: 'planned', mutate: 'planned', post: 'planned', go: 'planned', tell: 'planned', after: 'planned' });
    expect(finished(r.events, 'kernel').value).toBe('Linux');
    expect(readOnlyCalls).toBe(1);
    expect(mutatingCalls).toBe(0);
    expect(existsSync(join(dir, 'marker'))).toBe(false);
    expect(rec.received.map((x) => `${x.method} ${x.url}`)).toEqual(['GET /health']);
    expect(p.confirms).toEqual([]);
    // real values where the probe produced them, placeholders where it did not
    expect(started(r.events, 'tell').action?.text).toBe(`notify webhook ${rec.url}/hook: "kernel Linux"`);
    expect(started(r.events, 'after').action?.text).toBe('sh: echo Linux 7 <steps.write.exitCode>');
  });

  it('a failing read-only check is reported and the probe ends failed (exit 1) without asking', async () => {
    const p = new FakePrompter();
    const r = await run(runbook('k', { title: 'K' }).check('down', 'Down', sh`exit 1`).check('next', 'Next', sh`true`), { mode: await probeMode(), prompter: p });
    expect(r).toMatchObject({ status: 'failed', exitCode: EXIT.failed });
    expect(finished(r.events, 'down')).toMatchObject({ status: 'failed', continued: true });
    expect(finished(r.events, 'next').status).toBe('ok');
    expect(p.failures).toEqual([]);
  });

  it('the probe executor itself refuses anything that is not read-only', async () => {
    const mode = await probeMode();
    const step = (rb: AnyRunbook): StepNode => rb.toPlan().steps[0] as StepNode;
    const env = {} as ActionEnv;
    const postNode = step(runbook('k', { title: 'K' }).exec('x', 'X', http.post('http://127.0.0.1:1/'))) as Extract<StepNode, { kind: 'exec' }>;
    const mutFn = step(runbook('k', { title: 'K' }).exec('x', 'X', fn(async () => 1))) as Extract<StepNode, { kind: 'exec' }>;
    const notifyStep = step(runbook('k', { title: 'K' }).notify('x', notify.console(), 'm')) as Extract<StepNode, { kind: 'notify' }>;
    expect(() => mode.execute?.(postNode.action, env)).toThrow(/probe mode refused to run a http action/);
    expect(() => mode.execute?.(mutFn.action, env)).toThrow(/probe mode refused to run a fn action/);
    expect(() => mode.execute?.(notifyStep.action, env)).toThrow(/probe mode refused to run a notify action/);
    expect(mode.canExecute(postNode)).toBe(false);
    expect(mode.canExecute(step(runbook('k', { title: 'K' }).exec('x', 'X', sh`true`)))).toBe(false);
    expect(mode.canExecute(step(runbook('k', { title: 'K' }).check('x', 'X', sh`true`)))).toBe(true);
    expect(mode.canExecute(step(runbook('k', { title: 'K' }).promote('x', 'X', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` }))))).toBe(false);
  });
});

describe('resume and --from inputs', () => {
  it('restored steps are not run again and their outputs reach later steps', async () => {
    const dir = tmp();
    const restored = new Map([['first', stepOutput('ok', 12, 'pg2', { command: 'x', stdout: 'pg2', stderr: '', exitCode: 0 })]]);
    const r = await run(runbook('k', { title: 'K' })
      .exec('first', 'First', sh`touch ${join(dir, 'first')}`, { parse: (o) => o })
      .exec('second', 'Second', sh`echo ${(c) => c.steps.first.value} ${(c) => c.steps.first.stdout}`), { restored });
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, 'first'))).toBe(false);
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['second']);
    expect(output(r.events, 'second')).toBe('pg2 pg2\n');
  });

  it('skipped steps are recorded with the reason; later steps see their status, not a value', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .exec('a', 'A', sh`echo a`)
      .exec('b', 'B', fn(async (c) => [c.steps.a.status, c.steps.a.ok]))
      .exec('c', 'C', fn(async (c) => c.steps.a.value)), { skip: new Map([['a', 'before --from b']]) });
    expect(r.exitCode).toBe(EXIT.failed);
    expect(finished(r.events, 'a')).toMatchObject({ status: 'skipped', reason: 'before --from b', attempts: 0 });
    expect(pick(r.events, 'step-started').map((e) => e.stepId)).toEqual(['b', 'c']);
    expect(finished(r.events, 'b').value).toEqual(['skipped', false]);
    // Reading the value of a skipped step fails the reading step, naming why, instead of using nothing.
    expect(finished(r.events, 'c')).toMatchObject({ status: 'failed', error: expect.stringContaining('step "a" was skipped, so its value is not available') as unknown });
  });

  it('an operator-skipped step does not feed a half value to later steps', async () => {
    const p = new FakePrompter([], [{ choice: 'skip', reason: 'checked by hand' }, { choice: 'abort' }]);
    const r = await run(runbook('k', { title: 'K' })
      .exec('lsn', 'Read LSN', sh`echo 0/ABC; exit 1`, { parse: (out) => out.trim() })
      .exec('use', 'Use it', fn(async (c) => `using ${c.steps.lsn.value}`)), { prompter: p });
    expect(finished(r.events, 'lsn')).toMatchObject({ status: 'skipped', reason: 'checked by hand' });
    expect(finished(r.events, 'use').error).toContain('step "lsn" was skipped');
  });

  it('live, reading the output of a step that has not run is an error naming the step', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .exec('a', 'A', fn(async (c) => (c.steps as unknown as Record<string, unknown>)['b']))
      .exec('b', 'B', sh`true`));
    expect(r.exitCode).toBe(EXIT.failed);
    expect(finished(r.events, 'a').error).toBe('step "b" has no output in this run: it has not run yet, or there is no such step.');
  });
});

describe('redaction', () => {
  const secret = "hunter2-$ecret'x";

  it('Redactor replaces a secret and its quoted / encoded forms, deeply', () => {
    const red = new Redactor();
    expect(red.active).toBe(false);
    expect(red.text(secret)).toBe(secret);
    red.add(secret);
    red.add('');
    expect(red.active).toBe(true);
    expect(red.text(`token=${secret}; again ${secret}`)).toBe(`token=${REDACTED}; again ${REDACTED}`);
    expect(red.text(JSON.stringify({ t: secret }))).toBe(`{"t":"${REDACTED}"}`);
    expect(red.text(`https://x/?t=${encodeURIComponent(secret)}`)).toBe(`https://x/?t=${REDACTED}`);
    expect(red.text(`echo 'hunter2-$ecret'\\''x'`)).toBe(`echo ${REDACTED}`);
    expect(red.text(Buffer.from(secret).toString('base64'))).toBe(REDACTED);
    expect(red.value({ a: [secret, 1, null, { b: `x${secret}` }], n: 5 })).toEqual({ a: [REDACTED, 1, null, { b: `x${REDACTED}` }], n: 5 });
  });

  it('a secret used in a command and echoed by it never reaches an event; the steps still get the real value', async () => {
    const rec = await receiver(200);
    const red = new Redactor();
    red.add(secret);
    const events: JournalEvent[] = [];
    const emit = eventPipeline(red, [{ write: (e) => events.push(e) }]);
    const r = await run(runbook('k', { title: 'K', params: { token: param.secret({ env: 'TOKEN' }) } })
      .exec('use', 'Use token', sh`echo token=${(c) => c.params.token}; echo ${(c) => c.params.token} >&2`)
      .exec('same', 'Same', fn(async (c) => c.steps.use.stdout === `token=${c.params.token}`))
      .exec('header', 'Secret inside a larger quoted word', sh`printf '%s\n' ${(c) => `Authorization: Bearer ${c.params.token}`}`)
      .check('fail', 'Fail with it', sh`echo ${(c) => c.params.token} >&2; exit 1`, { continueOnError: true })
      .notify('tell', notify.webhook(rec.url), (c) => `rotated ${c.params.token}`), { params: { token: secret }, emit, redact: (s) => red.text(s) });
    expect(r.exitCode).toBe(0);
    const all = JSON.stringify(events);
    expect(all).not.toContain('hunter2');
    expect(all).toContain(REDACTED);
    const byType = (t: string) => events.filter((e) => e.type === t);
    expect(byType('step-started')[0]).toMatchObject({ action: { text: `sh: echo token=${REDACTED}; echo ${REDACTED} >&2` } });
    expect(byType('output').map((e) => (e as Ev<'output'>).text)).toEqual(expect.arrayContaining([`token=${REDACTED}\n`, `${REDACTED}\n`]));
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'same')).toMatchObject({ value: true });
    expect(events.find((e) => e.type === 'step-started' && e.stepId === 'header')).toMatchObject({ action: { text: `sh: printf '%s\n' 'Authorization: Bearer ${REDACTED}'` } });
    expect(events.find((e) => e.type === 'output' && e.stepId === 'header')).toMatchObject({ text: `Authorization: Bearer ${REDACTED}\n` });
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'fail')).toMatchObject({ error: `command exited with code 1: ${REDACTED}` });
    expect(JSON.parse(rec.received[0]?.body ?? '{}')).toMatchObject({ text: `rotated ${REDACTED}` });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });
});
