// Shared by the ssh*.test.ts files: run a plan through the real engine in live mode, collecting events.
import type { AnyRunbook } from 'runbook';
import { runEngine, type EngineResult } from '../../interpreter/engine/engine.js';
import { noPrompter } from '../../interpreter/engine/prompter.js';
import type { EventBody } from '../../interpreter/events.js';
import { liveMode } from '../../interpreter/modes/index.js';

export interface LiveRun {
  readonly result: EngineResult;
  readonly events: EventBody[];
  /** step-finished events by step id. */
  readonly finished: Map<string, Extract<EventBody, { type: 'step-finished' }>>;
  /** Output text of a step, in order. */
  output(stepId: string, stream?: 'stdout' | 'stderr'): string;
}

export async function runLive(rb: AnyRunbook, o: { params?: Record<string, unknown>; signal?: AbortSignal; onEvent?: (e: EventBody) => void } = {}): Promise<LiveRun> {
  const plan = rb.toPlan();
  const events: EventBody[] = [];
  const result = await runEngine({
    plan, mode: await liveMode(), params: o.params ?? {},
    run: { id: 'ssh-test', runbookId: plan.id, mode: 'live', operator: 'tester', startedAt: new Date().toISOString() },
    prompter: noPrompter, emit: (e) => { events.push(e); o.onEvent?.(e); }, redact: (s) => s,
    signal: o.signal ?? new AbortController().signal, yes: true, runStartedAtMs: Date.now(),
  });
  const finished = new Map<string, Extract<EventBody, { type: 'step-finished' }>>();
  for (const e of events) if (e.type === 'step-finished') finished.set(e.stepId, e);
  return {
    result, events, finished,
    output: (stepId, stream) => events.filter((e): e is Extract<EventBody, { type: 'output' }> => e.type === 'output' && e.stepId === stepId && (stream === undefined || e.stream === stream)).map((e) => e.text).join(''),
  };
}
