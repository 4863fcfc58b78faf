import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { JournalEvent } from '../events.js';
import { pendingApprovals } from '../store/approval-state.js';
import { withStore } from '../store/open-store.js';
import type { RunStore, Vote } from '../store/run-store.js';
import { replay } from '../store/run-state.js';
import { defaultOperator, host } from './session.js';

export interface ApproveFlags {
  readonly reject?: boolean;
  readonly reason?: string;
  readonly operator?: string;
  readonly store?: string;
}

/**
 * `runbook approve <run-id> <step-id> [--reject --reason TEXT]`: the second pair of eyes. The vote goes
 * to the store; the run (the only writer of its journal) records it with the voter's identity and goes
 * on, or stops on a rejection. The operator running the step cannot approve it: refused, exit 2.
 */
export function approveCommand(runArg: string, stepId: string, f: ApproveFlags): Promise<number> {
  const reason = f.reason?.trim();
  if (f.reject && !reason) throw new UsageError('--reject needs --reason TEXT: say why (it is recorded in the run\'s journal and shown to the operator running it).');
  if (f.reason !== undefined && !reason) throw new UsageError('--reason is empty: say why, or leave --reason out.');
  const voter = defaultOperator(f.operator);
  return withStore(f.store, async (store) => {
    const runId = await store.findRun(runArg);
    const { events } = await store.readRun(runId);
    const state = replay(events);
    const verb = f.reject ? 'reject' : 'approve';
    if (!state.steps.has(stepId)) throw new UsageError(`Run ${runId} has no step "${stepId}". Its steps: ${[...state.steps.keys()].join(', ')}.`);
    const pending = pendingApprovals(events);
    const p = pending.get(stepId);
    if (p === undefined) {
      const waiting = [...pending.keys()];
      const now = state.status === 'running' ? `it is ${state.steps.get(stepId)?.status ?? 'pending'}` : `the run has ${state.status === 'done' ? 'finished' : `ended (${state.status})`}`;
      throw new UsageError(`Step "${stepId}" of run ${runId} is not waiting for approval (${now}), so there is nothing to ${verb}.${waiting.length ? ` Waiting for approval: ${waiting.join(', ')}.` : ''}`);
    }
    if (voter === p.runner) {
      throw new UsageError(
        `Refused: you (${voter}) are running run ${runId}; four-eyes approval of step "${stepId}" needs a different operator. ` +
          `Ask a colleague to run "runbook approve ${runId} ${stepId}"${store.flag ? ' with the same --store' : ''}.`,
      );
    }
    if (p.approvedBy.includes(voter)) throw new UsageError(`You (${voter}) already approved step "${stepId}" of run ${runId}; each operator counts once. It still needs ${p.needed - p.approvedBy.length} more.`);
    const vote: Vote = {
      voteId: randomBytes(6).toString('hex'), runId, stepId, requestId: p.requestId, by: voter, host: host(), pid: process.pid,
      reject: f.reject === true, ...(reason ? { reason } : {}), at: new Date().toISOString(),
    };
    await store.castVote(vote);
    const ack = await acknowledged(store, runId, vote.voteId, events.at(-1)?.seq ?? 0);
    const what = `${f.reject ? 'Rejected' : 'Approved'} step "${stepId}" of run ${runId} as ${voter}`;
    if (ack === undefined) {
      process.stdout.write(`${what}: the vote is in the store, but the run has not recorded it yet (is it still running? "runbook show ${runId}"). It counts only once the run records it.\n`);
      return 0;
    }
    if (ack.type === 'warning') {
      throw new UsageError(`The run refused your vote: ${ack.message}.`);
    }
    if (ack.type === 'approval-rejected') {
      process.stdout.write(`${what} — recorded by the run (seq ${ack.seq}). The step fails and the run stops.\n`);
      return 0;
    }
    const left = p.needed - p.approvedBy.length - 1;
    process.stdout.write(`${what} — recorded by the run (seq ${ack.seq}). ${left > 0 ? `It still needs ${left} more approval${left > 1 ? 's' : ''}.` : 'The run continues.'}\n`);
    return 0;
  });
}

/** Waits (bounded) until the run journals this vote: given, rejected, or refused. */
async function acknowledged(store: RunStore, runId: string, voteId: string, afterSeq: number): Promise<JournalEvent | undefined> {
  const waitMs = Number(process.env['RUNBOOK_APPROVE_WAIT_MS'] ?? 15_000);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : 15_000);
  let found: JournalEvent | undefined;
  try {
    await store.follow(runId, afterSeq, (e) => {
      if (found) return;
      if ((e.type === 'approval-given' || e.type === 'approval-rejected') && e.voteId === voteId) found = e;
      if (e.type === 'warning' && e.message.includes(`(vote ${voteId})`)) found = e;
      if (found) controller.abort();
    }, controller.signal);
  } finally {
    clearTimeout(timer);
  }
  return found;
}
