import type { ActionNode, ActionType, ChannelNode, RuntimeCtx, StepNode } from '../../dsl/nodes.js';
import type { Effect, RenderedAction } from '../events.js';
import { formatSpec } from '../../dsl/duration.js';
import { resolve } from '../engine/context.js';
import { shCommand } from './sh-command.js';

type Renderers = { [T in ActionType]: (node: Extract<ActionNode, { type: T }>, c: RuntimeCtx) => string };

/** How each action reads to a person, fully rendered with the values it would use. */
const renderers: Renderers = {
  sh: (node, c) => `sh: ${shCommand(node, c)}`,
  fn: (node) => `fn: ${node.label ?? 'custom code'}${node.readOnly ? ' (read-only)' : ''}`,
  http: (node, c) => {
    const url = String(resolve(node.url, c, 'http url'));
    const body = node.body === undefined ? '' : ` body: ${JSON.stringify(resolve(node.body, c, 'http body'))}`;
    const status = node.expectStatus ? ` (expect ${node.expectStatus.join('|')})` : '';
    const timeout = node.timeoutMs === undefined ? '' : ` (timeout ${formatSpec(node.timeoutMs)})`;
    return `${node.method} ${url}${body}${status}${timeout}`;
  },
  promote: (node, c) => {
    const lines = [`promote (${node.driver}):`, `  precheck: ${renderAction(node.precheck, c)}`];
    if (node.fence) lines.push(`  fence:    ${renderAction(node.fence, c)}`);
    lines.push(`  promote:  ${renderAction(node.action, c)}`, `  verify:   ${renderAction(node.verify, c)}`);
    return lines.join('\n');
  },
  notify: (node, c) => `notify ${channelText(node.channel, c)}: ${JSON.stringify(String(resolve(node.message, c, 'notify message')))}`,
};

function channelText(ch: ChannelNode, c: RuntimeCtx): string {
  switch (ch.type) {
    case 'console':
      return 'console';
    case 'file':
      return `file ${String(resolve(ch.path, c, 'notify file path'))}`;
    case 'webhook':
      return `webhook ${String(resolve(ch.url, c, 'webhook url'))}`;
  }
}

export function renderAction(node: ActionNode, c: RuntimeCtx): string {
  try {
    return (renderers[node.type] as (n: ActionNode, c: RuntimeCtx) => string)(node, c);
  } catch (e) {
    return `${node.type}: <cannot render: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

/** Whether a step can change anything: checks and read-only code only read. */
export function stepEffect(step: StepNode): Effect {
  switch (step.kind) {
    case 'confirm':
      return 'gate';
    case 'notify':
      return 'notify';
    case 'check':
      return isReadOnly(step) ? 'read-only' : 'mutating';
    case 'exec':
    case 'promote':
      return step.action.type === 'fn' && step.action.readOnly ? 'read-only' : 'mutating';
  }
}

/** Read-only steps are the only ones `--probe` runs for real. */
export function isReadOnly(step: StepNode): boolean {
  if (step.kind === 'confirm' || step.kind === 'notify' || step.kind === 'promote') return false;
  const a = step.action;
  if (a.type === 'fn') return a.readOnly;
  if (step.kind !== 'check') return false;
  return a.type === 'sh' || (a.type === 'http' && a.method === 'GET');
}

export function renderStep(step: StepNode, c: RuntimeCtx): RenderedAction | null {
  if (step.kind === 'confirm') return null;
  const guards = optionSummary(step);
  return { text: renderAction(step.action, c) + (guards ? `\n${guards}` : ''), effect: stepEffect(step) };
}

/** What a reviewer must see besides the action: limits, retries, conditions. */
export function optionSummary(step: StepNode): string {
  const o = step.options;
  const parts: string[] = [];
  if (o.timeoutMs !== undefined) parts.push(`timeout ${formatSpec(o.timeoutMs)}`);
  if (o.retry) parts.push(`retry ${o.retry.attempts}× every ${formatSpec(o.retry.intervalMs)}${o.retry.backoff !== 1 ? ` ×${o.retry.backoff}` : ''}`);
  if (o.waitUntil) parts.push(`wait up to ${formatSpec(o.waitUntil.timeoutMs)}, polling every ${formatSpec(o.waitUntil.intervalMs)}`);
  if (o.continueOnError && step.kind !== 'notify') parts.push('continue on error');
  if (o.interactive) parts.push('interactive (gets the terminal)');
  if (o.when) parts.push(`only when ${clip(source(o.when), 100)}`);
  if (o.parse) parts.push(`parse ${clip(source(o.parse), 80)}`);
  const e = o.expect;
  const raw = !o.parse && step.kind !== 'confirm' && (step.action.type === 'sh' || step.action.type === 'http');
  if (e?.type === 'fn') parts.push(`expect ${clip(source(e.fn), 100)}${raw ? ' (on the raw result: a failed command can pass)' : ''}`);
  if (e?.type === 'regexp') parts.push(`expect output to match ${String(e.re)}`);
  if (e?.type === 'value') parts.push(`expect value ${clip(JSON.stringify(e.value) ?? String(e.value), 60)}`);
  return parts.length ? `(${parts.join(' · ')})` : '';
}

function source(f: (...a: never[]) => unknown): string {
  return f.toString().replace(/\s+/g, ' ');
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
