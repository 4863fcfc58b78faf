/** Step-level semantic diff of two versions of a runbook. */
import type { RunbookModel, StepModel } from '../model.js';
import { metaChanges, stepChanges } from './fields.js';
import { matchSteps } from './match.js';
import { riskFlags } from './risks.js';
import type { RunbookDiff, StepDiff, StepPlace } from './types.js';

const place = (s: StepModel): StepPlace => ({ phase: s.phase, position: s.index + 1, line: s.pos.line });
const base = (s: StepModel): Pick<StepDiff, 'id' | 'kind' | 'title' | 'action'> => ({ id: s.id, kind: s.kind, title: s.title, action: s.action?.text });

export function diffRunbooks(o: RunbookModel | undefined, n: RunbookModel | undefined): RunbookDiff {
  const empty: RunbookModel = { file: '', id: (n ?? o)?.id ?? '', title: (n ?? o)?.title ?? '', description: undefined, rto: undefined, lockKey: undefined, params: [], phases: [], steps: [], notes: [], pos: { line: 1, column: 1 } };
  const a = o ?? empty;
  const b = n ?? empty;
  const m = matchSteps(a, b);
  const steps: StepDiff[] = [];
  // New order first (what the reviewer will run), removed steps where they used to be.
  const pairOf = new Map(m.pairs.map((p) => [p.new.index, p]));
  for (const s of b.steps) {
    const pair = pairOf.get(s.index);
    if (pair === undefined) {
      steps.push({ status: 'added', ...base(s), new: place(s), changes: [] });
      continue;
    }
    const changes = stepChanges(pair.old, s);
    const moved = m.moved.get(pair.old.index);
    if (!pair.renamed && moved === undefined && changes.length === 0) continue;
    steps.push({
      status: pair.renamed ? 'renamed' : 'kept',
      ...base(s),
      ...(pair.renamed ? { oldId: pair.old.id } : {}),
      old: place(pair.old),
      new: place(s),
      ...(moved ? { moved } : {}),
      changes,
    });
  }
  for (const s of m.removed) {
    const after = steps.findIndex((d) => d.old !== undefined && d.old.position > s.index + 1);
    const entry: StepDiff = { status: 'removed', ...base(s), old: place(s), changes: [] };
    if (after < 0) steps.push(entry);
    else steps.splice(after, 0, entry);
  }
  const oldPhases = new Set(a.phases.map((p) => p.title));
  const newPhases = new Set(b.phases.map((p) => p.title));
  const renamedTo = new Set(m.phaseRenames.values());
  const risks = o === undefined || n === undefined ? [] : riskFlags(a, m);
  const count = (f: (d: StepDiff) => boolean): number => steps.filter(f).length;
  return {
    oldFile: o?.file,
    newFile: n?.file,
    status: o === undefined ? 'added' : n === undefined ? 'removed' : 'changed',
    id: b.id || a.id,
    title: b.title || a.title,
    meta: o === undefined || n === undefined ? [] : metaChanges(a, b),
    phases: {
      added: [...newPhases].filter((p) => !oldPhases.has(p) && !renamedTo.has(p)),
      removed: [...oldPhases].filter((p) => !newPhases.has(p) && !m.phaseRenames.has(p)),
      renamed: [...m.phaseRenames].map(([from, to]) => ({ from, to })),
    },
    steps,
    risks,
    summary: {
      added: count((d) => d.status === 'added'),
      removed: count((d) => d.status === 'removed'),
      renamed: count((d) => d.status === 'renamed'),
      moved: count((d) => d.moved !== undefined),
      changed: count((d) => d.changes.length > 0),
      unchanged: m.pairs.length - count((d) => d.status === 'kept' || d.status === 'renamed'),
      risks: risks.length,
    },
  };
}
