/** What a local or remote command produced. Failures to start or time out are data here, not exceptions. */
export interface ExecResult {
  readonly ok: boolean;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Why the command did not run or did not finish (spawn error, timeout, abort). */
  readonly error?: string;
}

/** An HTTP exchange. Connection refused, DNS failure and timeouts are reported in `error`, not thrown. */
export interface HttpResult {
  readonly ok: boolean;
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  readonly json: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The outcome of each stage of a promotion. */
export interface PromoteResult {
  readonly ok: boolean;
  /** The stage that failed, if any. */
  readonly failedStage?: 'precheck' | 'fence' | 'action' | 'verify';
  readonly stages: Readonly<Partial<Record<'precheck' | 'fence' | 'action' | 'verify', { ok: boolean; text: string }>>>;
}

export interface NotifyResult {
  readonly ok: boolean;
  readonly channel: string;
  readonly message: string;
  readonly error?: string;
}

export interface ConfirmResult {
  readonly answer: boolean;
  readonly by: string;
  readonly auto: boolean;
}
