// Four-eyes approval in the engine, through its Approvals port (a scripted fake here; the stores'
// real ports are covered end to end by approve.test.ts): the runner's own vote and repeated votes do
// not count; enough approvals go on; a rejection aborts (or continues with onNo: 'continue'); a
// timeout fails; an interrupt stops the wait; dry-runs never wait; and the options are validated.
import { describe, expect, it } from 'vitest';
import { fn, promote, runbook, sh, type AnyRunbook } from 'runbook';
import { RunbookDefinitionError } from '../../dsl/ids.js';
import type { ApprovalVote, Approvals } from '../../interpreter/engine/approvals.js';
import { runEngine } from '../../interpreter/engine/engine.js';
import { noPrompter, type Prompter } from '../../interpreter/engine/prompter.js';
import { EXIT } from '../../interpreter/errors.js';
import type { EventBody } from '../../interpreter/events.js';
import { dryRunMode, liveMode } from '../../interpreter/modes/index.js';
import { stepFingerprints } from '../../interpreter/store/fingerprint.js';

/** Delivers the scripted votes one batch per call; then nothing (waits until the deadline or abort). */
class ScriptedApprovals implements Approvals {
  readonly calls: { stepId: string; requestId: string }[] = [];
  constructor(private readonly batches: Partial<ApprovalVote>[][]) {}
  async next(stepId: string, requestId: string, untilMs: number, signal: AbortSignal): Promise<readonly ApprovalVote[]> {
    this.calls.push({ stepId, requestId });
    const b = this.batches.shift();
    if (b) return b.map((v, i) => ({ voteId: `v${this.calls.length}-${i}`, by: 'bob', host: 'h2', pid: 2, reject: false, at: new Date().toISOString(), ...v }));
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, untilMs - Date.now()));
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    return [];
  }
}

const yesPrompter: Prompter = { ...noPrompter, interactive: true, confirm: () => Promise.resolve(true) };

async function run(rb: AnyRunbook, approvals: Approvals | undefined, o: { signal?: AbortSignal; dry?: boolean } = {}): Promise<{ exitCode: number; events: EventBody[] }> {
  const events: EventBody[] = [];
  const plan = rb.toPlan();
  const mode = o.dry ? dryRunMode : await liveMode();
  const r = await runEngine({
    plan, mode, params: {}, run: { id: 'r1', runbookId: plan.id, mode: mode.name, operator: 'alice', startedAt: new Date().toISOString() },
    prompter: yesPrompter, emit: (e) => events.push(e), redact: (s) => s, signal: o.signal ?? new AbortController().signal, yes: false, runStartedAtMs: Date.now(),
    ...(approvals ? { approvals } : {}),
  });
  return { exitCode: r.exitCode, events };
}

const confirm3 = runbook('gate', { title: 'Gate' }).confirm('go', 'Go?', { approvers: 3, approvalTimeout: '5s' }).exec('after', 'After', fn(async () => 'ran'));
const types = (events: readonly EventBody[]): string[] => events.filter((e) => e.type.startsWith('approval') || e.type === 'warning').map((e) => (e.type === 'warning' ? `warning:${e.message.split(' ').slice(0, 3).join(' ')}` : `${e.type}${'by' in e ? `:${e.by}` : ''}`));

