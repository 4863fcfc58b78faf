/**
 * Notifications end to end: the CLI runs a failover drill against local HTTP receivers standing in for
 * Slack, PagerDuty and a signed webhook. Asserted: the exact JSON bodies those services expect (trigger
 * and resolve share the run id as dedup key), the HMAC verified as a real receiver would, templates
 * filled from the run (steps done / remaining, elapsed vs RTO, ETA), a failing receiver only warns,
 * the credentials never reach stdout, the journal or `show`, and dry-run sends nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notify, param, runbook, templates, type AnyRunbook, type NotifyResult } from 'runbook';
import type { RunInfo } from '../../dsl/context.js';
import { runEngine } from '../../interpreter/engine/engine.js';
import { noPrompter } from '../../interpreter/engine/prompter.js';
import type { EventBody } from '../../interpreter/events.js';
import { liveMode } from '../../interpreter/modes/index.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { onlyRun } from '../helpers/store.js';
import { closedPort, startReceiver, type ReceivedRequest, type Receiver } from '../helpers/servers/http-receiver.js';

const DRILL = fileURLToPath(new URL('../fixtures/notify/drill.ts', import.meta.url));
const MUST_DELIVER = fileURLToPath(new URL('../fixtures/notify/must-deliver.ts', import.meta.url));

const SLACK_PATH = '/services/T0RUNBOOK/B0DRILL/xoxSlackSecretToken9';
const PD_KEY = 'R0UT1NG-KEY-4f1d9a7c2e';
const HOOK_PATH = '/hooks/runbook/hookPathSecret-73c1';
const HMAC = 'whsec-Very-Secret-Signing-42';

let slack: Receiver;
let pd: Receiver;
let hook: Receiver;
beforeAll(async () => {
  slack = await startReceiver({ status: 200, body: 'ok', contentType: 'text/plain' });
  pd = await startReceiver({ status: 202, body: '{"status":"success","message":"Event processed"}' });
  hook = await startReceiver({ status: 204 });
});
afterAll(async () => {
  await Promise.all([slack, pd, hook].map((r) => r?.close()));
});

let tmp: { dir: string; cleanup: () => void };
let store: string;
beforeEach(() => {
  tmp = tempDir('runbook-notify-');
  store = join(tmp.dir, 'store');
  for (const r of [slack, pd, hook]) {
    r.requests.splice(0);
    r.answer({ status: r === pd ? 202 : r === hook ? 204 : 200, body: r === pd ? '{"status":"success"}' : 'ok' });
  }
});
afterEach(() => tmp.cleanup());

const secrets = (): Record<string, string> => ({
  DRILL_SLACK_HOOK: `${slack.url}${SLACK_PATH}`,
  DRILL_PD_KEY: PD_KEY,
  DRILL_HOOK_URL: `${hook.url}${HOOK_PATH}`,
  DRILL_HOOK_HMAC: HMAC,
});
/** Every form of a credential that must never be printed or journaled. */
const NEEDLES = [SLACK_PATH, 'xoxSlackSecretToken9', PD_KEY, HOOK_PATH, 'hookPathSecret-73c1', HMAC];

function drill(extra: readonly string[] = [], env: Record<string, string | undefined> = secrets()): Promise<CliResult> {
  return runCli(['run', DRILL, '--store', store, '-p', `pdUrl=${pd.url}/v2/enqueue`, ...extra], { cwd: tmp.dir, env });
}

function journal(): { text: string; events: (EventBody & { seq: number })[] } {
  const text = readFileSync(onlyRun(store), 'utf8');
  return { text, events: text.trim().split('\n').map((l) => JSON.parse(l) as EventBody & { seq: number }) };
}
function runId(): string {
  const started = journal().events.find((e) => e.type === 'run-started');
  if (started?.type !== 'run-started') throw new Error('no run-started');
  return started.runId;
}
const json = (r: ReceivedRequest | undefined): Record<string, unknown> => JSON.parse(r?.body ?? 'null') as Record<string, unknown>;

function expectNoSecret(where: string, text: string): void {
  for (const n of NEEDLES) expect(text.includes(n), `${where} contains ${n}`).toBe(false);
}

