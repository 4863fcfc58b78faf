// The run store contract: where journals, leases and four-eyes votes live. Two implementations keep it,
// proven by one shared contract test suite (test/store/contract.ts): the embedded file store (the
// default: `.runbook/` in the working directory) and the PostgreSQL team store (`--store postgres://…`).
import type { ApprovalVote } from '../engine/approvals.js';
import type { EventBody, EventSink, JournalEvent } from '../events.js';
import type { StepHistory } from '../cli/step-history.js';

/** A run's journal as read: the events, and whether a torn last line (crash mid-write) was ignored. */
export interface ReadJournal {
  readonly events: readonly JournalEvent[];
  /** The last line was cut short by a crash and has been ignored. */
  readonly tornTail: boolean;
}

/** A run's journal exactly as stored, line by line (for `runbook verify`: nothing parsed, nothing trusted). */
export interface RawJournal {
  readonly lines: readonly string[];
  readonly tornTail: boolean;
  /** Where the store itself recorded the journal's end (PostgreSQL keeps it apart from the events). */
  readonly recordedEnd?: { readonly seq: number; readonly h: string | null };
}

/** Appends one run's events, in order, each sealed into the hash chain. One writer per run. */
export interface JournalSink extends EventSink {
  /** Resolves when every event written so far is durable (file: fsync'ed; PostgreSQL: committed). */
  settled(): Promise<void>;
  /**
   * Awaited before a step's action starts: the events so far (the step's step-started above all) must
   * survive a crash of this process, or a resume could rerun a mutating step it cannot know started.
   * The file store wrote them already (one write(2) each); PostgreSQL waits for the commit.
   */
  beforeAction(): Promise<void>;
  /** Flushes, makes everything durable, and lets go. */
  close(): Promise<void>;
}

/** Who holds a lease: one live run per procedure + target (runbook id, plus its `lockKey`). */
export interface LeaseHolder {
  readonly key: string;
  readonly runId: string;
  readonly operator: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** Why a held lease was lost: `runbook unlock` (by, reason), or it expired and another run took it. */
export interface LeaseLoss {
  readonly key: string;
  readonly unlock?: { readonly by: string; readonly host: string; readonly reason: string; readonly at: string };
  /** Who holds it now. */
  readonly holder?: LeaseHolder;
}

export interface Lease {
  readonly key: string;
  /** The holder whose lease was taken over because it had died (its process gone, or its heartbeat expired). */
  readonly tookOverFrom: LeaseHolder | undefined;
  /** Renews the lease. Undefined while it is still ours; else why it is not. */
  heartbeat(): Promise<LeaseLoss | undefined>;
  release(): Promise<void>;
}

/** A lease as `runbook unlock` and the lease listing see it. */
export interface LeaseInfo {
  readonly holder: LeaseHolder;
  /** The holder may still be running: its process is alive here, or its heartbeat has not expired. */
  readonly maybeAlive: boolean;
  /** When its heartbeat last renewed it (ISO), when known. */
  readonly heartbeatAt?: string;
}

/** Who is acting, for anything recorded in the name of a person. */
export interface Actor {
  readonly operator: string;
  readonly host: string;
  readonly pid: number;
}

/** One operator's approval (or rejection) of a step waiting for four eyes, as cast by `runbook approve`. */
/** A vote as stored: the engine's view of it, plus which run, step and request it answers. */
export interface Vote extends ApprovalVote {
  readonly runId: string;
  readonly stepId: string;
  readonly requestId: string;
}

export interface UnlockResult {
  /** The holder the lease was taken from. */
  readonly holder: LeaseHolder;
  readonly maybeAlive: boolean;
  /** Hands the lease back (after the unlock has been journaled). */
  release(): Promise<void>;
}

export interface RunStore {
  readonly kind: 'file' | 'postgres';
  /** For people: the store's directory, or its URL with the password masked. */
  readonly label: string;
  /** What to pass as `--store` to reach it again (undefined: the default; a PostgreSQL URL masked). */
  readonly flag: string | undefined;
  /** Run ids, newest first. */
  listRuns(): Promise<string[]>;
  /** A run id, a unique prefix of one, or `last`: the run id (a UsageError naming the choices otherwise). */
  findRun(arg: string): Promise<string>;
  /** The run's events (a UsageError when it is missing or damaged: never a silent partial read). */
  readRun(runId: string): Promise<ReadJournal>;
  /** The stored lines, unparsed. */
  rawRun(runId: string): Promise<RawJournal>;
  /** Opens the run's journal for appending (a new run, or a resume continuing its chain). */
  openJournal(runId: string): Promise<JournalSink>;
  /** Appends events to a run that has no live writer (unlock of a dead holder), continuing its chain. */
  appendEvents(runId: string, events: readonly EventBody[]): Promise<void>;
  /** Calls `onEvent` for each event after `afterSeq`, in order, as they are written; resolves at run-finished or on abort. */
  follow(runId: string, afterSeq: number, onEvent: (e: JournalEvent) => void, signal: AbortSignal): Promise<void>;
  /** Earlier live runs' step durations (the TUI's ETA). Never fails: no history is an empty one. */
  history(runbookId: string, exclude: string): Promise<StepHistory>;
  /** Takes the lease for `holder.key` (a LockHeldError naming the holder while it is alive). */
  acquireLease(holder: LeaseHolder): Promise<Lease>;
  readLease(key: string): Promise<LeaseInfo | undefined>;
  listLeases(): Promise<LeaseInfo[]>;
  /** Takes the lease away from its holder in the name of `by` (recorded with the reason). */
  unlock(key: string, by: Actor, reason: string): Promise<UnlockResult | undefined>;
  /** Records a vote for the run's step to find (the run journals it). */
  castVote(vote: Vote): Promise<void>;
  /** The votes cast for one approval request, oldest first. */
  votes(runId: string, requestId: string): Promise<Vote[]>;
  /** Resolves when something may have changed for the run (new events or votes), or after `ms`. */
  changed(runId: string, ms: number, signal: AbortSignal): Promise<void>;
  /** Where this machine keeps the Markdown reports of runs that end here. */
  readonly reportsDir: string;
  close(): Promise<void>;
}
