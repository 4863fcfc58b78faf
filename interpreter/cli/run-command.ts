import type { Mode } from '../../dsl/context.js';
import { UsageError } from '../errors.js';
import { JOURNAL_VERSION } from '../events.js';
import { loadRunbook } from '../loader/load-runbook.js';
import { loadScenario } from '../simulate/load-scenario.js';
import { createSimulation } from '../simulate/simulation.js';
import { parseParamFlags, resolveParams } from '../params.js';
import { stepFingerprints } from '../store/fingerprint.js';
import { openStore } from '../store/open-store.js';
import { newRunId } from '../store/run-id.js';
import { assertNoReferenceToSkipped } from './references.js';
import { bothTty } from './ui.js';
import { assertCanRunUnattended, defaultOperator, host, runSession, takeRunLock, type Ui } from './session.js';

export interface RunFlags {
  readonly dryRun?: boolean;
  readonly probe?: boolean;
  readonly from?: string;
  readonly only?: string;
  readonly param: string[];
  readonly yes?: boolean;
  readonly operator?: string;
  readonly ui?: string;
  readonly store?: string;
  /** `--simulate [scenario]`: true without a scenario file. */
  readonly simulate?: string | boolean;
  readonly auto?: boolean;
}

/**
 * `--ui`: the TUI by default when stdin and stdout are terminals; plain otherwise (also for `--ui tui`
 * without one). A dry-run is a plan to read (and to paste into a review): plain unless `--ui tui` is asked.
 */
export function parseUi(ui: string | undefined, tty: boolean = bothTty(), plan = false): Ui {
  if (ui === 'plain') return 'plain';
  if (ui === 'json') return 'json';
  if (ui === undefined && plan) return 'plain';
  if (ui === undefined || ui === 'tui') return tty ? 'tui' : 'plain';
  throw new UsageError(`--ui ${JSON.stringify(ui)} is not a UI: use --ui tui, --ui plain or --ui json.`);
}

export async function runCommand(file: string, f: RunFlags): Promise<number> {
  if (f.probe && !f.dryRun) throw new UsageError('--probe refines --dry-run (read-only checks run for real): write --dry-run --probe.');
  if (f.from !== undefined && f.only !== undefined) throw new UsageError('--from and --only cannot be combined: --from starts at a step and runs the rest, --only runs one step.');
  const simulating = f.simulate !== undefined && f.simulate !== false;
  if (simulating && f.dryRun) throw new UsageError('--simulate and --dry-run are two different modes: --dry-run prints the plan, --simulate plays it against a scenario. Choose one.');
  if (f.auto && !simulating) throw new UsageError('--auto answers for the participants of a simulation: use it with --simulate [scenario]. For a live run without questions, --yes answers yes to every confirmation.');
  if (simulating && f.yes) throw new UsageError('--yes is for live runs; in a simulation use --auto (the scenario answers confirmations and failure menus).');
  const ui = parseUi(f.ui, bothTty(), f.dryRun === true && !f.probe);
  const given = parseParamFlags(f.param);
  const { plan, file: path, sourceHash } = await loadRunbook(file);
  const mode: Mode = simulating ? 'simulate' : f.dryRun ? (f.probe ? 'probe' : 'dry-run') : 'live';
  const scenario = simulating ? await loadScenario(typeof f.simulate === 'string' ? f.simulate : undefined, plan) : undefined;
  const ids = plan.steps.map((s) => s.id);
  const skip = new Map<string, string>();
  for (const [flag, id] of [['--from', f.from], ['--only', f.only]] as const) {
    if (id === undefined) continue;
    const at = ids.indexOf(id);
    if (at === -1) throw new UsageError(`${flag} ${id}: runbook "${plan.id}" has no step "${id}". Its steps: ${ids.join(', ')}.`);
    for (const [i, other] of ids.entries()) {
      if (flag === '--from' ? i < at : i !== at) skip.set(other, `${flag} ${id}`);
    }
  }
  const params = resolveParams(plan.id, plan.params, { ...scenario?.params, ...given }, process.env, mode);
  assertNoReferenceToSkipped(plan, new Set(skip.keys()), f.from !== undefined ? `--from ${f.from}` : `--only ${String(f.only)}`);
  assertCanRunUnattended(plan, mode, f.yes === true || f.auto === true, (id) => !skip.has(id));
  const simulation = scenario ? createSimulation(plan, scenario, { auto: f.auto === true }) : undefined;

  const runId = newRunId();
  const operator = defaultOperator(f.operator);
  const runStartedAt = new Date();
  const store = await openStore(f.store);
  try {
    const held = await takeRunLock(store, plan, mode, params, runId, operator);
    return await runSession({
      plan, mode, params, runId, operator, store, ui, yes: f.yes === true, runStartedAt, firstSeq: 0, skip,
      ...(simulation ? { simulation } : {}),
      opening: (lockKey) => [{
        type: 'run-started', v: JOURNAL_VERSION, runId, runbookId: plan.id, title: plan.title, file: path, sourceHash,
        fingerprints: stepFingerprints(plan), steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, title: s.title, phase: s.phase ?? null })),
        params: params.display, secretParams: Object.entries(plan.params).filter(([, s]) => s.type === 'secret').map(([k]) => k),
        operator, host: host(), pid: process.pid, mode, rtoMs: plan.rtoMs ?? null, lockKey, from: f.from ?? null, only: f.only ?? null,
        ...(scenario ? { scenario: { name: scenario.name, file: scenario.file, ...(scenario.description ? { description: scenario.description } : {}) } } : {}),
      }],
    }, held);
  } finally {
    await store.close();
  }
}