describe('a live drill', () => {
  let r: CliResult;
  let id: string;
  beforeEach(async () => {
    r = await drill();
    id = runId();
  });

  it('exits 0 and delivers every notification once, in order', () => {
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(slack.requests.map((q) => `${q.method} ${q.url}`)).toEqual([`POST ${SLACK_PATH}`, `POST ${SLACK_PATH}`]);
    expect(pd.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['POST /v2/enqueue', 'POST /v2/enqueue']);
    expect(hook.requests.map((q) => `${q.method} ${q.url}`)).toEqual([`POST ${HOOK_PATH}`]);
  });

  it('Slack gets the incoming-webhook body: text, one mrkdwn section, channel and username', () => {
    const body = json(slack.requests[0]);
    expect(Object.keys(body)).toEqual(['text', 'blocks', 'channel', 'username']);
    expect(body).toEqual({
      text: body['text'],
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: body['text'] } }],
      channel: '#disaster-recovery',
      username: 'runbook',
    });
    expect(slack.requests[0]?.headers['content-type']).toBe('application/json');
    const lines = String(body['text']).split('\n');
    expect(lines[0]).toBe(`DISASTER RECOVERY INITIATED: ${id} - Payments failover drill`);
    expect(lines).toContain('Impact: Card payments failing in eu-west');
    expect(lines).toContain('Affected Services: payments-api, ledger');
    expect(lines).toContain('DR Coordinator: Dana (DR coordinator)');
    expect(lines).toContain('Current Status: DR plan activated, recovery in progress');
    expect(lines).toContain('Slack Channel: #disaster-recovery');
    const declared = lines.find((l) => l.startsWith('Time Declared: '));
    expect(declared).toMatch(/^Time Declared: \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    // 4 milestones ahead: fence 2m + standby 1m + promote 3m = 6m estimated; switch-dns has no estimate
    expect(lines.find((l) => l.startsWith('Estimated Recovery Time: '))).toMatch(/^Estimated Recovery Time: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in ~6m00s; 1 step without an estimate not counted\)$/);
    expect(lines.find((l) => l.startsWith('Recovery Time Objective: '))).toMatch(/^Recovery Time Objective: 15m \(by \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    expect(lines.find((l) => l.startsWith('Next Update: '))).toMatch(/^Next Update: \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    const complete = json(slack.requests[1]);
    expect(Object.keys(complete)).toEqual(['text', 'blocks']);
  });

  it('PagerDuty: a trigger at declaration and a resolve at the end, both keyed by the run id', () => {
    const trigger = json(pd.requests[0]);
    expect(trigger).toEqual({
      routing_key: PD_KEY,
      event_action: 'trigger',
      dedup_key: id,
      payload: {
        summary: `DISASTER RECOVERY INITIATED: ${id} - Payments failover drill`,
        source: 'payments-eu',
        severity: 'critical',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        custom_details: { message: expect.stringContaining('Affected Services: payments-api, ledger') as unknown, runbook: 'notify-drill', run: id, step: 'page' },
      },
    });
    expect(json(pd.requests[1])).toEqual({ routing_key: PD_KEY, event_action: 'resolve', dedup_key: id });
    const { events } = journal();
    const page = events.find((e) => e.type === 'step-finished' && e.stepId === 'page');
    expect(page).toMatchObject({ status: 'ok', value: { ok: true, channel: 'pagerduty', status: 202, dedupKey: id } });
  });

  it('the webhook is signed over the exact body bytes, and a receiver can verify it', () => {
    const req = hook.requests[0];
    if (!req) throw new Error('no webhook request');
    // What a receiver does: recompute HMAC-SHA256("<timestamp>.<raw body>"), compare in constant time, check the age.
    const ts = String(req.headers['x-runbook-timestamp']);
    const sig = String(req.headers['x-runbook-signature']);
    expect(ts).toMatch(/^\d{10}$/);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300);
    const expected = `sha256=${createHmac('sha256', HMAC).update(`${ts}.`).update(req.raw).digest('hex')}`;
    expect(sig.length).toBe(expected.length);
    expect(timingSafeEqual(Buffer.from(sig), Buffer.from(expected))).toBe(true);
    // a tampered body or another secret does not verify
    expect(createHmac('sha256', HMAC).update(`${ts}.`).update(Buffer.concat([req.raw, Buffer.from(' ')])).digest('hex')).not.toBe(sig.slice(7));
    expect(createHmac('sha256', 'other').update(`${ts}.`).update(req.raw).digest('hex')).not.toBe(sig.slice(7));
    expect(req.headers['x-team']).toBe('dba');
    expect(Object.keys(json(req))).toEqual(['text', 'runbook', 'run', 'step']);
    expect(json(req)).toMatchObject({ runbook: 'notify-drill', run: id, step: 'status' });
  });

  it('the status update is filled from the run: done, remaining, elapsed vs RTO, revised estimate', () => {
    const text = String(json(hook.requests[0])['text']);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`DR STATUS UPDATE: ${id} - Payments failover drill`);
    expect(lines).toContain('Current Status: Recover: recovery in progress');
    expect(lines.find((l) => l.startsWith('Elapsed: '))).toMatch(/^Elapsed: [\d.]+m?s? of 15m RTO \(\d+%\)$|^Elapsed: \d+ms of 15m RTO \(\d+%\)$/);
    const progress = text.slice(text.indexOf('Progress:\n'), text.indexOf('\n\nRemaining Steps:'));
    expect(progress.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^- Fence the old primary: done \(\S+\)$/),
      expect.stringMatching(/^- Standby is healthy: done \(\S+\)$/),
      '- Customers informed via status page',
    ]);
    const remaining = text.slice(text.indexOf('Remaining Steps:\n'), text.indexOf('\n\nRevised Recovery Estimate:'));
    expect(remaining.split('\n').slice(1)).toEqual(['- Promote the standby (est. 3m)', '- Point DNS at the DR region']);
    expect(lines.find((l) => l.startsWith('Revised Recovery Estimate: '))).toMatch(/\(in ~3m00s; 1 step without an estimate not counted\)$/);
  });

  it('recovery complete: duration against the RTO, services, outcome, follow-ups', () => {
    const text = String(json(slack.requests[1])['text']);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`DR RECOVERY COMPLETE: ${id} - Payments failover drill`);
    expect(lines.find((l) => l.startsWith('Total Recovery Duration: '))).toMatch(/^Total Recovery Duration: 00:00 \(\S+; RTO 15m met, \S+ to spare\)$/);
    expect(text).toContain('Recovered Services:\n- payments-api: Fully operational\n- ledger: Fully operational');
    expect(text).toContain('Outcome Summary:\n- 4 of 4 steps done\n- No data loss');
    expect(text).toContain('Follow-up Actions:\n- Post-mortem on Thursday');
    expect(lines.at(-1)).toBe('Post-Recovery Review scheduled for: 2025-02-06 14:00 UTC');
  });

  it('no credential in stdout, stderr, the journal, show or runs', async () => {
    expectNoSecret('stdout', r.stdout);
    expectNoSecret('stderr', r.stderr);
    expectNoSecret('journal', journal().text);
    const show = await runCli(['show', 'last', '--store', store], { cwd: tmp.dir });
    expect(show.code).toBe(0);
    expectNoSecret('show', show.stdout + show.stderr);
    const showJson = await runCli(['show', 'last', '--json', '--store', store], { cwd: tmp.dir });
    expectNoSecret('show --json', showJson.stdout);
    const runs = await runCli(['runs', '--json', '--store', store], { cwd: tmp.dir });
    expectNoSecret('runs', runs.stdout);
    // what is shown instead
    expect(r.stdout).toContain(`slack ${slack.url}/services/*** (#disaster-recovery as runbook)`);
    expect(r.stdout).toContain(`pagerduty trigger (routing key ***, severity critical, dedup key = run id) via ${pd.url}/v2/***`);
    expect(r.stdout).toContain(`webhook ${hook.url}/hooks/*** (headers x-team) (signed HMAC-SHA256, secret ***)`);
  });
});

