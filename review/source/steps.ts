/**
 * One handler table over step kinds, like the interpreter's: how each kind's arguments read and
 * whether it can change anything. TypeScript makes a new kind add its entry here.
 */
import type { Node } from 'ts-morph';
import type { StepKind } from '../../dsl/nodes.js';
import type { ActionModel, OptionsModel, StaticValue } from '../model.js';
import { readAction } from './action.js';
import { readOptions } from './options.js';
import { exprText, literalOf, staticValue } from './values.js';

export interface StepParts {
  readonly title: string;
  readonly action: ActionModel | undefined;
  readonly message: StaticValue | undefined;
  readonly options: OptionsModel;
}

interface StepHandler {
  /** Arguments after the id. */
  read(args: readonly Node[]): StepParts;
  mutating(action: ActionModel | undefined): boolean;
}

function text(node: Node | undefined): string {
  if (node === undefined) return '(missing)';
  const v = literalOf(node);
  return v === undefined ? exprText(node) : String(v);
}

function actionOf(node: Node | undefined): ActionModel | undefined {
  return node === undefined ? undefined : readAction(node);
}

/** title, action, options: the shape of check, exec and promote. */
const titled = (args: readonly Node[]): StepParts => ({
  title: text(args[0]),
  action: actionOf(args[1]),
  message: undefined,
  options: readOptions(args[2]),
});

export const STEP_HANDLERS: { readonly [K in StepKind]: StepHandler } = {
  check: { read: titled, mutating: (a) => a !== undefined && a.callee === 'fn' && !a.readOnly },
  confirm: {
    read: (args) => ({ title: text(args[0]), action: undefined, message: undefined, options: readOptions(args[1]) }),
    mutating: () => false,
  },
  exec: { read: titled, mutating: (a) => a === undefined || !a.readOnly },
  promote: { read: titled, mutating: () => true },
  notify: {
    read: (args) => {
      const action = actionOf(args[0]);
      const channel = action === undefined ? '?' : action.callee.replace(/^notify\./, '');
      return { title: `Notify ${channel}`, action, message: args[1] === undefined ? undefined : staticValue(args[1]), options: readOptions(args[2]) };
    },
    mutating: () => false,
  },
};

export function isStepKind(method: string): method is StepKind {
  return Object.hasOwn(STEP_HANDLERS, method);
}
