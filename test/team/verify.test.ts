// The tamper-evident journal on both stores: `runbook verify` says OK for an untouched run, and names
// the first event where an edit, a deletion, an insertion or a reordering happened (the NDJSON file
// rewritten; PostgreSQL rows UPDATEd, DELETEd, INSERTed, renumbered); PostgreSQL also notices deleted
// last events (it records where the journal ends). A v1 journal has no chain: verify says so (exit 2)
// and it still replays.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { runIdFromOutput } from '../helpers/crash.js';
import { useStores, type TeamEnv } from './stores.js';

const SMALL = fileURLToPath(new URL('../fixtures/team/small.ts', import.meta.url));
const V1 = fileURLToPath(new URL('../fixtures/journals/v1-complete.ndjson', import.meta.url));
const kinds = useStores('rb-verify');

interface Tamper {
  /** Rewrites the stored journal from its pristine lines. */
  (lines: string[]): string[];
}

/** How each store is tampered with: the file rewritten, or the rows changed with SQL. */
interface Tamperer {
  edit(seq: number): Promise<void>;
  remove(seq: number): Promise<void>;
  insert(at: number, copyOf: number): Promise<void>;
  swap(seq: number): Promise<void>;
  truncate(n: number): Promise<void>;
  restore(): Promise<void>;
}

function fileTamperer(path: string): Tamperer {
  const pristine = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  const apply = (f: Tamper): void => writeFileSync(path, `${f([...pristine]).join('\n')}\n`);
  return {
    edit: (seq) => Promise.resolve(apply((l) => l.map((x, i) => (i === seq - 1 ? x.replace(/"n":\d/, '"n":9').replace(/"title":"(\w+)"/, '"title":"$1!"') : x)))),
    remove: (seq) => Promise.resolve(apply((l) => l.filter((_, i) => i !== seq - 1))),
    insert: (at, copyOf) => Promise.resolve(apply((l) => [...l.slice(0, at - 1), l[copyOf - 1]!.replace(/"seq":\d+/, `"seq":${at}`), ...l.slice(at - 1)])),
    swap: (seq) => Promise.resolve(apply((l) => {
      const a = l[seq - 1]!;
      l[seq - 1] = l[seq]!;
      l[seq] = a;
      return l;
    })),
    truncate: (n) => Promise.resolve(apply((l) => l.slice(0, -n))),
    restore: () => Promise.resolve(apply((l) => l)),
  };
}

async function pgTamperer(e: TeamEnv, runId: string): Promise<Tamperer> {
  const pristine = await e.sql<{ seq: number; type: string; body: string }>('select seq, type, body from runbook.events where run_id = $1 order by seq', [runId]);
  const run = [runId];
  return {
    edit: async (seq) => void await e.sql(`update runbook.events set body = replace(body, '"attempt":1', '"attempt":2') where run_id = $1 and seq = ${seq}`, run),
    remove: async (seq) => void await e.sql(`delete from runbook.events where run_id = $1 and seq = ${seq}`, run),
    insert: async (at, copyOf) => {
      await e.sql(`update runbook.events set seq = seq + 100000 where run_id = $1 and seq >= ${at}`, run);
      await e.sql(`update runbook.events set seq = seq - 99999 where run_id = $1 and seq >= 100000`, run);
      const src = pristine[copyOf - 1]!;
      await e.sql('insert into runbook.events (run_id, seq, type, body) values ($1, $2, $3, $4)', [runId, at, src.type, src.body.replace(/"seq":\d+/, `"seq":${at}`)]);
    },
    swap: async (seq) => {
      await e.sql(`update runbook.events set seq = -1 where run_id = $1 and seq = ${seq}`, run);
      await e.sql(`update runbook.events set seq = ${seq} where run_id = $1 and seq = ${seq + 1}`, run);
      await e.sql(`update runbook.events set seq = ${seq + 1} where run_id = $1 and seq = -1`, run);
    },
    truncate: async (n) => void await e.sql(`delete from runbook.events where run_id = $1 and seq > ${pristine.length - n}`, run),
    restore: async () => {
      await e.sql('delete from runbook.events where run_id = $1', run);
      for (const r of pristine) await e.sql('insert into runbook.events (run_id, seq, type, body) values ($1, $2, $3, $4)', [runId, r.seq, r.type, r.body]);
    },
  };
}

