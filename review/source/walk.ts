/**
 * Walks the raw TypeScript syntax tree under a ts-morph file. ts-morph's getDescendantsOfKind wraps
 * every node and materialises tokens; over a hundred runbooks that costs seconds, this costs
 * milliseconds.
 */
import { ts, type SourceFile } from 'ts-morph';

/** Calls `visit` for every node; returning false skips the node's children. */
export function walkSyntax(sf: SourceFile, visit: (node: ts.Node) => boolean | void): void {
  const go = (node: ts.Node): void => {
    if (visit(node) === false) return;
    ts.forEachChild(node, go);
  };
  ts.forEachChild(sf.compilerNode, go);
}

export function lineAndColumn(sf: SourceFile, node: ts.Node): { line: number; column: number } {
  const raw = sf.compilerNode;
  const p = raw.getLineAndCharacterOfPosition(node.getStart(raw));
  return { line: p.line + 1, column: p.character + 1 };
}

export { ts };
