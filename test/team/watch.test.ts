// `runbook watch` on both stores: from another process it receives every event of a run, in order,
// exactly as the journal holds them (--ui json), shows them as plain lines (the four-eyes wait
// included) and in the read-only TUI (a real terminal, tmux); it ends with the run and its exit code;
// a run whose process is gone ends the watch (exit 1); an unknown run is exit 2.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kill9, runIdFromOutput, waitFor, type LiveCli } from '../helpers/crash.js';
import { startInTmux } from '../helpers/tmux.js';
import { FAST_LEASES, useStores, type TeamEnv } from './stores.js';

const FOUR_EYES = fileURLToPath(new URL('../fixtures/team/four-eyes.ts', import.meta.url));
const kinds = useStores('rb-watch');

async function startRun(e: TeamEnv): Promise<{ cli: LiveCli; runId: string }> {
  const dir = join(e.dir, 'work');
  mkdirSync(dir, { recursive: true });
  const cli = e.start(['run', FOUR_EYES, '--yes', '--ui', 'plain', '--operator', 'alice', '-p', `dir=${dir}`]);
  const runId = await waitFor('the run to wait for approval', () => {
    if (cli.done()) throw new Error(`run ended: ${cli.stdout()}${cli.stderr()}`);
    return cli.stdout().includes('runbook approve') ? runIdFromOutput(cli.stdout()) : undefined;
  });
  return { cli, runId };
}

/** Approves whatever step waits, as bob, until the run ends. */
async function approveAll(e: TeamEnv, runId: string, cli: LiveCli): Promise<void> {
  for (const step of ['go', 'promote']) {
    await waitFor(`${step} to wait`, () => cli.stdout().includes(`runbook approve ${runId} ${step}`) || cli.done());
    const r = await e.cli(['approve', runId, step, '--operator', 'bob']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
}

describe.each(kinds)('runbook watch, $name', (k) => {
  it.skipIf(k.skip)('follows a run from another process: every event in order (json), the plain view, the approval wait; ends with the run\'s exit code', async () => {
    const e = await k.make();
    const { cli, runId } = await startRun(e);
    const json = e.start(['watch', runId, '--ui', 'json']);
    const plain = e.start(['watch', runId.slice(0, 17), '--ui', 'plain']);
    await waitFor('the plain watcher to show the approval wait', () => plain.stdout().includes(`runbook approve ${runId} go`), { diag: () => plain.stdout() + plain.stderr() });
    expect(json.done()).toBe(false);
    await approveAll(e, runId, cli);
    expect((await cli.exited).code).toBe(0);
    const [j, p] = await Promise.all([json.exited, plain.exited]);
    expect(j.code, j.stderr).toBe(0);
    expect(p.code, p.stderr).toBe(0);

    // Every event, in order, exactly as the journal holds it (hash chain included).
    const events = await e.events(runId);
    expect(j.stdout.trim().split('\n')).toEqual(events.map((x) => JSON.stringify(x)));
    expect(events.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));

    expect(p.stdout).toContain(`watching run ${runId}`);
    expect(p.stdout).toContain('(read-only; Ctrl-C stops watching, not the run)');
    expect(p.stdout).toContain('waiting for a second operator (not alice)');
    expect(p.stdout).toContain('approved by bob@');
    expect(p.stdout).toMatch(/✔ promote/);
    expect(p.stdout).toContain('DONE');

    // Watching a finished run prints it whole and ends at once.
    const late = await e.cli(['watch', runId, '--ui', 'plain']);
    expect(late.code).toBe(0);
    expect(late.stdout).toContain('DONE');
  });

  it.skipIf(k.skip)('a run whose process is gone ends the watch (exit 1, how to resume); an unknown run is exit 2', async () => {
    const e = await k.make();
    const { cli, runId } = await startRun(e);
    const w = e.start(['watch', runId, '--ui', 'plain']);
    await waitFor('the watcher to show the wait', () => w.stdout().includes('runbook approve'));
    await kill9(cli);
    const r = await w.exited;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`run ${runId} stopped without finishing`);
    expect(r.stderr).toContain(`runbook resume ${runId}`);
    const unknown = await e.cli(['watch', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No run "nope"');
  });

  it.skipIf(k.skip)('the read-only TUI follows the run in a real terminal: the approval wait, then the end; q stops watching, not the run', async () => {
    const e = await k.make();
    const { cli, runId } = await startRun(e);
    const t = startInTmux(['watch', runId, '--store', e.store], { ...FAST_LEASES });
    try {
      const waitScreen = await t.waitFor('waits for a second operator');
      expect(waitScreen).toContain(`runbook approve ${runId} go`);
      expect(waitScreen).toContain('watching (read-only)');
      expect(waitScreen).toContain('LIVE');
      // q in another watcher stops that watch (exit 130), not the run.
      const q = startInTmux(['watch', runId, '--store', e.store], { ...FAST_LEASES });
      try {
        await q.waitFor('watching (read-only)');
        q.keys('q');
        expect((await q.exited()).code).toBe(130);
      } finally {
        q.close();
      }
      expect(cli.done()).toBe(false);
      await approveAll(e, runId, cli);
      expect((await cli.exited).code).toBe(0);
      const end = await t.exited();
      expect(end.code).toBe(0);
      expect(end.screen).toContain('DONE');
      expect(end.modes).toContain('icanon');
    } finally {
      t.close();
    }
  });
});

describe.each(kinds.filter((x) => x.kind === 'file'))('the runner\'s TUI, $name', (k) => {
  it('shows the four-eyes wait with the command that answers it, and goes on once approved', async () => {
    const e = await k.make();
    const dir = join(e.dir, 'work');
    mkdirSync(dir, { recursive: true });
    const t = startInTmux(['run', FOUR_EYES, '--store', e.store, '--operator', 'alice', '-p', `dir=${dir}`], { ...FAST_LEASES }, { cols: 120, rows: 30 });
    try {
      await t.waitFor('Fail over to the standby?');
      t.keys('y');
      const screen = await t.waitFor('waits for a second operator');
      const runId = /run (\d{8}-\d{6}-[0-9a-f]+)/.exec(screen)?.[1];
      expect(runId, screen).toBeDefined();
      expect(screen).toContain(`runbook approve ${String(runId)} go  (not alice)`);
      expect((await e.cli(['approve', String(runId), 'go', '--operator', 'bob'])).code).toBe(0);
      await t.waitFor(`runbook approve ${String(runId)} promote`);
      expect((await e.cli(['approve', String(runId), 'promote', '--operator', 'carol'])).code).toBe(0);
      const end = await t.exited();
      expect(end.code, end.screen).toBe(0);
      expect(end.screen).toContain('DONE');
    } finally {
      t.close();
    }
  });
});
