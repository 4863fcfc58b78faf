import { findSecrets, isPlaceholder } from '../../source/secrets.js';
import { lineAndColumn, ts, walkSyntax } from '../../source/walk.js';
import type { Rule, RuleHit } from '../types.js';

/** Property names whose literal string value is a credential. */
const SECRET_NAME = /(?:^|_|-|[a-z])(?:password|passwd|pwd|secret|token|api_?key|apikey|private_?key|routing_?key|routingkey|integration_?key|credentials?)$/i;

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) ? name.text : undefined;
}

export const literalSecret: Rule = {
  id: 'literal-secret',
  rationale: 'A secret in source is in git history, in every clone and in CI logs for good; rotating it is the only fix.',
  fix: 'Declare a param.secret({ env: \'…\' }) and use c => c.params.x; rotate the exposed value.',
  severity: 'error',
  check({ source }) {
    const hits: RuleHit[] = [];
    const seen = new Set<string>();
    const add = (node: ts.Node, what: string): void => {
      const pos = lineAndColumn(source, node);
      const key = `${pos.line}:${what}`;
      if (seen.has(key)) return;
      seen.add(key);
      hits.push({ message: `${what} is written in the source`, pos });
    };
    walkSyntax(source, (node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return false;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        for (const hit of findSecrets(node.text)) add(node, hit.pattern.label);
      } else if (ts.isCallExpression(node) && /pagerduty/i.test(node.expression.getText(source.compilerNode))) {
        // notify.pagerduty('<32-character routing key>')
        for (const arg of node.arguments) {
          if ((ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) && /^[A-Za-z0-9]{32}$/.test(arg.text)) add(arg, 'a PagerDuty routing key');
        }
      } else if (ts.isPropertyAssignment(node)) {
        const name = propertyName(node.name);
        const init = node.initializer;
        if (name !== undefined && SECRET_NAME.test(name) && (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) && !isPlaceholder(init.text)) {
          add(init, `a literal value for "${name}"`);
        }
      }
      return true;
    });
    return hits.sort((a, b) => a.pos.line - b.pos.line);
  },
};
