import type { Mode } from '../../dsl/context.js';
import type { StepNode } from '../../dsl/nodes.js';
import { isReadOnly } from '../render/render.js';
import type { ActionOutcome, ModeRuntime, RunAction } from './types.js';

/** Dry-run: renders only. No adapter is loaded and `execute` does not exist. */
export const dryRunMode: ModeRuntime = Object.freeze({ name: 'dry-run', canExecute: () => false, execute: undefined });

/** Live: every step acts. The adapters are imported here, on demand, and nowhere else. */
export async function liveMode(): Promise<ModeRuntime> {
  const { runLive } = await import('../adapters/live.js');
  return Object.freeze({ name: 'live', canExecute: () => true, execute: runLive });
}

/** Probe: read-only checks and read-only code act; everything else is rendered. Guarded twice. */
export async function probeMode(): Promise<ModeRuntime> {
  const { runLive } = await import('../adapters/live.js');
  const guarded: RunAction = (node, env): Promise<ActionOutcome> => {
    if (node.type === 'sh' || node.type === 'ssh' || node.type === 'ssh-each' || (node.type === 'http' && node.method === 'GET') || ((node.type === 'fn' || node.type === 'redis' || node.type === 'k8s' || node.type === 'pg' || node.type === 'patroni') && node.readOnly)) return runLive(node, env);
    throw new Error(`probe mode refused to run a ${node.type} action`);
  };
  return Object.freeze({ name: 'probe', canExecute: (step: StepNode) => isReadOnly(step), execute: guarded });
}

export async function modeRuntime(mode: Mode): Promise<ModeRuntime> {
  switch (mode) {
    case 'live':
      return liveMode();
    case 'probe':
      return probeMode();
    case 'dry-run':
      return dryRunMode;
    case 'simulate':
      // A simulation needs its scenario and clock: it is built by createSimulation (interpreter/simulate), not here.
      throw new Error('simulation mode is created from a scenario (createSimulation), not by modeRuntime');
  }
}
