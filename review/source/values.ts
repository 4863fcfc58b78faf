/** Reading values out of syntax: literals when the source states them, expression text otherwise. */
import { Node, SyntaxKind } from 'ts-morph';
import type { SourcePos, StaticValue } from '../model.js';
import { maskSecrets } from './secrets.js';

/** Strips what does not change a value: parentheses, `as`, `satisfies`, `!`, `<T>x`. */
export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    if (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n) || Node.isNonNullExpression(n) || Node.isTypeAssertion(n)) {
      n = n.getExpression();
    } else return n;
  }
}

/** A literal's value, or undefined when the node is not a literal (a string, number, boolean or null). */
export function literalOf(node: Node | undefined): string | number | boolean | null | undefined {
  if (node === undefined) return undefined;
  const n = unwrap(node);
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralValue();
  if (Node.isNumericLiteral(n)) return n.getLiteralValue();
  if (Node.isTrueLiteral(n)) return true;
  if (Node.isFalseLiteral(n)) return false;
  if (Node.isNullLiteral(n)) return null;
  if (Node.isPrefixUnaryExpression(n) && n.getOperatorToken() === SyntaxKind.MinusToken) {
    const v = literalOf(n.getOperand());
    return typeof v === 'number' ? -v : undefined;
  }
  if (Node.isBinaryExpression(n) && n.getOperatorToken().getText() === '+') {
    const l = literalOf(n.getLeft());
    const r = literalOf(n.getRight());
    if (typeof l === 'string' && (typeof r === 'string' || typeof r === 'number')) return l + String(r);
    if (typeof l === 'number' && typeof r === 'string') return String(l) + r;
  }
  return undefined;
}

export function literalString(node: Node | undefined): string | undefined {
  const v = literalOf(node);
  return typeof v === 'string' ? v : undefined;
}

/** Source text on one line (whitespace runs collapsed), secrets in URLs masked. */
export function exprText(node: Node): string {
  return maskSecrets(node.getText().replace(/\s+/g, ' ').trim());
}

/** For a lazy value `c => c.params.host` the body (`c.params.host`); otherwise the expression text. */
export function lazyText(node: Node): string {
  const n = unwrap(node);
  if (Node.isArrowFunction(n)) {
    const body = n.getBody();
    if (!Node.isBlock(body)) return exprText(unwrap(body));
  }
  return exprText(n);
}

export function staticValue(node: Node): StaticValue {
  const v = literalOf(node);
  if (v !== undefined) return { known: true, value: v, text: typeof v === 'string' ? maskSecrets(v) : String(v) };
  return { known: false, text: lazyText(node) };
}

/** How a value reads in a rendered call: literals quoted, lazy values as `${expr}`. */
export function valueText(node: Node): string {
  const n = unwrap(node);
  const v = literalOf(n);
  if (typeof v === 'string') return JSON.stringify(maskSecrets(v));
  if (v !== undefined) return String(v);
  if (Node.isArrowFunction(n) || Node.isFunctionExpression(n)) return `\${${lazyText(n)}}`;
  if (Node.isObjectLiteralExpression(n)) {
    const props = n.getProperties().map((p) => {
      if (Node.isPropertyAssignment(p)) {
        const init = p.getInitializer();
        return `${p.getName()}: ${init ? valueText(init) : '?'}`;
      }
      return exprText(p);
    });
    return props.length ? `{ ${props.join(', ')} }` : '{}';
  }
  if (Node.isArrayLiteralExpression(n)) return `[${n.getElements().map(valueText).join(', ')}]`;
  return exprText(n);
}

export function posOf(node: Node): SourcePos {
  const sf = node.getSourceFile();
  const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
  return { line, column };
}

/** The property `name` of an object literal (a plain `name: value` or shorthand), or undefined. */
export function property(obj: Node | undefined, name: string): Node | undefined {
  if (obj === undefined) return undefined;
  const o = unwrap(obj);
  if (!Node.isObjectLiteralExpression(o)) return undefined;
  const p = o.getProperty(name);
  if (p === undefined) return undefined;
  if (Node.isPropertyAssignment(p)) return p.getInitializer();
  if (Node.isShorthandPropertyAssignment(p)) return p.getNameNode();
  if (Node.isMethodDeclaration(p)) return p;
  return undefined;
}

/** Follows an identifier to a `const x = …` initialiser in the same file (one hop per call). */
export function resolveConst(node: Node): Node | undefined {
  const n = unwrap(node);
  if (!Node.isIdentifier(n)) return undefined;
  const name = n.getText();
  const sf = n.getSourceFile();
  const decl = sf.getVariableDeclaration(name);
  if (decl === undefined) return undefined;
  const init = decl.getInitializer();
  return init === undefined || init === node ? undefined : init;
}
