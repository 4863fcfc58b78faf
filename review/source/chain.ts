/**
 * Finds the builder chain a runbook module exports: `export default runbook(id, meta).phase(…).check(…)…`,
 * also through a variable (`const rb = runbook(…)…; export default rb.exec(…)`) and through top-level
 * reassignments (`let b = runbook(…); b = b.exec(…) as typeof b; export default b`).
 */
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import type { SourceNote } from '../model.js';
import { lineAndColumn, ts, walkSyntax } from './walk.js';
import { posOf, unwrap } from './values.js';

export interface ChainCall {
  readonly method: string;
  readonly call: CallExpression;
}

export interface Chain {
  readonly root: CallExpression;
  readonly calls: readonly ChainCall[];
  readonly notes: readonly SourceNote[];
}

/** Local names bound to the DSL's `runbook` (it may be imported under another name). */
function runbookNames(sf: SourceFile): Set<string> {
  const names = new Set<string>(['runbook']);
  for (const imp of sf.getImportDeclarations()) {
    for (const spec of imp.getNamedImports()) {
      if (spec.getName() === 'runbook') names.add(spec.getAliasNode()?.getText() ?? 'runbook');
    }
  }
  return names;
}

function defaultExport(sf: SourceFile): Node | undefined {
  const assignment = sf.getExportAssignment((e) => !e.isExportEquals());
  if (assignment) return assignment.getExpression();
  // export { x as default }
  for (const decl of sf.getExportDeclarations()) {
    for (const spec of decl.getNamedExports()) {
      if (spec.getAliasNode()?.getText() === 'default' && !decl.getModuleSpecifier()) return spec.getNameNode();
    }
  }
  return undefined;
}

class ChainReader {
  readonly calls: ChainCall[] = [];
  readonly notes: SourceNote[] = [];
  root: CallExpression | undefined;
  readonly #names: Set<string>;
  readonly #seen = new Set<string>();
  constructor(readonly sf: SourceFile) {
    this.#names = runbookNames(sf);
  }

  /** Walks `expr` down to its root and records its method calls in order. `self` stops at a reassigned variable. */
  walk(expr: Node, self?: string): boolean {
    const n = unwrap(expr);
    if (Node.isCallExpression(n)) {
      const callee = unwrap(n.getExpression());
      if (Node.isPropertyAccessExpression(callee)) {
        if (!this.walk(callee.getExpression(), self)) return false;
        this.calls.push({ method: callee.getName(), call: n });
        return true;
      }
      if (Node.isIdentifier(callee) && this.#names.has(callee.getText())) {
        this.root = n;
        return true;
      }
      return false;
    }
    if (Node.isIdentifier(n)) {
      if (n.getText() === self) return true;
      return this.variable(n.getText(), n);
    }
    return false;
  }

  /** A chain held in a top-level variable, with its later `x = x.step(…)` reassignments. */
  variable(name: string, use: Node): boolean {
    if (this.#seen.has(name)) return false;
    this.#seen.add(name);
    const decl = this.sf.getVariableDeclaration(name);
    const init = decl?.getInitializer();
    if (decl === undefined || init === undefined || !this.walk(init)) return false;
    const usedAt = use.getStart();
    for (const stmt of this.sf.getStatements()) {
      if (stmt.getStart() >= usedAt) break;
      if (!Node.isExpressionStatement(stmt)) continue;
      const e = unwrap(stmt.getExpression());
      if (Node.isBinaryExpression(e) && e.getOperatorToken().getKind() === SyntaxKind.EqualsToken && unwrap(e.getLeft()).getText() === name) {
        if (!this.walk(e.getRight(), name)) this.notes.push({ message: `"${name}" is reassigned to something that is not its own chain; steps after it may be missing here`, pos: posOf(stmt) });
      }
    }
    // Steps added in loops or branches cannot be listed statically: say so rather than show a partial plan silently.
    const top = new Set(this.sf.compilerNode.statements);
    walkSyntax(this.sf, (node) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && node.left.text === name) {
        const topLevel = ts.isExpressionStatement(node.parent) && top.has(node.parent);
        if (!topLevel) this.notes.push({ message: `steps added to "${name}" inside a loop or a branch are not listed by static review`, pos: lineAndColumn(this.sf, node) });
      }
      return true;
    });
    return true;
  }
}

/** The runbook chain of the module's default export, or undefined when the module exports none. */
export function findChain(sf: SourceFile): Chain | undefined {
  const exported = defaultExport(sf);
  if (exported === undefined) return undefined;
  const r = new ChainReader(sf);
  if (!r.walk(exported) || r.root === undefined) return undefined;
  return { root: r.root, calls: r.calls, notes: r.notes };
}