describe('failures warn and the run goes on', () => {
  it('Slack answering 500: a warning naming the status and reason, the next steps run, exit 0', async () => {
    slack.answer({ status: 500, body: 'no_service', contentType: 'text/plain' });
    const r = await drill();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('notification not delivered: slack answered 500 Internal Server Error: no_service');
    expect(pd.requests).toHaveLength(2);
    expect(hook.requests).toHaveLength(1);
    const { events, text } = journal();
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'declare')).toMatchObject({ status: 'failed', continued: true, value: { ok: false, status: 500 } });
    expect(events.filter((e) => e.type === 'step-finished' && e.status === 'ok').map((e) => (e as { stepId: string }).stepId)).toEqual(['page', 'fence', 'standby-ok', 'status', 'promote', 'switch-dns', 'resolve']);
    expectNoSecret('journal', text);
    expectNoSecret('stdout', r.stdout + r.stderr);
  });

  it('PagerDuty refused (nothing listening): a warning with ECONNREFUSED, exit 0', async () => {
    const port = await closedPort();
    const r = await runCli(['run', DRILL, '--store', store, '-p', `pdUrl=http://127.0.0.1:${port}/v2/enqueue`], { cwd: tmp.dir, env: secrets() });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain('notification not delivered: pagerduty delivery failed: ECONNREFUSED');
    expect(slack.requests).toHaveLength(2);
  });

  it('continueOnError: false makes an undelivered notification stop the run (exit 1)', async () => {
    slack.answer({ status: 503, body: '' });
    const marker = join(tmp.dir, 'after');
    const r = await runCli(['run', MUST_DELIVER, '--store', store, '-p', `marker=${marker}`], { cwd: tmp.dir, env: { DRILL_SLACK_HOOK: `${slack.url}${SLACK_PATH}` } });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('slack answered 503 Service Unavailable');
    expect(existsSync(marker)).toBe(false);
    expectNoSecret('stdout', r.stdout + r.stderr);
    expectNoSecret('journal', journal().text);
  });
});

