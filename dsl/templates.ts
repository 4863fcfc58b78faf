/**
 * The communication templates of the DR plan (disaster declaration, status update, recovery complete),
 * usable as the message of any notify step. The builders only record the fields; the interpreter fills
 * the text when the step runs, from the run itself: time declared (run start), steps done and
 * remaining, elapsed time against the RTO, ETA from the remaining steps' `estimate`, next update.
 */
import { parseDuration, type Duration } from './duration.js';
import { RunbookDefinitionError } from './ids.js';
import { lazy, type LazyValue, type TemplateNode } from './nodes.js';

const TEMPLATE = Symbol.for('runbook.template');

/** A template as a notify message; `C` is the run context its lazy fields read. */
export interface Template<C> {
  readonly [TEMPLATE]: TemplateNode;
  readonly __ctx?: (c: C) => void;
}

type L<T, C> = T | ((c: C) => T);

/** Fields every template takes. */
export interface TemplateCommon<C> {
  /** The incident id in the heading (default: the run id). */
  readonly incidentId?: L<string, C>;
  /** The brief description in the heading (default: the runbook title). */
  readonly summary?: L<string, C>;
}

export interface DeclarationFields<C> extends TemplateCommon<C> {
  /** Affected services: a list, or one comma-separated string (e.g. a param). */
  readonly services: L<string | readonly string[], C>;
  /** Brief impact description (default "Under assessment"). */
  readonly impact?: L<string, C>;
  /** The DR coordinator / incident commander (default: the operator running the runbook). */
  readonly incidentCommander?: L<string, C>;
  readonly communicationsLead?: L<string, C>;
  /** When the next update will be sent, from now. */
  readonly nextUpdateIn?: Duration;
  /** Conference bridge link. */
  readonly bridge?: L<string, C>;
  /** e.g. "#disaster-recovery". */
  readonly slackChannel?: L<string, C>;
}

export interface StatusUpdateFields<C> extends TemplateCommon<C> {
  readonly services?: L<string | readonly string[], C>;
  /** Current status / recovery phase (default: the phase of this step, "recovery in progress"). */
  readonly status?: L<string, C>;
  /** Extra lines under "Progress", after the steps done. */
  readonly milestones?: L<readonly string[], C>;
  readonly nextUpdateIn?: Duration;
}

export interface RecoveryCompleteFields<C> extends TemplateCommon<C> {
  readonly services: L<string | readonly string[], C>;
  /** Lines of the outcome summary (the step counts are always included). */
  readonly outcome?: L<string | readonly string[], C>;
  readonly followUps?: L<readonly string[], C>;
  /** "Post-Recovery Review scheduled for: …". */
  readonly reviewAt?: L<string, C>;
}

const FIELDS: Record<TemplateNode['template'], readonly string[]> = {
  declaration: ['incidentId', 'summary', 'services', 'impact', 'incidentCommander', 'communicationsLead', 'nextUpdateIn', 'bridge', 'slackChannel'],
  'status-update': ['incidentId', 'summary', 'services', 'status', 'milestones', 'nextUpdateIn'],
  'recovery-complete': ['incidentId', 'summary', 'services', 'outcome', 'followUps', 'reviewAt'],
};

const NAMES: Record<TemplateNode['template'], string> = {
  declaration: 'templates.declaration',
  'status-update': 'templates.statusUpdate',
  'recovery-complete': 'templates.recoveryComplete',
};

function make<C>(template: TemplateNode['template'], raw: unknown, needsServices: boolean): Template<C> {
  const where = NAMES[template];
  if (typeof raw !== 'object' || raw === null) throw new RunbookDefinitionError(`${where} needs an object of fields, e.g. { services: ['payments-api'] }.`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!FIELDS[template].includes(key)) throw new RunbookDefinitionError(`${where}: unknown field "${key}". Allowed: ${FIELDS[template].join(', ')}.`);
  }
  if (needsServices && o['services'] === undefined) throw new RunbookDefinitionError(`${where}: "services" (the affected services) is required.`);
  const fields: Record<string, LazyValue> = {};
  for (const [key, value] of Object.entries(o)) if (key !== 'nextUpdateIn' && value !== undefined) fields[key] = lazy(value);
  const next = o['nextUpdateIn'];
  const node: TemplateNode = Object.freeze({
    type: 'template',
    template,
    fields: Object.freeze(fields),
    nextUpdateMs: next === undefined ? undefined : parseDuration(next as Duration, `${where} nextUpdateIn`),
  });
  return Object.freeze({ [TEMPLATE]: node }) as Template<C>;
}

/** The template node inside a `templates.*(…)` value, or undefined when `v` is not one. */
export function templateNode(v: unknown): TemplateNode | undefined {
  const node = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[TEMPLATE] : undefined;
  return node as TemplateNode | undefined;
}

export const templates = {
  /** "DISASTER RECOVERY INITIATED": time declared, impact, affected services, coordinator, estimate, next update. */
  declaration: <C>(fields: DeclarationFields<C>): Template<C> => make('declaration', fields, true),
  /** "DR STATUS UPDATE": current status, steps done, remaining steps, elapsed vs RTO, revised estimate, next update. */
  statusUpdate: <C>(fields: StatusUpdateFields<C> = {}): Template<C> => make('status-update', fields, false),
  /** "DR RECOVERY COMPLETE": time completed, total duration vs RTO, recovered services, outcome, follow-ups. */
  recoveryComplete: <C>(fields: RecoveryCompleteFields<C>): Template<C> => make('recovery-complete', fields, true),
};
