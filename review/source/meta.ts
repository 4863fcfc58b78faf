/** The runbook's own metadata as written: `runbook(id, { title, rto, params, lockKey, description })`. */
import { Node } from 'ts-morph';
import type { DurationText, ParamModel } from '../model.js';
import { durationText } from './options.js';
import { exprText, lazyText, literalOf, literalString, posOf, property, resolveConst, unwrap } from './values.js';

export interface MetaModel {
  readonly title: string;
  readonly description: string | undefined;
  readonly rto: DurationText | undefined;
  readonly lockKey: string | undefined;
  readonly params: readonly ParamModel[];
}

function textOf(node: Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  const v = literalOf(node);
  return v === undefined ? exprText(node) : String(v);
}

function objectOf(node: Node | undefined): Node | undefined {
  if (node === undefined) return undefined;
  const n = unwrap(node);
  if (Node.isObjectLiteralExpression(n)) return n;
  const init = resolveConst(n);
  return init === undefined ? undefined : objectOf(init);
}

function readParam(name: string, init: Node, pos: ParamModel['pos']): ParamModel {
  const n = unwrap(init);
  if (!Node.isCallExpression(n)) {
    return { name, type: exprText(n), default: undefined, env: undefined, optional: false, description: undefined, values: undefined, pos };
  }
  const callee = n.getExpression().getText();
  const type = callee.replace(/^.*\./, '');
  const args = n.getArguments();
  let values: string[] | undefined;
  let opts = args[0];
  if (type === 'enum') {
    const list = args[0] === undefined ? undefined : unwrap(args[0]);
    values = list && Node.isArrayLiteralExpression(list) ? list.getElements().map((e) => textOf(e) ?? '?') : undefined;
    opts = args[1];
  }
  const dflt = property(opts, 'default');
  return {
    name,
    type,
    default: dflt === undefined ? undefined : literalOf(dflt) === undefined ? exprText(dflt) : JSON.stringify(literalOf(dflt)),
    env: literalString(property(opts, 'env')),
    optional: literalOf(property(opts, 'optional')) === true,
    description: textOf(property(opts, 'description')),
    values,
    pos,
  };
}

export function readMeta(metaArg: Node | undefined): MetaModel {
  const meta = objectOf(metaArg);
  const rtoNode = property(meta, 'rto');
  const lockNode = property(meta, 'lockKey');
  const paramsObj = objectOf(property(meta, 'params'));
  const params: ParamModel[] = [];
  if (paramsObj && Node.isObjectLiteralExpression(paramsObj)) {
    for (const p of paramsObj.getProperties()) {
      if (Node.isPropertyAssignment(p)) {
        const init = p.getInitializer();
        if (init) params.push(readParam(p.getName().replace(/^['"]|['"]$/g, ''), init, posOf(p)));
      } else if (Node.isShorthandPropertyAssignment(p)) {
        const init = resolveConst(p.getNameNode());
        if (init) params.push(readParam(p.getName(), init, posOf(p)));
      }
    }
  }
  return {
    title: textOf(property(meta, 'title')) ?? (metaArg === undefined ? '(no title)' : meta === undefined ? exprText(metaArg) : '(no title)'),
    description: textOf(property(meta, 'description')),
    rto: rtoNode === undefined ? undefined : durationText(rtoNode),
    lockKey: lockNode === undefined ? undefined : lazyText(lockNode),
    params,
  };
}
