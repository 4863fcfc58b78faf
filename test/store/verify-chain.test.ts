// The hash chain itself, without a store: how lines are sealed, and how verify names the first event
// where an edit, deletion, insertion or reordering happened (also an edit whose seal was recomputed,
// a duplicated line, a missing header, a journal that is still format 1).
import { describe, expect, it } from 'vitest';
import { JOURNAL_VERSION, type EventBody, type JournalEvent } from '../../interpreter/events.js';
import { HashChain, hashOf, unseal } from '../../interpreter/store/hash-chain.js';
import { verifyChain } from '../../interpreter/store/verify-chain.js';

function events(n: number, v = JOURNAL_VERSION): JournalEvent[] {
  const head: EventBody = {
    type: 'run-started', v, runId: 'r', runbookId: 'rb', title: 'T', file: 'f.ts', sourceHash: 'h', fingerprints: {}, steps: [], params: {}, secretParams: [],
    operator: 'o', host: 'h', pid: 1, mode: 'live', rtoMs: null, lockKey: null, from: null, only: null,
  };
  const out: JournalEvent[] = [{ ...head, seq: 1, t: '2026-01-01T00:00:00.000Z' } as JournalEvent];
  for (let i = 2; i <= n; i++) out.push({ type: 'warning', stepId: null, message: `event ${i} "quoted" \\ ünï`, seq: i, t: '2026-01-01T00:00:01.000Z' } as JournalEvent);
  return out;
}

function sealed(n: number): string[] {
  const chain = new HashChain();
  return events(n).map((e) => chain.seal(e));
}

const check = (lines: string[]): ReturnType<typeof verifyChain> => verifyChain({ lines, tornTail: false });

describe('sealing', () => {
  it('appends prev (the previous hash, "" for the header) and h = H(prev, content), and the event carries them after', () => {
    const chain = new HashChain();
    const [a, b] = events(2);
    const la = chain.seal(a!);
    const lb = chain.seal(b!);
    const sa = unseal(la)!;
    const sb = unseal(lb)!;
    expect(sa.prev).toBe('');
    expect(sb.prev).toBe(sa.h);
    expect(sa.h).toBe(hashOf('', sa.body));
    expect(a).toMatchObject({ prev: '', h: sa.h });
    expect(JSON.stringify(a)).toBe(la); // what --ui json prints is the journal's line
  });

  it('a journal continued from a format 1 tail stays unsealed; a format 1 header starts none', () => {
    const v1 = events(3, 1);
    const chain = new HashChain();
    expect(v1.map((e) => chain.seal(e)).every((l) => unseal(l) === undefined)).toBe(true);
    const cont = new HashChain(JSON.stringify(v1[2]));
    expect(unseal(cont.seal(v1[1]!))).toBeUndefined();
    const after = new HashChain(sealed(3)[2]);
    expect(unseal(after.seal({ ...v1[1]!, seq: 4 }))?.prev).toBe(unseal(sealed(3)[2]!)?.h);
  });
});

describe('verifyChain', () => {
  it('an intact chain is OK', () => {
    expect(check(sealed(6))).toMatchObject({ status: 'ok', events: 6, lastSeq: 6, lastType: 'warning' });
  });

  it('an edited event is named itself (its content no longer matches its hash); so is the last one', () => {
    const l = sealed(6);
    l[3] = l[3]!.replace('event 4', 'event 9');
    expect(check(l)).toMatchObject({ status: 'tampered', kind: 'edit', position: 4, seq: 4 });
    const last = sealed(6);
    last[5] = last[5]!.replace('event 6', 'event 7');
    expect(check(last)).toMatchObject({ kind: 'edit', position: 6 });
    const mangled = sealed(6);
    mangled[2] = JSON.stringify(JSON.parse(mangled[2]!), null, 1).replace(/\n/g, '');
    expect(check(mangled)).toMatchObject({ kind: 'edit', position: 3 });
  });

  it('an edit whose seal was recomputed is found at the event after it, which still points at the old hash', () => {
    const l = sealed(6);
    const s = unseal(l[2]!)!;
    const body = s.body.replace('event 3', 'event X');
    l[2] = `${body.slice(0, -1)},"prev":"${s.prev}","h":"${hashOf(s.prev, body)}"}`;
    expect(check(l)).toMatchObject({ kind: 'edit', position: 3 });
  });

  it('a deleted event: the next one points at a hash nowhere in the journal (and the seq gap is counted)', () => {
    const l = sealed(6);
    l.splice(2, 2);
    const r = check(l);
    expect(r).toMatchObject({ kind: 'deletion', position: 3, seq: 5 });
    expect(r.status === 'tampered' && r.message).toContain('2 events missing by seq');
  });

  it('an inserted event: a fabricated one, and a copy of another line', () => {
    const l = sealed(6);
    l.splice(3, 0, '{"type":"warning","stepId":null,"message":"all fine","seq":4,"t":"2026-01-01T00:00:02.000Z"}');
    expect(check(l)).toMatchObject({ kind: 'insertion', position: 4 });
    const dup = sealed(6);
    dup.splice(4, 0, dup[1]!);
    expect(check(dup)).toMatchObject({ kind: 'insertion', position: 5 });
  });

  it('reordered events: swapped neighbours, an event moved later, one moved earlier', () => {
    const swap = sealed(6);
    [swap[2], swap[3]] = [swap[3]!, swap[2]!];
    expect(check(swap)).toMatchObject({ kind: 'reordering', position: 3 });
    const later = sealed(6);
    const [moved] = later.splice(1, 1);
    later.splice(4, 0, moved!);
    expect(check(later)).toMatchObject({ kind: 'reordering', position: 2 });
    const earlier = sealed(6);
    const [m2] = earlier.splice(4, 1);
    earlier.splice(1, 0, m2!);
    expect(check(earlier)).toMatchObject({ kind: 'reordering', position: 2 });
  });

  it('the run header must come first, sealed from nothing', () => {
    const l = sealed(4);
    expect(check(l.slice(1))).toMatchObject({ kind: 'header', position: 1 });
    expect(check([l[1]!, l[0]!, ...l.slice(2)])).toMatchObject({ kind: 'header' });
  });

  it('deleted last events show only against the end the store recorded apart', () => {
    const l = sealed(6);
    const end = { seq: 6, h: unseal(l[5]!)!.h };
    expect(verifyChain({ lines: l, tornTail: false, recordedEnd: end })).toMatchObject({ status: 'ok' });
    expect(verifyChain({ lines: l.slice(0, 4), tornTail: false })).toMatchObject({ status: 'ok' });
    expect(verifyChain({ lines: l.slice(0, 4), tornTail: false, recordedEnd: end })).toMatchObject({ kind: 'truncation', position: 4 });
  });

  it('a format 1 journal has no chain to check', () => {
    expect(check(events(3, 1).map((e) => JSON.stringify(e)))).toEqual({ status: 'no-chain', events: 3, version: 1 });
  });
});
