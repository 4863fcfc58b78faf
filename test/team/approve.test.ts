// Four-eyes approval on both stores: a confirm with `approvers: 2` and a promote with
// `requireSecondOperator` wait until a different operator runs `runbook approve` from another process;
// the runner cannot approve its own step (exit 2, nothing recorded); a rejection fails the step and
// aborts the run (exit 3); no approval in time fails it (exit 1). Every vote is journaled with who.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../interpreter/events.js';
import { countLines, runIdFromOutput, waitFor, type LiveCli } from '../helpers/crash.js';
import { useStores, type TeamEnv } from './stores.js';

const FOUR_EYES = fileURLToPath(new URL('../fixtures/team/four-eyes.ts', import.meta.url));
const TIMEOUT = fileURLToPath(new URL('../fixtures/team/approval-timeout.ts', import.meta.url));
const kinds = useStores('rb-approve');

/** Starts the four-eyes run as alice (--yes answers her own confirmation) and waits until `step` waits for approval. */
async function startRun(e: TeamEnv, file = FOUR_EYES): Promise<{ cli: LiveCli; runId: string; dir: string }> {
  const dir = join(e.dir, 'work');
  mkdirSync(dir, { recursive: true });
  const cli = e.start(['run', file, '--yes', '--ui', 'plain', '--operator', 'alice', ...(file === FOUR_EYES ? ['-p', `dir=${dir}`] : [])]);
  const runId = await waitFor('the run id', () => (cli.done() ? (() => { throw new Error(`run ended: ${cli.stdout()}${cli.stderr()}`); })() : runIdFromOutput(cli.stdout())));
  return { cli, runId, dir };
}