describe('the approval gate', () => {
  it('approvers: 3 needs two operators other than the runner; her own vote and a repeated one do not count', async () => {
    const a = new ScriptedApprovals([[{ by: 'alice' }], [{ by: 'bob' }, { by: 'bob' }], [{ by: 'carol', reason: 'checked' }]]);
    const r = await run(confirm3, a);
    expect(r.exitCode).toBe(EXIT.done);
    expect(types(r.events)).toEqual([
      'approval-requested', 'warning:refused the approval', 'approval-given:bob', 'warning:ignored a second', 'approval-given:carol',
    ]);
    const req = r.events.find((e) => e.type === 'approval-requested');
    expect(req).toMatchObject({ stepId: 'go', approvers: 3, needed: 2, runner: 'alice', timeoutMs: 5000 });
    expect(new Set(a.calls.map((c) => c.requestId)).size).toBe(1);
    expect(r.events.find((e) => e.type === 'step-finished' && e.stepId === 'go')).toMatchObject({ status: 'ok', result: { approvedBy: ['bob', 'carol'] } });
    expect(r.events.find((e) => e.type === 'step-finished' && e.stepId === 'after')).toMatchObject({ status: 'ok' });
  });

  it('a rejection aborts the run (exit 3); with onNo: "continue" the step records false and the run goes on', async () => {
    const r = await run(confirm3, new ScriptedApprovals([[{ by: 'bob', reject: true, reason: 'not now' }]]));
    expect(r.exitCode).toBe(EXIT.aborted);
    expect(r.events.find((e) => e.type === 'step-finished')).toMatchObject({ stepId: 'go', status: 'failed', error: 'rejected by bob: not now' });
    const optional = runbook('gate', { title: 'Gate' }).confirm('extra', 'Also tell customers?', { approvers: 2, onNo: 'continue' }).exec('after', 'After', fn(async () => 'ran'));
    const r2 = await run(optional, new ScriptedApprovals([[{ by: 'bob', reject: true, reason: 'not yet' }]]));
    expect(r2.exitCode).toBe(EXIT.done);
    expect(r2.events.find((e) => e.type === 'step-finished' && e.stepId === 'extra')).toMatchObject({ status: 'ok', value: false });
  });

  it('promote with requireSecondOperator runs nothing until approved; no approval in time fails the run (exit 1)', async () => {
    const rb = runbook('gate', { title: 'Gate' }).promote('promote', 'Promote', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` }), { requireSecondOperator: true, approvalTimeout: '300ms' });
    const r = await run(rb, new ScriptedApprovals([]));
    expect(r.exitCode).toBe(EXIT.failed);
    expect(types(r.events)).toEqual(['approval-requested', 'approval-timed-out']);
    expect(r.events.some((e) => e.type === 'process-started')).toBe(false);
    expect(r.events.find((e) => e.type === 'step-finished')).toMatchObject({ status: 'failed', error: 'no approval by a second operator within 300ms' });
    const ok = await run(rb, new ScriptedApprovals([[{ by: 'bob' }]]));
    expect(ok.exitCode).toBe(EXIT.done);
  });

  it('an interrupt while waiting ends the step interrupted; a dry-run never waits; without a port the step fails clearly', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort('SIGINT'), 100);
    const r = await run(confirm3, new ScriptedApprovals([]), { signal: c.signal });
    expect(r.exitCode).toBe(EXIT.interrupted);
    expect(r.events.some((e) => e.type === 'step-interrupted')).toBe(true);
    const dry = await run(confirm3, new ScriptedApprovals([]), { dry: true });
    expect(dry.exitCode).toBe(EXIT.done);
    expect(dry.events.some((e) => e.type === 'approval-requested')).toBe(false);
    const none = await run(confirm3, undefined);
    expect(none.exitCode).toBe(EXIT.failed);
    expect(none.events.find((e) => e.type === 'step-finished')).toMatchObject({ status: 'failed', error: expect.stringContaining('no store to receive one') as unknown });
  });
});

describe('four-eyes options', () => {
  it('are validated at build time with the step named', () => {
    const rb = runbook('opts', { title: 'O' });
    expect(() => rb.confirm('go', 'Go?', { approvers: 0 })).toThrow(RunbookDefinitionError);
    expect(() => rb.confirm('go', 'Go?', { approvers: 1.5 })).toThrow(/step "go": approvers must be a whole number from 1 to 9/);
    expect(() => rb.confirm('go', 'Go?', { approvalTimeout: '5m' })).toThrow(/approvalTimeout is how long to wait for a second operator; give approvers: 2/);
    expect(() => rb.promote('p', 'P', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` }), { approvalTimeout: '5m' })).toThrow(/requireSecondOperator: true/);
    // @ts-expect-error: approvers is a confirm option; a promote says requireSecondOperator
    expect(() => rb.promote('p', 'P', promote.custom({ precheck: sh`true`, action: sh`true`, verify: sh`true` }), { approvers: 2 })).toThrow(/unknown option "approvers" for a promote step/);
    // @ts-expect-error: only confirm and promote wait for a second operator
    expect(() => rb.exec('x', 'X', sh`true`, { requireSecondOperator: true })).toThrow(/unknown option "requireSecondOperator" for a exec step/);
    const plan = rb.confirm('go', 'Go?', { approvers: 2, approvalTimeout: '90s' }).toPlan();
    expect(plan.steps[0]?.options).toMatchObject({ approvers: 2, approvalTimeoutMs: 90_000 });
  });

  it('change a step\'s fingerprint (resume names it), while steps without them keep the fingerprints journals hold', () => {
    const plain = stepFingerprints(runbook('f', { title: 'F' }).confirm('go', 'Go?').toPlan());
    const one = stepFingerprints(runbook('f', { title: 'F' }).confirm('go', 'Go?', { approvers: 1 }).toPlan());
    const two = stepFingerprints(runbook('f', { title: 'F' }).confirm('go', 'Go?', { approvers: 2 }).toPlan());
    expect(one).toEqual(plain);
    expect(two['go']).not.toBe(plain['go']);
  });
});