describe('dry-run', () => {
  it('renders every notification, template placeholders included, and sends nothing', async () => {
    const r = await drill(['--dry-run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(slack.requests).toHaveLength(0);
    expect(pd.requests).toHaveLength(0);
    expect(hook.requests).toHaveLength(0);
    expect(r.stdout).toContain(`notify slack ${slack.url}/services/*** (#disaster-recovery as runbook): declaration template`);
    expect(r.stdout).toContain('DISASTER RECOVERY INITIATED: <run id> - <runbook title>');
    expect(r.stdout).toContain('Time Declared: <run start, UTC>');
    expect(r.stdout).toContain('Affected Services: payments-api, ledger');
    expect(r.stdout).toContain(`notify pagerduty resolve (routing key ***, dedup key = run id) via ${pd.url}/v2/***: "Payments recovered"`);
    expect(r.stdout).toContain('Remaining Steps:');
    expect(r.stdout).toContain('<steps remaining at the time>');
    expectNoSecret('dry-run stdout', r.stdout + r.stderr);
  });

  it('without the secrets, names the params instead', async () => {
    const r = await drill(['--dry-run'], {});
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('notify slack <secret:slackHook> (#disaster-recovery as runbook): declaration template');
    expect(r.stdout).toContain('notify pagerduty trigger (routing key <secret:pdKey>, severity critical, dedup key = run id)');
    expect(r.stdout).toContain('notify webhook <secret:hook> (headers x-team) (signed HMAC-SHA256, secret <secret:hmac>): status update template');
    expect(slack.requests.length + pd.requests.length + hook.requests.length).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The engine directly, for cases the drill does not reach.

async function engineRun(rb: AnyRunbook, params: Record<string, unknown> = {}): Promise<{ exitCode: number; events: EventBody[] }> {
  const events: EventBody[] = [];
  const mode = await liveMode();
  const plan = rb.toPlan();
  const info: RunInfo = { id: 'run-notify-1', runbookId: plan.id, mode: 'live', operator: 'alice', startedAt: new Date().toISOString() };
  const r = await runEngine({
    plan, mode, params, run: info, prompter: noPrompter, emit: (e) => events.push(e), redact: (s) => s,
    signal: new AbortController().signal, yes: true, runStartedAtMs: Date.now(),
  });
  return { exitCode: r.exitCode, events };
}
const warnings = (events: readonly EventBody[]): string[] => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
const value = (events: readonly EventBody[], id: string): NotifyResult =>
  (events.find((e) => e.type === 'step-finished' && e.stepId === id) as { value: NotifyResult }).value;

describe('channels, engine-level', () => {
  it('a receiver that never answers: a timeout warning, bounded by the step timeout', async () => {
    const hang = await startReceiver({ status: 'hang' });
    try {
      const r = await engineRun(runbook('k', { title: 'K' }).notify('n', notify.slack(`${hang.url}/services/a/b/c`), 'hello', { timeout: 300 }));
      expect(r.exitCode).toBe(0);
      expect(warnings(r.events)).toEqual(['notification not delivered: slack delivery failed: ETIMEDOUT (no response within 300 ms)']);
    } finally {
      await hang.close();
    }
  });

  it('an optional secret that is not set: the notification is skipped with the reason (not a failure), nothing sent', async () => {
    const r = await engineRun(runbook('k', { title: 'K', params: { hook: param.secret({ optional: true }) } })
      .notify('n', notify.slack((c) => c.params.hook), 'hello'), { hook: undefined });
    expect(warnings(r.events)).toEqual([]);
    expect(r.events.find((e) => e.type === 'step-finished')).toMatchObject({ status: 'skipped', reason: 'slack webhook URL is not set (give the param, or its environment variable)' });
    expect(slack.requests).toEqual([]);
  });

  it('with continueOnError: false an unset webhook fails the step: delivery was required', async () => {
    const r = await engineRun(runbook('k', { title: 'K', params: { hook: param.secret({ optional: true }) } })
      .notify('n', notify.slack((c) => c.params.hook), 'hello', { continueOnError: false }), { hook: undefined });
    expect(r.events.find((e) => e.type === 'step-finished')).toMatchObject({ status: 'failed' });
  });

  it("Slack's control characters are escaped; the literal URL never appears in an error", async () => {
    slack.answer({ status: 404, body: `no_team ${SLACK_PATH}`, contentType: 'text/plain' });
    const r = await engineRun(runbook('k', { title: 'K' }).notify('n', notify.slack(`${slack.url}${SLACK_PATH}`), 'a < b & c > d'));
    expect(json(slack.requests[0])['text']).toBe('a &lt; b &amp; c &gt; d');
    expect(warnings(r.events)).toEqual(['notification not delivered: slack answered 404 Not Found: no_team ***']);
    expect(value(r.events, 'n')).toMatchObject({ ok: false, channel: 'slack', status: 404 });
  });

  it('a template in a console notification prints the filled text', async () => {
    const r = await engineRun(runbook('k', { title: 'Console drill', rto: '1h' })
      .notify('n', notify.console(), templates.statusUpdate({ services: ['vault'], status: 'Assessing' })));
    const out = r.events.flatMap((e) => (e.type === 'output' ? [e.text] : [])).join('');
    expect(out).toMatch(/^DR STATUS UPDATE: run-notify-1 - Console drill\n\nTime: .* UTC\nCurrent Status: Assessing\nAffected Services: vault\nElapsed: \S+ of 1h RTO \(0%\)\n\nProgress:\n- none yet\n\nRemaining Steps:\n- none\n\nRevised Recovery Estimate: .* UTC \(no steps remain\)\n$/);
  });
});

describe('types', () => {
  it('template fields and channel credentials are typed by the run context', () => {
    const rb = runbook('typed', { title: 'T', params: { services: param.string(), hook: param.secret({ optional: true }), key: param.secret() } })
      .notify('declare', notify.slack((c) => c.params.hook), templates.declaration({ services: (c) => c.params.services.split(','), nextUpdateIn: '30m' }))
      .notify('page', notify.pagerduty((c) => c.params.key, { severity: 'critical' }), templates.statusUpdate({ milestones: (c) => [String(c.steps.declare.value.ok)] }))
      .notify('resolve', notify.pagerduty((c) => c.params.key, { action: 'resolve' }), 'done')
      .notify(
        'bad-field',
        notify.console(),
        // @ts-expect-error an unknown param in a template field does not compile
        templates.recoveryComplete({ services: (c) => c.params.nope }),
      )
      .notify(
        'bad-step',
        notify.console(),
        // @ts-expect-error a later or unknown step does not compile either
        templates.statusUpdate({ status: (c) => String(c.steps.later.value) }),
      );
    // @ts-expect-error a trigger needs a severity
    expect(() => notify.pagerduty('k', {})).toThrow(/severity must be one of/);
    // @ts-expect-error severities are PagerDuty's four
    expect(() => notify.pagerduty('k', { severity: 'urgent' })).toThrow(/severity must be one of/);
    expect(rb.toPlan().steps.map((x) => x.title)).toEqual(['Notify slack: declaration', 'Notify pagerduty: status update', 'Notify pagerduty', 'Notify console: recovery complete', 'Notify console: status update']);
  });
});

describe('definition errors', () => {
  it('bad channel options and template fields are refused when the runbook is built', () => {
    expect(() => notify.pagerduty('k', { severity: 'urgent' as never })).toThrow(/severity must be one of critical, error, warning, info/);
    expect(() => notify.pagerduty('k', { action: 'acknowledge' as never, severity: 'info' })).toThrow(/action must be "trigger" or "resolve"/);
    expect(() => notify.slack('https://x', { icon: ':fire:' } as never)).toThrow(/notify.slack: unknown option "icon"/);
    expect(() => notify.webhook(42 as never)).toThrow(/notify.webhook url must be a string or c => string/);
    expect(() => templates.declaration({} as never)).toThrow(/templates.declaration: "services" \(the affected services\) is required/);
    expect(() => templates.statusUpdate({ eta: '5m' } as never)).toThrow(/templates.statusUpdate: unknown field "eta"/);
    expect(() => templates.declaration({ services: 'a', nextUpdateIn: 'soon' as never })).toThrow(/nextUpdateIn/);
    expect(() => runbook('k', { title: 'K' }).notify('n', notify.console(), 42 as never)).toThrow(/the message must be a string, c => string or a template/);
  });
});
