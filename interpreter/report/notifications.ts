import type { Mode } from '../../dsl/context.js';
import type { JournalEvent } from '../events.js';
import type { ReportNotification } from './model.js';

/** The dry-run renderer's text for a notify action: `notify <channel>: "<message as JSON>"`. */
const RENDERED = /^notify (.+?): ("(?:[^"\\]|\\.)*")$/s;

/**
 * What each notify step sent (live), would have sent (dry-run, probe: rendered only) or had captured
 * instead of sending (simulation), from its step-finished `result` ({ channel, message, ok, error? })
 * or, when there is none, from its rendered action. A notify step that never started is not listed.
 */
export function notifications(events: readonly JournalEvent[], mode: Mode): ReportNotification[] {
  const notify = new Set<string>();
  const rendered = new Map<string, string>();
  const out = new Map<string, ReportNotification>();
  for (const e of events) {
    if (e.type === 'run-started') for (const s of e.steps) if (s.kind === 'notify') notify.add(s.id);
    if (e.type === 'step-started' && notify.has(e.stepId) && e.action) rendered.set(e.stepId, e.action.text);
    if (e.type !== 'step-finished' || !notify.has(e.stepId)) continue;
    const text = rendered.get(e.stepId);
    if (text === undefined && e.result === undefined) continue; // skipped before it started (--from, when)
    const r = asNotifyResult(e.result);
    const parsed = text === undefined ? null : parseRendered(text);
    const channel = parsed?.channel ?? r?.channel ?? null;
    const message = r?.message ?? parsed?.message ?? text ?? '';
    const error = r?.error ?? e.error ?? null;
    let status: ReportNotification['status'];
    if (e.status === 'planned') status = 'would-send';
    else if (e.status === 'skipped' || e.status === 'done-by-hand') status = 'not-sent';
    else if (e.status !== 'ok' || r?.ok === false) status = 'failed';
    else status = mode === 'simulate' ? 'captured' : 'sent';
    out.set(e.stepId, { stepId: e.stepId, channel, message, status, error: status === 'sent' || status === 'would-send' || status === 'captured' ? null : error });
  }
  return [...out.values()];
}

function asNotifyResult(v: unknown): { channel?: string; message?: string; ok?: boolean; error?: string } | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const s = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
  const r: { channel?: string; message?: string; ok?: boolean; error?: string } = {};
  const channel = s(o['channel']);
  const message = s(o['message']);
  const error = s(o['error']);
  if (channel !== undefined) r.channel = channel;
  if (message !== undefined) r.message = message;
  if (error !== undefined) r.error = error;
  if (typeof o['ok'] === 'boolean') r.ok = o['ok'];
  return r;
}

function parseRendered(text: string): { channel: string; message: string } | null {
  const m = RENDERED.exec(text);
  if (!m?.[1] || !m[2]) return null;
  try {
    return { channel: m[1], message: String(JSON.parse(m[2])) };
  } catch {
    return null;
  }
}
