import { hashOf, unseal, type Sealed } from './hash-chain.js';
import type { RawJournal } from './run-store.js';

export type TamperKind = 'edit' | 'deletion' | 'insertion' | 'reordering' | 'header' | 'truncation';

export type VerifyResult =
  | { readonly status: 'ok'; readonly events: number; readonly lastSeq: number | null; readonly lastType: string | null; readonly tornTail: boolean }
  /** A journal written before journals were hash-chained (format 1): nothing to check against. */
  | { readonly status: 'no-chain'; readonly events: number; readonly version: number | null }
  | {
      readonly status: 'tampered'; readonly kind: TamperKind; readonly events: number;
      /** 1-based position of the first event where the chain breaks. */
      readonly position: number; readonly seq: number | null; readonly type: string | null; readonly stepId: string | null;
      readonly message: string;
    };

interface Row {
  readonly line: string;
  readonly sealed: Sealed | undefined;
  /** The content hash holds: H(prev, body) = h. */
  readonly selfOk: boolean;
  readonly seq: number | null;
  readonly type: string | null;
  readonly stepId: string | null;
  readonly v: number | null;
}

function row(line: string): Row {
  const sealed = unseal(line);
  let parsed: Record<string, unknown> | undefined;
  try {
    const p: unknown = JSON.parse(line);
    if (typeof p === 'object' && p !== null) parsed = p as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const num = (k: string): number | null => (typeof parsed?.[k] === 'number' ? (parsed[k] as number) : null);
  const str = (k: string): string | null => (typeof parsed?.[k] === 'string' ? (parsed[k] as string) : null);
  return {
    line, sealed, selfOk: sealed !== undefined && parsed !== undefined && hashOf(sealed.prev, sealed.body) === sealed.h,
    seq: num('seq'), type: str('type'), stepId: str('stepId'), v: num('v'),
  };
}

/**
 * Checks a journal's hash chain from the run header on and names the first event where it breaks,
 * and how: an edited event no longer matches its own hash; a deleted one leaves the next event pointing
 * at a hash that is nowhere; an inserted one sits between two events that still chain to each other;
 * a moved one points at an event that comes after it.
 */
export function verifyChain(raw: RawJournal): VerifyResult {
  const rows = raw.lines.map(row);
  const n = rows.length;
  const first = rows[0];
  if (first === undefined) return { status: 'no-chain', events: 0, version: null };
  if (first.sealed === undefined && first.type === 'run-started' && (first.v ?? 1) < 2) return { status: 'no-chain', events: n, version: first.v };

  const at = (i: number, kind: TamperKind, message: string): VerifyResult => {
    const r = rows[i];
    return { status: 'tampered', kind, events: n, position: i + 1, seq: r?.seq ?? null, type: r?.type ?? null, stepId: r?.stepId ?? null, message };
  };
  const byHash = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.sealed && !byHash.has(r.sealed.h)) byHash.set(r.sealed.h, i);
  });
  if (first.type !== 'run-started' || first.sealed?.prev !== '') {
    const j = first.sealed ? byHash.get(first.sealed.prev) : undefined;
    return at(0, 'header', j !== undefined
      ? `the run header is not first: this event followed event ${j + 1}; the journal was reordered`
      : first.type === 'run-started' ? 'the run header (run-started) was edited: its seal is missing or broken' : 'the journal does not start with its run header (run-started): the header was deleted or the journal reordered');
  }

  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const before = i === 0 ? '' : rows[i - 1]?.sealed?.h;
    if (r.selfOk && r.sealed?.prev === before) continue;
    const dup = r.sealed ? byHash.get(r.sealed.h) : undefined;
    if (dup !== undefined && dup < i && rows[dup]?.line === r.line) return at(i, 'insertion', `this event is a copy of event ${dup + 1}: it was inserted`);
    const j = r.selfOk ? byHash.get(r.sealed!.prev) : undefined;
    if (j !== undefined && j > i) return at(i, 'reordering', `events were reordered: this event belongs after event ${j + 1}, which comes later`);
    const next = rows[i + 1];
    if (i > 0 && next?.selfOk && before !== undefined && next.sealed?.prev === before) {
      return at(i, 'insertion', 'this event was inserted: the events on either side of it chain to each other without it');
    }
    if (!r.selfOk) {
      return at(i, 'edit', r.sealed === undefined
        ? 'this event was edited: its seal (prev, h) is missing or mangled'
        : 'this event was edited after it was written: its content no longer matches its hash');
    }
    if (j !== undefined && j !== i - 1) {
      return at(i, 'reordering', `events were reordered: this event belongs after event ${j + 1}, not after event ${i}`);
    }
    const prevRow = rows[i - 1];
    if (prevRow?.seq !== null && prevRow?.seq !== undefined && r.seq !== null && r.seq === prevRow.seq + 1) {
      return at(i - 1, 'edit', 'this event was edited and sealed again: the event after it still points at its original hash');
    }
    const gap = prevRow?.seq != null && r.seq !== null ? r.seq - prevRow.seq - 1 : null;
    return at(i, 'deletion', `an event before this one was deleted: it points at a hash no event in the journal has${gap !== null && gap > 0 ? ` (${gap} event${gap > 1 ? 's' : ''} missing by seq)` : ''}`);
  }

  const last = rows[n - 1]!;
  const end = raw.recordedEnd;
  if (end && end.h !== null && end.h !== last.sealed?.h) {
    const k = byHash.get(end.h);
    if (k === undefined) {
      return at(n - 1, 'truncation', `the journal ends at seq ${String(last.seq)}, but the store recorded its end at seq ${end.seq}: the last events were deleted`);
    }
    return at(k + 1, 'insertion', `events were appended after the end the store recorded (seq ${end.seq})`);
  }
  return { status: 'ok', events: n, lastSeq: last.seq, lastType: last.type, tornTail: raw.tornTail };
}
