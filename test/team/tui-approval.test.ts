// The TUI's state for four eyes and for watching, as a pure reducer over the journal's events.
import { describe, expect, it } from 'vitest';
import { approvalLine } from '../../tui/components/app.js';
import { initialState, reduce } from '../../tui/state.js';
import { ev, started } from '../helpers/events.js';

describe('TUI state: four eyes', () => {
  it('a step waiting for approval shows as waiting, with whom it waits for; approvals, a rejection or the end clear it', () => {
    let s = reduce(initialState(), started([{ id: 'go', phase: null, kind: 'confirm' }, { id: 'next', phase: null }]));
    s = reduce(s, ev({ type: 'step-started', stepId: 'go', kind: 'confirm', title: 'Go?', phase: null, attempt: 1, action: null }));
    s = reduce(s, ev({ type: 'approval-requested', stepId: 'go', requestId: 'q', approvers: 3, needed: 2, runner: 'dana', timeoutMs: 60_000 }));
    expect(s.steps.find((x) => x.id === 'go')?.status).toBe('waiting');
    expect(s.approval).toEqual({ stepId: 'go', needed: 2, runner: 'dana', approvedBy: [] });
    expect(approvalLine(s.approval!, 'r-1')).toBe('⏳ go waits for 2 more operators: runbook approve r-1 go  (not dana)');
    s = reduce(s, ev({ type: 'approval-given', stepId: 'go', requestId: 'q', voteId: 'v1', by: 'bob', host: 'h', pid: 1, at: 't' }));
    expect(s.approval?.approvedBy).toEqual(['bob']);
    expect(approvalLine(s.approval!, 'r-1')).toBe('⏳ go waits for a second operator (approved by bob): runbook approve r-1 go  (not dana)');
    s = reduce(s, ev({ type: 'approval-given', stepId: 'go', requestId: 'q', voteId: 'v2', by: 'carol', host: 'h', pid: 1, at: 't' }));
    expect(s.approval).toBeNull();
    expect(s.steps.find((x) => x.id === 'go')).toMatchObject({ status: 'running', detail: 'approved by carol' });

    let r = reduce(s, ev({ type: 'approval-requested', stepId: 'next', requestId: 'q2', approvers: 2, needed: 1, runner: 'dana', timeoutMs: 1 }));
    r = reduce(r, ev({ type: 'approval-rejected', stepId: 'next', requestId: 'q2', voteId: 'v3', by: 'bob', host: 'h', pid: 1, at: 't', reason: 'lag' }));
    expect(r.approval).toBeNull();
    expect(r.steps.find((x) => x.id === 'next')?.detail).toBe('rejected by bob: lag');
    const lease = reduce(r, ev({ type: 'lease-unlocked', key: 'rb', holder: {}, by: 'carol', host: 'h2', reason: 'stuck' }));
    expect(lease.warnings.at(-1)).toBe('lease "rb" unlocked by carol@h2: stuck');
  });

  it('a watching screen is marked read-only', () => {
    expect(initialState({ watching: true }).watching).toBe(true);
    expect(initialState().watching).toBe(false);
  });
});
