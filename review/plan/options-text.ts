/** A step's options as short phrases a reviewer reads (`timeout 30s`, `only when c.params.x`). */
import type { OptionsModel, StepModel } from '../model.js';

export function optionPhrases(o: OptionsModel, kind: StepModel['kind']): string[] {
  const out: string[] = [];
  if (o.timeout) out.push(`timeout ${o.timeout.text}`);
  if (o.retry) out.push(`retry ${o.retry}`);
  if (o.waitUntil) out.push(`wait until ${o.waitUntil}`);
  if (o.continueOnError !== undefined && o.continueOnError !== 'false') out.push(o.continueOnError === 'true' ? 'continue on error' : `continue on error: ${o.continueOnError}`);
  if (o.continueOnError === 'false' && kind === 'notify') out.push('stops the run if delivery fails');
  if (o.when) out.push(o.whenNever ? `only when ${o.when} (never: unreachable)` : `only when ${o.when}`);
  if (o.estimate) out.push(`estimate ${o.estimate.text}`);
  if (o.interactive !== undefined && o.interactive !== 'false') out.push('interactive (gets the terminal)');
  if (o.onNo) out.push(`on "no": ${o.onNo}`);
  if (o.parse) out.push(`parse ${o.parse}`);
  if (o.expect) out.push(`expect ${o.expect}`);
  for (const [k, v] of Object.entries(o.other)) out.push(`${k}: ${v}`);
  if (o.opaque) out.push(`options ${o.opaque}`);
  return out;
}
