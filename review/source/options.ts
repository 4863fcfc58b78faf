/** Reads a step's options object as written. */
import { Node } from 'ts-morph';
import { parseDuration } from '../../dsl/duration.js';
import type { DurationText, OptionsModel } from '../model.js';
import { exprText, lazyText, literalOf, unwrap } from './values.js';

const KNOWN = ['timeout', 'retry', 'waitUntil', 'when', 'continueOnError', 'estimate', 'description', 'parse', 'expect', 'interactive', 'onNo'] as const;
type Known = (typeof KNOWN)[number];

export function durationText(node: Node): DurationText {
  const v = literalOf(node);
  if (typeof v === 'number' || typeof v === 'string') {
    try {
      return { text: String(v), ms: parseDuration(v, 'duration') };
    } catch {
      return { text: String(v), ms: undefined };
    }
  }
  return { text: exprText(node), ms: undefined };
}

/** True for `() => false`, `() => 0`, `function () { return false; }` and the like. */
function neverHolds(node: Node): boolean {
  const n = unwrap(node);
  const falsy = (e: Node | undefined): boolean => {
    if (e === undefined) return true; // `() => {}` returns undefined
    const v = literalOf(e);
    if (v === false || v === 0 || v === '' || v === null) return true;
    return Node.isIdentifier(unwrap(e)) && unwrap(e).getText() === 'undefined';
  };
  if (Node.isArrowFunction(n) || Node.isFunctionExpression(n)) {
    const body = n.getBody();
    if (body === undefined) return false;
    if (!Node.isBlock(body)) return falsy(body);
    const stmts = body.getStatements();
    const first = stmts[0];
    if (first === undefined) return true;
    return Node.isReturnStatement(first) && falsy(first.getExpression());
  }
  return literalOf(n) === false;
}

function text(node: Node): string {
  const v = literalOf(node);
  if (typeof v === 'string') return v;
  if (v !== undefined) return String(v);
  return exprText(node);
}

/** Reads `{ timeout: '30s', when: c => … }`; an options argument that is not an object literal is kept opaque. */
export function readOptions(node: Node | undefined): OptionsModel {
  if (node === undefined) return { other: {} };
  const o = unwrap(node);
  if (!Node.isObjectLiteralExpression(o)) return { other: {}, opaque: exprText(o) };
  const out: { -readonly [K in keyof OptionsModel]: OptionsModel[K] } = { other: {} };
  const other: Record<string, string> = {};
  for (const p of o.getProperties()) {
    let name: string;
    let value: Node | undefined;
    if (Node.isPropertyAssignment(p)) {
      name = p.getName().replace(/^['"]|['"]$/g, '');
      value = p.getInitializer();
    } else if (Node.isShorthandPropertyAssignment(p)) {
      name = p.getName();
      value = p.getNameNode();
    } else if (Node.isMethodDeclaration(p)) {
      name = p.getName();
      value = p;
    } else {
      other[exprText(p)] = exprText(p);
      continue;
    }
    if (value === undefined) continue;
    if (!(KNOWN as readonly string[]).includes(name)) {
      other[name] = text(value);
      continue;
    }
    const key = name as Known;
    switch (key) {
      case 'timeout':
      case 'estimate':
        out[key] = durationText(value);
        break;
      case 'when':
        out.when = Node.isMethodDeclaration(value) ? exprText(value) : lazyText(value);
        if (neverHolds(value)) out.whenNever = true;
        break;
      case 'parse':
      case 'expect':
        out[key] = exprText(value);
        break;
      default:
        out[key] = text(value);
    }
  }
  out.other = other;
  return out;
}