describe.each(kinds)('runbook verify, $name', (k) => {
  let e: TeamEnv;
  let runId: string;
  let t: Tamperer;
  beforeEach(async () => {
    if (k.skip) return;
    e = await k.make();
    const r = await e.cli(['run', SMALL, '--ui', 'plain']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    runId = String(runIdFromOutput(r.stdout));
    t = e.kind === 'file' ? fileTamperer(join(e.store, 'runs', `${runId}.ndjson`)) : await pgTamperer(e, runId);
  });

  const verify = async (): Promise<{ code: number | null; out: string; json: Record<string, unknown> }> => {
    const r = await e.cli(['verify', runId]);
    const j = await e.cli(['verify', runId, '--json']);
    return { code: r.code, out: r.stdout + r.stderr, json: JSON.parse(j.stdout) as Record<string, unknown> };
  };

  it.skipIf(k.skip)('an untouched run is OK (exit 0), from the run header to run-finished', async () => {
    const v = await verify();
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(new RegExp(`^OK: run ${runId} — 10 events, hash chain intact from the run header to seq 10 \\(run-finished\\)\\.`));
    expect(v.json).toMatchObject({ runId, status: 'ok', events: 10, lastSeq: 10, lastType: 'run-finished' });
  });

  it.skipIf(k.skip)('names the first event where the journal was edited, deleted from, inserted into or reordered (exit 1)', async () => {
    // Events: seq 1 run-started; each fn step started + finished (2–9); seq 10 run-finished. Seq 4 is step-started of "two".
    const cases: { name: string; act: () => Promise<void>; kind: string; position: number; text: RegExp }[] = [
      { name: 'edit', act: () => t.edit(4), kind: 'edit', position: 4, text: /event 4 of 10 \(seq 4, step-started of "two"\): this event was edited after it was written/ },
      { name: 'deletion', act: () => t.remove(4), kind: 'deletion', position: 4, text: /event 4 of 9 \(seq 5, step-finished of "two"\): an event before this one was deleted.*\(1 event missing by seq\)/ },
      { name: 'insertion', act: () => t.insert(4, 2), kind: 'insertion', position: 4, text: /event 4 of 11 \(seq 4, step-started of "one"\): this event was inserted/ },
      { name: 'reordering', act: () => t.swap(4), kind: 'reordering', position: 4, text: /event 4 of 10 \(seq 5, step-finished of "two"\): events were reordered/ },
    ];
    for (const c of cases) {
      await c.act();
      const v = await verify();
      expect(v.code, `${c.name}: ${v.out}`).toBe(1);
      expect(v.out, c.name).toMatch(/^TAMPERED: run /);
      expect(v.out, c.name).toMatch(c.text);
      expect(v.out, c.name).toContain(`Kind: ${c.kind}.`);
      expect(v.json, c.name).toMatchObject({ status: 'tampered', kind: c.kind, position: c.position });
      await t.restore();
      expect((await verify()).code, `${c.name} restored`).toBe(0);
    }
  });

  it.skipIf(k.skip)('deleted last events: PostgreSQL notices (it records where the journal ends); a file cannot tell them from a crash, and says so', async () => {
    await t.truncate(2);
    const v = await verify();
    if (e.kind === 'postgres') {
      expect(v.code, v.out).toBe(1);
      expect(v.out).toContain('the store recorded its end at seq 10: the last events were deleted');
      expect(v.json).toMatchObject({ kind: 'truncation' });
    } else {
      expect(v.code, v.out).toBe(0);
      expect(v.out).toContain('ends without run-finished');
    }
  });

  it.skipIf(k.skip)('a v1 journal (before hash chains) says "no hash chain (journal v1)" (exit 2) and still replays', async () => {
    const id = '20261123-135006-61f4';
    if (e.kind === 'file') {
      mkdirSync(join(e.store, 'runs'), { recursive: true });
      copyFileSync(V1, join(e.store, 'runs', `${id}.ndjson`));
    } else {
      const lines = readFileSync(V1, 'utf8').trim().split('\n');
      const head = JSON.parse(lines[0]!) as { t: string; runbookId: string; mode: string };
      await e.sql('insert into runbook.runs (run_id, runbook_id, mode, started_at, status, last_seq) values ($1, $2, $3, $4, $5, $6)', [id, head.runbookId, head.mode, head.t, 'done', lines.length]);
      for (const l of lines) await e.sql('insert into runbook.events (run_id, seq, type, body) values ($1, $2, $3, $4)', [id, (JSON.parse(l) as { seq: number }).seq, (JSON.parse(l) as { type: string }).type, l]);
    }
    const v = await e.cli(['verify', id]);
    expect(v.code, v.stdout + v.stderr).toBe(2);
    expect(v.stdout).toContain('no hash chain (journal v1)');
    expect(v.stdout).toContain('It still replays');
    const shown = await e.cli(['show', id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Journal fixture');
  });
});