async function waiting(e: TeamEnv, runId: string, stepId: string, cli: LiveCli): Promise<JournalEvent> {
  const diag = (): string => `--- stdout\n${cli.stdout()}\n--- stderr\n${cli.stderr()}`;
  for (const deadline = Date.now() + 20_000; ;) {
    if (cli.done()) throw new Error(`the run ended before ${stepId} waited for approval\n${diag()}`);
    const events = await e.events(runId).catch(() => []);
    const asked = events.filter((x) => x.type === 'approval-requested' && x.stepId === stepId);
    const open = asked.at(-1);
    if (open && !events.some((x) => x.seq > open.seq && (x.type === 'step-finished' && x.stepId === stepId))) return open;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${stepId} to wait for approval\n${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(kinds)('four-eyes approval, $name', (k) => {
  it.skipIf(k.skip)('waits for a second operator; self-approval is refused (exit 2); approvals from other processes unblock it, journaled with identities', async () => {
    const e = await k.make();
    const { cli, runId, dir } = await startRun(e);
    const asked = await waiting(e, runId, 'go', cli);
    expect(asked).toMatchObject({ type: 'approval-requested', stepId: 'go', approvers: 2, needed: 1, runner: 'alice', timeoutMs: 60_000 });
    expect(cli.stdout()).toContain(`runbook approve ${runId} go`);
    expect(countLines(join(dir, 'counter'))).toEqual({});

    // The runner cannot approve her own step.
    const self = await e.cli(['approve', runId, 'go', '--operator', 'alice']);
    expect(self.code, self.stdout + self.stderr).toBe(2);
    expect(self.stderr).toContain('Refused: you (alice) are running run');
    expect(self.stderr).toContain('different operator');
    // A step that is not waiting, and a rejection without a reason, are refused too.
    const notWaiting = await e.cli(['approve', runId, 'promote', '--operator', 'bob']);
    expect(notWaiting.code).toBe(2);
    expect(notWaiting.stderr).toContain('is not waiting for approval');
    expect(notWaiting.stderr).toContain('Waiting for approval: go');
    const noReason = await e.cli(['approve', runId, 'go', '--operator', 'bob', '--reject']);
    expect(noReason.code).toBe(2);
    expect(countLines(join(dir, 'counter'))).toEqual({});
    expect(cli.done()).toBe(false);

    const bob = await e.cli(['approve', runId, 'go', '--operator', 'bob']);
    expect(bob.code, bob.stdout + bob.stderr).toBe(0);
    expect(bob.stdout).toContain(`Approved step "go" of run ${runId} as bob — recorded by the run`);
    // bob's approval released the confirm; the promote now waits for its own second operator.
    await waiting(e, runId, 'promote', cli);
    expect(countLines(join(dir, 'counter'))).toEqual({ prepare: 1 });
    const carol = await e.cli(['approve', runId, 'promote', '--operator', 'carol', '--reason', 'lag checked: 0 bytes']);
    expect(carol.code, carol.stdout + carol.stderr).toBe(0);

    const r = await cli.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('approved by bob@');
    expect(r.stdout).toContain('approved by carol@');
    expect(countLines(join(dir, 'counter'))).toEqual({ prepare: 1, precheck: 1, promote: 1, after: 1 });

    const events = await e.events(runId);
    const votes = events.filter((x) => x.type.startsWith('approval-'));
    expect(votes.map((x) => [x.type, 'stepId' in x ? x.stepId : null, 'by' in x ? x.by : null])).toEqual([
      ['approval-requested', 'go', null], ['approval-given', 'go', 'bob'], ['approval-requested', 'promote', null], ['approval-given', 'promote', 'carol'],
    ]);
    expect(votes[1]).toMatchObject({ by: 'bob', host: hostname() });
    expect(votes[3]).toMatchObject({ by: 'carol', reason: 'lag checked: 0 bytes' });
    // The confirm was answered by alice (automatically) before bob approved; the step's result names both.
    const go = events.find((x) => x.type === 'step-finished' && x.stepId === 'go');
    expect(go).toMatchObject({ status: 'ok', by: 'alice', result: { answer: true, by: 'alice', approvedBy: ['bob'] } });
    // The promote ran only after carol's approval.
    const order = events.map((x) => `${x.type}:${'stepId' in x ? String(x.stepId) : ''}`);
    expect(order.indexOf('approval-given:promote')).toBeLessThan(order.indexOf('process-started:promote'));
    const shown = await e.cli(['show', runId]);
    expect(shown.stdout).toContain('approvals (four eyes)');
    expect(shown.stdout).toMatch(/go: approved by bob@/);
    expect(shown.stdout).toMatch(/promote: approved by carol@\S+ — lag checked/);
    // The report lists each approval with who gave it, and names bob and carol among those who decided.
    const report = await e.cli(['report', runId]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/\| `go` \| four-eyes approval: approved \| bob \|/);
    expect(report.stdout).toMatch(/\| `promote` \| four-eyes approval: approved \| carol \| [^|]+ \| lag checked: 0 bytes \|/);
    expect(report.stdout).toMatch(/\*\*Decisions by:\*\* .*bob.*carol|\*\*Decisions by:\*\* .*carol.*bob/);
    expect((await e.cli(['verify', runId])).code).toBe(0);
  });

  it.skipIf(k.skip)('a rejection fails the step and aborts the run (exit 3): the promote never runs', async () => {
    const e = await k.make();
    const { cli, runId, dir } = await startRun(e);
    await waiting(e, runId, 'go', cli);
    expect((await e.cli(['approve', runId, 'go', '--operator', 'bob'])).code).toBe(0);
    await waiting(e, runId, 'promote', cli);
    const rej = await e.cli(['approve', runId, 'promote', '--operator', 'carol', '--reject', '--reason', 'standby is 2 GB behind']);
    expect(rej.code, rej.stdout + rej.stderr).toBe(0);
    expect(rej.stdout).toContain('Rejected step "promote"');
    const r = await cli.exited;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('rejected by carol@');
    expect(countLines(join(dir, 'counter'))).toEqual({ prepare: 1 });
    const events = await e.events(runId);
    expect(events.find((x) => x.type === 'approval-rejected')).toMatchObject({ stepId: 'promote', by: 'carol', reason: 'standby is 2 GB behind' });
    expect(events.find((x) => x.type === 'step-finished' && x.stepId === 'promote')).toMatchObject({ status: 'failed', error: 'rejected by carol: standby is 2 GB behind' });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted', exitCode: 3 });
    // Nothing to approve any more.
    const late = await e.cli(['approve', runId, 'promote', '--operator', 'dave']);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/not waiting for approval .*ended \(aborted\)/);
  });

  it.skipIf(k.skip)('without an approval in time (approvalTimeout) the step fails and the run ends failed (exit 1)', async () => {
    const e = await k.make();
    const { cli, runId } = await startRun(e, TIMEOUT);
    const r = await cli.exited;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('no approval after');
    const events = await e.events(runId);
    expect(events.find((x) => x.type === 'approval-timed-out')).toMatchObject({ stepId: 'go' });
    expect(events.find((x) => x.type === 'step-finished')).toMatchObject({ stepId: 'go', status: 'failed', error: expect.stringContaining('no approval by a second operator within 2.00s') as unknown });
  });
});
