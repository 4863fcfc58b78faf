import { RUNBOOK_BRAND } from './brand.js';
import type { Ctx, StepOutput } from './context.js';
import { parseDuration, type Duration } from './duration.js';
import { assertKebabId, RunbookDefinitionError, type CheckNewId } from './ids.js';
import { lazy, type LazyValue, type RunbookPlan, type StepKind, type StepNode } from './nodes.js';
import type { CheckOptions, ConfirmOptions, ExecOptions, NotifyOptions, Parsed, PromoteOptions } from './options.js';
import { normaliseOptions } from './options.js';
import type { ParamSpec, ParamsSpec, ParamValues } from './params.js';
import type { ConfirmResult, NotifyResult, PromoteResult } from './results.js';
import { actionNode, type Action } from './actions/action.js';
import { channelNode, type Channel } from './actions/notify.js';
import { templateNode, type Template } from './templates.js';

export interface RunbookMeta<PS extends ParamsSpec> {
  readonly title: string;
  readonly description?: string;
  /** Recovery time objective, e.g. "15m". */
  readonly rto?: Duration;
  readonly params?: PS;
  /** Scopes the one-live-run lock to procedure + target, e.g. the cluster name. */
  readonly lockKey?: string | ((c: Ctx<ParamValues<PS>, Record<never, never>>) => string);
}

type Add<S, Id extends string, Out> = S & { readonly [K in Id]: Out };

// check / exec / promote each have two signatures: with `parse` the value type V comes from it; without,
// the value is the action's result. (One signature with `V = R` as a default rejects
// `{ parse: o => o.trim(), expect: 'ok' }`: TypeScript checks the literal `expect` against the default first.)

/**
 * The fluent builder. Each named step widens `S`, the type of `c.steps` that later steps see:
 * a reference to an unknown or later step, or a reused id, does not compile.
 */
