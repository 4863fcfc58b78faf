import { createHash } from 'node:crypto';
import type { ActionNode, LazyValue, RunbookPlan, StepNode } from '../../dsl/nodes.js';

/**
 * A hash of everything that defines what a step does (kind, title, phase, action with the source of
 * its lazy functions, options). Resume compares them to name the steps edited since a run began.
 */
export function stepFingerprints(plan: RunbookPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const step of plan.steps) out[step.id] = createHash('sha256').update(canonical(step)).digest('hex').slice(0, 16);
  return out;
}

function canonical(step: StepNode): string {
  const o = step.options;
  return JSON.stringify([
    step.kind, step.id, step.title, step.phase ?? null, step.kind === 'confirm' ? null : action(step.action),
    o.timeoutMs, o.retry, o.waitUntil, o.continueOnError, fnText(o.when), o.description, fnText(o.parse),
    o.expect === undefined ? null : o.expect.type === 'fn' ? fnText(o.expect.fn) : o.expect.type === 'regexp' ? String(o.expect.re) : o.expect.value,
    o.interactive, o.onNo,
  ]);
}

function action(a: ActionNode): unknown {
  switch (a.type) {
    case 'sh':
      return ['sh', a.strings, a.parts.map((p) => [p.raw, lazyText(p.value)])];
    case 'fn':
      return ['fn', fnText(a.fn), a.readOnly];
    case 'http':
      return ['http', a.method, lazyText(a.url), a.body && lazyText(a.body), a.headers, a.expectStatus, a.timeoutMs];
    case 'promote':
      return ['promote', a.driver, action(a.precheck), a.fence && action(a.fence), action(a.action), action(a.verify)];
    case 'notify':
      return ['notify', a.channel.type, 'path' in a.channel ? lazyText(a.channel.path) : 'url' in a.channel ? lazyText(a.channel.url) : null, lazyText(a.message)];
  }
}

function lazyText(v: LazyValue): unknown {
  return v.lazy ? fnText(v.fn) : v.value;
}

function fnText(f: ((...a: never[]) => unknown) | undefined): string | null {
  return f === undefined ? null : f.toString().replace(/\s+/g, ' ');
}
