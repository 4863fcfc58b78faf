/**
 * Pairs the steps of two versions: by id first, then "renamed" (same kind and same action, new id);
 * what is left was added or removed. Moves are what falls outside the longest run of kept steps that
 * stay in order, plus steps whose phase changed (a renamed phase is not a move).
 */
import type { RunbookModel, StepModel } from '../model.js';

export interface Pair {
  readonly old: StepModel;
  readonly new: StepModel;
  readonly renamed: boolean;
}

export interface Matching {
  readonly pairs: readonly Pair[];
  readonly added: readonly StepModel[];
  readonly removed: readonly StepModel[];
  /** old phase → new phase title, for phases renamed in place. */
  readonly phaseRenames: ReadonlyMap<string, string>;
  /** Pairs (by old index) whose order or phase changed. */
  readonly moved: ReadonlyMap<number, { acrossPhases: boolean }>;
}

/** What a step does, without its id: two steps with one signature are the same step renamed. */
export function signature(s: StepModel): string {
  const what = s.kind === 'confirm' ? s.title : s.kind === 'notify' ? `${s.action?.source ?? ''} ${s.message?.text ?? ''}` : s.action?.source ?? s.title;
  return `${s.kind}\0${what.replace(/\s+/g, ' ')}`;
}

/** Indexes (into `xs`) of one longest strictly increasing subsequence. O(n log n). */
function longestIncreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = [];
  const prev = new Array<number>(xs.length).fill(-1);
  xs.forEach((x, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((xs[tails[mid] ?? 0] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] ?? -1;
    tails[lo] = i;
  });
  const keep = new Set<number>();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i] ?? -1) keep.add(i);
  return keep;
}

function phaseRenames(o: RunbookModel, n: RunbookModel, pairs: readonly Pair[]): Map<string, string> {
  const oldTitles = new Set(o.phases.map((p) => p.title));
  const newTitles = new Set(n.phases.map((p) => p.title));
  const votes = new Map<string, Map<string, number>>();
  for (const p of pairs) {
    const from = p.old.phase;
    const to = p.new.phase;
    if (from === undefined || to === undefined || from === to || newTitles.has(from) || oldTitles.has(to)) continue;
    const v = votes.get(from) ?? new Map<string, number>();
    v.set(to, (v.get(to) ?? 0) + 1);
    votes.set(from, v);
  }
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const [from, v] of votes) {
    const best = [...v].sort((a, b) => b[1] - a[1])[0];
    if (best && !taken.has(best[0])) {
      out.set(from, best[0]);
      taken.add(best[0]);
    }
  }
  return out;
}

export function matchSteps(o: RunbookModel, n: RunbookModel): Matching {
  const pairs: Pair[] = [];
  const usedOld = new Set<number>();
  const usedNew = new Set<number>();
  const newById = new Map<string, StepModel>();
  for (const s of n.steps) if (!newById.has(s.id)) newById.set(s.id, s);
  for (const s of o.steps) {
    const m = newById.get(s.id);
    if (m === undefined || usedNew.has(m.index)) continue;
    pairs.push({ old: s, new: m, renamed: false });
    usedOld.add(s.index);
    usedNew.add(m.index);
  }
  const freeNew = new Map<string, StepModel[]>();
  for (const s of n.steps) {
    if (usedNew.has(s.index)) continue;
    const k = signature(s);
    freeNew.set(k, [...(freeNew.get(k) ?? []), s]);
  }
  for (const s of o.steps) {
    if (usedOld.has(s.index)) continue;
    const m = freeNew.get(signature(s))?.shift();
    if (m === undefined) continue;
    pairs.push({ old: s, new: m, renamed: true });
    usedOld.add(s.index);
    usedNew.add(m.index);
  }
  pairs.sort((a, b) => a.old.index - b.old.index);
  const renames = phaseRenames(o, n, pairs);
  const inOrder = longestIncreasing(pairs.map((p) => p.new.index));
  const moved = new Map<number, { acrossPhases: boolean }>();
  pairs.forEach((p, i) => {
    const expectedPhase = p.old.phase === undefined ? undefined : renames.get(p.old.phase) ?? p.old.phase;
    const across = expectedPhase !== p.new.phase;
    if (across || !inOrder.has(i)) moved.set(p.old.index, { acrossPhases: across });
  });
  return {
    pairs,
    added: n.steps.filter((s) => !usedNew.has(s.index)),
    removed: o.steps.filter((s) => !usedOld.has(s.index)),
    phaseRenames: renames,
    moved,
  };
}