export interface RunbookBuilder<PS extends ParamsSpec, S> {
  readonly [RUNBOOK_BRAND]: true;
  /** Type-level only (never set): the steps so far, for `scenario()` and other tools typed against a runbook. */
  readonly __steps?: S;
  /** Groups the steps that follow under a heading. */
  phase(title: string): RunbookBuilder<PS, S>;
  /** A read-only probe; with `expect` (and optionally `waitUntil`) it decides go / no-go. */
  check<const Id extends string, R, V>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options: CheckOptions<R, V, Ctx<ParamValues<PS>, S>> & Parsed<R, V>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, V>>>;
  check<const Id extends string, R>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options?: CheckOptions<R, R, Ctx<ParamValues<PS>, S>>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, R>>>;
  /** A human gate or a manual instruction. "No" stops the run unless `onNo: 'continue'`. */
  confirm<const Id extends string>(
    id: CheckNewId<Id, S>, question: string, options?: ConfirmOptions<Ctx<ParamValues<PS>, S>>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<ConfirmResult, boolean>>>;
  /** A side effect. */
  exec<const Id extends string, R, V>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options: ExecOptions<R, V, Ctx<ParamValues<PS>, S>> & Parsed<R, V>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, V>>>;
  exec<const Id extends string, R>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options?: ExecOptions<R, R, Ctx<ParamValues<PS>, S>>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, R>>>;
  /** Make a standby the primary: precheck → fence? → promote → verify. */
  // R: the driver's result (PgPromoteResult, PatroniPromoteResult… all extend PromoteResult).
  promote<const Id extends string, R extends PromoteResult, V>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options: PromoteOptions<R, V, Ctx<ParamValues<PS>, S>> & Parsed<R, V>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, V>>>;
  promote<const Id extends string, R extends PromoteResult>(
    id: CheckNewId<Id, S>, title: string, action: Action<R, Ctx<ParamValues<PS>, S>>, options?: PromoteOptions<R, R, Ctx<ParamValues<PS>, S>>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<R, R>>>;
  /** Tell people. A failed delivery warns and the run goes on unless `continueOnError: false`. */
  notify<const Id extends string>(
    id: CheckNewId<Id, S>, channel: Channel<Ctx<ParamValues<PS>, S>>, message: string | ((c: Ctx<ParamValues<PS>, S>) => string) | Template<Ctx<ParamValues<PS>, S>>, options?: NotifyOptions<Ctx<ParamValues<PS>, S>>,
  ): RunbookBuilder<PS, Add<S, Id, StepOutput<NotifyResult, NotifyResult>>>;
  /** The plan as frozen data, for the interpreter. */
  toPlan(): RunbookPlan;
}

/** Any runbook, whatever its params and steps. */
export type AnyRunbook = { readonly [RUNBOOK_BRAND]: true; toPlan(): RunbookPlan };

interface State {
  readonly meta: Omit<RunbookPlan, 'steps'>;
  readonly steps: readonly StepNode[];
  readonly phase: string | undefined;
}

class RunbookBuilderImpl {
  readonly [RUNBOOK_BRAND] = true as const;
  readonly #s: State;
  constructor(state: State) {
    this.#s = state;
  }

  phase(title: string): RunbookBuilderImpl {
    if (typeof title !== 'string' || title.trim() === '') throw new RunbookDefinitionError(`runbook "${this.#s.meta.id}": phase(title) needs a non-empty title.`);
    return new RunbookBuilderImpl({ ...this.#s, phase: title });
  }

  check(id: string, title: string, action: unknown, options?: unknown): RunbookBuilderImpl {
    return this.#add('check', id, title, options, { action: actionNode(action, `check "${id}"`) });
  }
  confirm(id: string, question: string, options?: unknown): RunbookBuilderImpl {
    return this.#add('confirm', id, question, options, {});
  }
  exec(id: string, title: string, action: unknown, options?: unknown): RunbookBuilderImpl {
    return this.#add('exec', id, title, options, { action: actionNode(action, `exec "${id}"`) });
  }
  promote(id: string, title: string, action: unknown, options?: unknown): RunbookBuilderImpl {
    const node = actionNode(action, `promote "${id}"`);
    if (node.type !== 'promote') throw new RunbookDefinitionError(`promote "${id}": the action must be a promotion (promote.custom({ precheck, action, verify }), pg.promote(…), patroni.switchover(…), redis.promote(…)), got ${node.type}.`);
    return this.#add('promote', id, title, options, { action: node });
  }
  notify(id: string, channel: unknown, message: unknown, options?: unknown): RunbookBuilderImpl {
    const template = templateNode(message);
    if (template === undefined && typeof message !== 'string' && typeof message !== 'function') {
      throw new RunbookDefinitionError(`notify "${id}": the message must be a string, c => string or a template (templates.declaration(…), templates.statusUpdate(…), templates.recoveryComplete(…)).`);
    }
    const ch = channelNode(channel);
    const title = template === undefined ? `Notify ${ch.type}` : `Notify ${ch.type}: ${template.template.replace('-', ' ')}`;
    return this.#add('notify', id, title, options, { action: Object.freeze({ type: 'notify', channel: ch, message: template ?? lazy(message) }) });
  }

  toPlan(): RunbookPlan {
    return Object.freeze({ ...this.#s.meta, steps: this.#s.steps });
  }

  #add(kind: StepKind, id: string, title: string, options: unknown, extra: object): RunbookBuilderImpl {
    assertKebabId(id, `step id in runbook "${this.#s.meta.id}":`);
    if (this.#s.steps.some((s) => s.id === id)) throw new RunbookDefinitionError(`Duplicate step id "${id}" in runbook "${this.#s.meta.id}": step ids must be unique. Rename one of them.`);
    if (typeof title !== 'string' || title.trim() === '') throw new RunbookDefinitionError(`step "${id}": the title (or question) must be a non-empty string.`);
    const step = Object.freeze({
      kind, id, title, phase: this.#s.phase, index: this.#s.steps.length,
      options: normaliseOptions(kind, id, options), ...extra,
    }) as StepNode;
    return new RunbookBuilderImpl({ ...this.#s, steps: Object.freeze([...this.#s.steps, step]) });
  }
}

function validateParams(id: string, params: unknown): Readonly<Record<string, ParamSpec>> {
  if (params === undefined) return Object.freeze({});
  if (typeof params !== 'object' || params === null) throw new RunbookDefinitionError(`runbook "${id}": params must be an object of param.string(…), param.secret(…)…`);
  for (const [name, spec] of Object.entries(params)) {
    const type = (spec as { type?: unknown } | null)?.type;
    if (!['string', 'number', 'boolean', 'enum', 'secret'].includes(String(type))) {
      throw new RunbookDefinitionError(`runbook "${id}": param "${name}" is not a param declaration; use param.string(), param.number(), param.boolean(), param.enum([...]) or param.secret().`);
    }
    // Plain-JS runbooks get no compile-time check: a default of the wrong type would reach the steps as is.
    const dflt = (spec as { default?: unknown }).default;
    if (dflt !== undefined) {
      if (type === 'secret') throw new RunbookDefinitionError(`runbook "${id}": param "${name}" is a secret and cannot have a default; it comes from its env variable or -p.`);
      const expected = type === 'enum' ? 'string' : String(type);
      if (typeof dflt !== expected) throw new RunbookDefinitionError(`runbook "${id}": the default of param "${name}" must be a ${expected}, got ${JSON.stringify(dflt)}.`);
    }
  }
  return Object.freeze({ ...(params as Record<string, ParamSpec>) });
}

/** Starts a runbook. Pure: nothing is read, spawned or connected here. */
export function runbook<const PS extends ParamsSpec = Record<never, never>>(id: string, meta: RunbookMeta<PS>): RunbookBuilder<PS, Record<never, never>> {
  assertKebabId(id, 'runbook id');
  if (typeof meta !== 'object' || meta === null || typeof meta.title !== 'string' || meta.title.trim() === '') {
    throw new RunbookDefinitionError(`runbook "${id}": the second argument needs a title, e.g. runbook("${id}", { title: "Fail over the primary" }).`);
  }
  const lockKey: LazyValue | undefined = meta.lockKey === undefined ? undefined : lazy(meta.lockKey);
  const impl = new RunbookBuilderImpl({
    meta: Object.freeze({
      id,
      title: meta.title,
      description: meta.description,
      rtoMs: meta.rto === undefined ? undefined : parseDuration(meta.rto, `runbook "${id}" rto`),
      params: validateParams(id, meta.params),
      lockKey,
    }),
    steps: Object.freeze([]),
    phase: undefined,
  });
  return impl as unknown as RunbookBuilder<PS, Record<never, never>>;
}

export function isRunbook(v: unknown): v is AnyRunbook {
  return typeof v === 'object' && v !== null && (v as Record<PropertyKey, unknown>)[RUNBOOK_BRAND] === true && typeof (v as AnyRunbook).toPlan === 'function';
}
