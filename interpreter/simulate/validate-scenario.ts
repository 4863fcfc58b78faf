import type { RunbookPlan, StepNode } from '../../dsl/nodes.js';
import type { FailureChoice, ScenarioState, StateCondition } from '../../dsl/scenario.js';
import { parseDuration } from '../../dsl/duration.js';
import { UsageError } from '../errors.js';
import type { ScenarioEventModel, ScenarioModel, StepScriptModel } from './scenario-model.js';

const TOP = ['runbook', 'name', 'description', 'params', 'state', 'steps', 'events'] as const;
const ACTION_FIELDS = ['duration', 'note', 'fail', 'failUntil', 'failWhen', 'message', 'output', 'value', 'onFailure'] as const;
const CONFIRM_FIELDS = ['duration', 'note', 'answer', 'decideIn'] as const;
const EVENT_FIELDS = ['at', 'say', 'set'] as const;
const CHOICES: readonly FailureChoice[] = ['retry', 'skip', 'done', 'abort'];
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const;

/**
 * Checks a scenario (the typed TS form, or parsed YAML/JSON) against its runbook and normalises it.
 * The first problem is an error naming the field (`steps.promote-standby.fail.times`) and the fix.
 * `typed`: functions are allowed where the TS form allows them.
 */
export function validateScenario(raw: unknown, plan: RunbookPlan, source: string, typed: boolean, defaultName: string): ScenarioModel {
  const bad = (path: string, problem: string): never => {
    throw new UsageError(`Scenario ${source}: ${path ? `${path}: ` : ''}${problem}`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, `expected a map of fields, got ${describe(v)}.`);
    return v as Record<string, unknown>;
  };
  const only = (o: Record<string, unknown>, allowed: readonly string[], path: string, what: string): void => {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) bad(path ? `${path}.${k}` : k, `unknown field "${k}" in ${what}. Allowed: ${allowed.join(', ')}.`);
    }
  };
  const duration = (v: unknown, path: string): number => {
    try {
      return parseDuration(v as string, path);
    } catch {
      return bad(path, `${describe(v)} is not a duration. Write milliseconds or a string like "30s", "4m", "1h30m".`);
    }
  };
  const text = (v: unknown, path: string): string => {
    if (typeof v !== 'string' || v.trim() === '') bad(path, `expected a non-empty text, got ${describe(v)}.`);
    return v as string;
  };

  const top = obj(raw, '');
  only(top, TOP, '', 'a scenario');
  if (top['runbook'] !== undefined && top['runbook'] !== plan.id) {
    bad('runbook', `this scenario is for runbook ${JSON.stringify(top['runbook'])}, but the runbook given is "${plan.id}". Use the scenario with its own runbook, or fix the field.`);
  }
  const name = top['name'] === undefined ? defaultName : text(top['name'], 'name');
  const description = top['description'] === undefined ? undefined : text(top['description'], 'description');
  const state = top['state'] === undefined ? {} : { ...obj(top['state'], 'state') };
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(top['params'] === undefined ? {} : obj(top['params'], 'params'))) {
    if (!(k in plan.params)) bad(`params.${k}`, `runbook "${plan.id}" has no param "${k}". Its params: ${Object.keys(plan.params).join(', ') || '(none)'}.`);
    if (plan.params[k]?.type === 'secret') bad(`params.${k}`, `"${k}" is a secret: a scenario does not hold secrets (a simulation does not need them).`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad(`params.${k}`, `expected text, a number or true/false, got ${describe(v)}.`);
    params[k] = String(v);
  }

  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const steps = new Map<string, StepScriptModel>();
  const rawSteps = top['steps'] === undefined ? {} : obj(top['steps'], 'steps');
  for (const [id, v] of Object.entries(rawSteps)) {
    const step = byId.get(id);
    if (!step) {
      const near = closest(id, [...byId.keys()]);
      bad(`steps.${id}`, `runbook "${plan.id}" has no step "${id}"${near ? ` (did you mean "${near}"?)` : ''}. Its steps: ${[...byId.keys()].join(', ')}.`);
    }
    // `promote:` with nothing under it (YAML null) is a step listed without a script: it succeeds.
    steps.set(id, stepScript(v === null ? {} : obj(v, `steps.${id}`), step as StepNode, `steps.${id}`));
  }

  const events: ScenarioEventModel[] = [];
  const rawEvents: ScenarioEventModel[] = [];
  if (top['events'] !== undefined) {
    if (!Array.isArray(top['events'])) bad('events', `expected a list of { at, say, set }, got ${describe(top['events'])}.`);
    (top['events'] as unknown[]).forEach((e, i) => {
      const path = `events[${i}]`;
      const ev = obj(e, path);
      only(ev, EVENT_FIELDS, path, 'an event');
      if (ev['at'] === undefined) bad(`${path}.at`, 'missing: when the event happens, in simulated time since the start ("4m").');
      if (ev['say'] === undefined) bad(`${path}.say`, 'missing: what the participants are told ("standby lag jumps to 2 GiB").');
      events.push({ atMs: duration(ev['at'], `${path}.at`), say: text(ev['say'], `${path}.say`), set: ev['set'] === undefined ? {} : { ...obj(ev['set'], `${path}.set`) } });
      rawEvents.push(events.at(-1)!);
    });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  // Every fact of the world is declared with its starting value: a typo in an event, a condition or an
  // output template would otherwise silently never match.
  const known = new Set(Object.keys(state));
  const declare = (key: string, path: string): void => {
    if (!known.has(key)) bad(path, `"${key}" is not in the scenario state${near(key)}. Declare it with its starting value under state:.`);
  };
  const near = (key: string): string => {
    const n = closest(key, [...known]);
    return n ? ` (did you mean "${n}"?)` : '';
  };
  rawEvents.forEach((ev, i) => Object.keys(ev.set).forEach((k) => declare(k, `events[${i}].set.${k}`)));
  for (const [id, s] of steps) {
    const key = s.failWhen?.text.match(/^state\.(\S+)/)?.[1];
    if (key !== undefined) declare(key, `steps.${id}.failWhen.state`);
    for (const k of s.templateKeys) declare(k, `steps.${id}.output`);
  }
  return Object.freeze({ name, description, file: null, state: Object.freeze(state), params: Object.freeze(params), steps, events: Object.freeze(events) });

  function stepScript(o: Record<string, unknown>, step: StepNode, path: string): StepScriptModel {
    const confirm = step.kind === 'confirm';
    only(o, confirm ? CONFIRM_FIELDS : ACTION_FIELDS, path, confirm ? `a confirm step's script (it is asked, not run)` : `${step.kind === 'exec' ? 'an' : 'a'} ${step.kind} step's script`);
    let failTimes = 0;
    let message = o['message'] === undefined ? undefined : text(o['message'], `${path}.message`);
    const f = o['fail'];
    if (f !== undefined) {
      if (typeof f === 'number') failTimes = count(f, `${path}.fail`);
      else {
        const fo = obj(f, `${path}.fail`);
        only(fo, ['times', 'message'], `${path}.fail`, 'fail');
        failTimes = fo['times'] === undefined ? 1 : count(fo['times'], `${path}.fail.times`);
        if (fo['message'] !== undefined) message = text(fo['message'], `${path}.fail.message`);
      }
    }
    return Object.freeze({
      durationMs: o['duration'] === undefined ? undefined : duration(o['duration'], `${path}.duration`),
      note: o['note'] === undefined ? undefined : text(o['note'], `${path}.note`),
      failTimes,
      failUntilMs: o['failUntil'] === undefined ? undefined : duration(o['failUntil'], `${path}.failUntil`),
      failWhen: o['failWhen'] === undefined ? undefined : condition(o['failWhen'], `${path}.failWhen`),
      message,
      output: o['output'] === undefined ? undefined : output(o['output'], `${path}.output`),
      templateKeys: typeof o['output'] === 'string' ? [...o['output'].matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]!) : [],
      value: 'value' in o ? valueOf(o['value']) : undefined,
      onFailure: o['onFailure'] === undefined ? [] : choices(o['onFailure'], `${path}.onFailure`),
      answer: o['answer'] === undefined ? undefined : answer(o['answer'], `${path}.answer`),
      decideInMs: o['decideIn'] === undefined ? undefined : duration(o['decideIn'], `${path}.decideIn`),
    });
  }

  function count(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) bad(path, `expected how many attempts fail, a whole number from 1 to 1000, got ${describe(v)}.`);
    return v as number;
  }
  function condition(v: unknown, path: string): StepScriptModel['failWhen'] {
    if (typeof v === 'function') {
      if (!typed) bad(path, 'functions are only allowed in a TypeScript scenario.');
      const fn = v as (s: ScenarioState) => unknown;
      return { test: (s) => fn(s) === true, text: compact(fn.toString()) };
    }
    const c = obj(v, path) as Partial<StateCondition> & Record<string, unknown>;
    only(c, ['state', ...OPS], path, 'a condition');
    const key = text(c['state'], `${path}.state`);
    const ops = OPS.filter((op) => op in c);
    if (ops.length === 0) bad(path, `needs a comparison: one of ${OPS.join(', ')} (e.g. { state: "${key}", gt: 1048576 }).`);
    for (const op of ops) {
      if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof c[op] !== 'number') bad(`${path}.${op}`, `expected a number, got ${describe(c[op])}.`);
    }
    const test = (s: ScenarioState): boolean => ops.every((op) => {
      const x = s[key];
      const y = c[op];
      switch (op) {
        case 'gt': return typeof x === 'number' && x > (y as number);
        case 'gte': return typeof x === 'number' && x >= (y as number);
        case 'lt': return typeof x === 'number' && x < (y as number);
        case 'lte': return typeof x === 'number' && x <= (y as number);
        case 'eq': return JSON.stringify(x) === JSON.stringify(y);
        case 'ne': return JSON.stringify(x) !== JSON.stringify(y);
      }
    });
    return { test, text: `state.${key} ${ops.map((op) => `${op} ${JSON.stringify(c[op])}`).join(' and ')}` };
  }
  function output(v: unknown, path: string): (s: ScenarioState) => string {
    if (typeof v === 'function') {
      if (!typed) bad(path, 'functions are only allowed in a TypeScript scenario.');
      const fn = v as (s: ScenarioState) => unknown;
      return (s) => String(fn(s));
    }
    if (typeof v !== 'string') bad(path, `expected the command's output as text, got ${describe(v)}.`);
    const template = v as string;
    return (s) => template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_m, k: string) => (k in s ? String(s[k]) : `{{${k}}}`));
  }
  function valueOf(v: unknown): { get: (s: ScenarioState) => unknown } {
    if (typed && typeof v === 'function') {
      const fn = v as (s: ScenarioState) => unknown;
      return { get: (s) => fn(s) };
    }
    return { get: () => v };
  }
  function choices(v: unknown, path: string): FailureChoice[] {
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) bad(path, `expected one of ${CHOICES.join(', ')} or a list of them.`);
    return list.map((x, i) => {
      if (!CHOICES.includes(x as FailureChoice)) bad(Array.isArray(v) ? `${path}[${i}]` : path, `${describe(x)} is not a choice: use ${CHOICES.join(', ')}.`);
      return x as FailureChoice;
    });
  }
  function answer(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    if (v === 'yes' || v === 'no') return v === 'yes';
    return bad(path, `expected yes or no (true/false), got ${describe(v)}.`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${String(v)}`;
}

function compact(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 79)}…` : t;
}

/** The id with the smallest edit distance, when it is close enough to be a typo. */
function closest(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const other of ids) {
    const d = distance(id, other);
    if (d < bestD) [best, bestD] = [other, d];
  }
  return bestD <= Math.max(2, Math.floor(id.length / 4)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
