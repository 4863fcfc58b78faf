/**
 * Reads an action expression generically: the builder as written (callee text) and its literal
 * arguments, with targeted extraction for `sh`/`ssh` templates (the command as written, `${…}` shown
 * as the expression) and for promotions (precheck → fence → action → verify). New builders need no
 * change here: `k8s.scale('deploy/x', 0)` reads as callee `k8s.scale`, target `deploy/x`.
 */
import { Node } from 'ts-morph';
import type { ActionModel } from '../model.js';
import { shellQuote } from '../../interpreter/shell-quote.js';
import { calleeReadOnly, destructiveInCallee, destructiveInCommand } from './effects.js';
import { maskSecrets } from './secrets.js';
import { exprText, lazyText, literalOf, literalString, property, resolveConst, unwrap, valueText } from './values.js';

/** Object properties that name where an action acts, in order of preference. */
const TARGET_KEYS = ['target', 'host', 'hosts', 'url', 'dsn', 'standby', 'primary', 'node', 'cluster', 'resource', 'deployment', 'statefulset', 'name', 'service', 'endpoint', 'namespace'];
const PROMOTION_ROLES = ['precheck', 'fence', 'action', 'promote', 'verify'];

interface Template {
  /** As a reviewer reads it: literal interpolations inlined (shell-quoted), others as `${expr}`. */
  readonly text: string;
  /** Literal parts only (interpolations as `$X`): what the destructive scan reads. */
  readonly scan: string;
}

function readTemplate(node: Node): Template {
  const t = unwrap(node);
  if (Node.isNoSubstitutionTemplateLiteral(t)) return { text: t.getLiteralText(), scan: t.getLiteralText() };
  if (!Node.isTemplateExpression(t)) return { text: exprText(t), scan: '' };
  let text = t.getHead().getLiteralText();
  let scan = text;
  for (const span of t.getTemplateSpans()) {
    const e = unwrap(span.getExpression());
    const lit = literalOf(e);
    if (lit !== undefined && lit !== null) {
      const s = String(lit);
      text += shellQuote(s);
      scan += shellQuote(s);
    } else if (Node.isCallExpression(e) && /\.raw$/.test(e.getExpression().getText()) && literalString(e.getArguments()[0]) !== undefined) {
      const raw = literalString(e.getArguments()[0]) ?? '';
      text += raw;
      scan += raw;
    } else {
      text += `\${${lazyText(e)}}`;
      scan += ' $X ';
    }
    const lit2 = span.getLiteral().getLiteralText();
    text += lit2;
    scan += lit2;
  }
  return { text, scan };
}

/** A target as text: a literal as is, a lazy value as `${expr}`, an object by its target-ish property. */
function targetText(arg: Node | undefined): string | undefined {
  if (arg === undefined) return undefined;
  const a = unwrap(arg);
  const lit = literalOf(a);
  if (typeof lit === 'string') return maskSecrets(lit);
  if (lit !== undefined) return undefined;
  if (Node.isObjectLiteralExpression(a)) {
    const host = property(a, 'host');
    if (host !== undefined) {
      // An ssh-like target: [user@]host[:port]
      const part = (n: Node | undefined): string | undefined => (n === undefined ? undefined : targetText(n) ?? exprText(n));
      const user = part(property(a, 'user'));
      const port = literalOf(property(a, 'port')) ?? (property(a, 'port') ? part(property(a, 'port')) : undefined);
      return `${user ? `${user}@` : ''}${part(host) ?? '?'}${port !== undefined ? `:${String(port)}` : ''}`;
    }
    for (const key of TARGET_KEYS) {
      const v = property(a, key);
      if (v !== undefined) return targetText(v);
    }
    return undefined;
  }
  if (Node.isArrayLiteralExpression(a)) {
    const items = a.getElements().map((e) => targetText(e) ?? `\${${lazyText(e)}}`);
    return items.join(', ');
  }
  if (Node.isArrowFunction(a) || Node.isIdentifier(a) || Node.isPropertyAccessExpression(a) || Node.isTemplateExpression(a)) return `\${${lazyText(a)}}`;
  return undefined;
}

function hasReplicasZero(args: readonly Node[]): boolean {
  return args.some((a) => literalOf(property(a, 'replicas')) === 0);
}

function make(p: Partial<ActionModel> & Pick<ActionModel, 'callee' | 'text' | 'source'>): ActionModel {
  return {
    command: undefined, target: undefined, parts: [], hasFence: false, readOnly: false, destructive: [],
    ...p,
  };
}

/** Reads an action expression (a builder call, a tagged template, or a const holding one). */
export function readAction(node: Node, depth = 0): ActionModel {
  const n = unwrap(node);
  const source = exprText(n);
  if (depth < 4 && Node.isIdentifier(n)) {
    const init = resolveConst(n);
    if (init !== undefined) {
      // Keep what the const holds in `source`, so a change to it shows in a diff.
      const inner = readAction(init, depth + 1);
      return { ...inner, source: `${source} = ${inner.source}` };
    }
  }
  if (Node.isTaggedTemplateExpression(n)) return readTagged(n.getTag(), n.getTemplate(), source);
  if (Node.isCallExpression(n)) return readCall(n, source, depth);
  return make({ callee: source, text: source, source });
}

function readTagged(tag: Node, template: Node, source: string): ActionModel {
  const t = readTemplate(template);
  const command = maskSecrets(t.text);
  const destructive = destructiveInCommand(t.scan);
  let tg = unwrap(tag);
  // const standby = ssh({ host: … }); standby`systemctl stop vault`
  const held = Node.isIdentifier(tg) ? resolveConst(tg) : undefined;
  if (held !== undefined && Node.isCallExpression(unwrap(held))) tg = unwrap(held);
  if (Node.isCallExpression(tg)) {
    // ssh(target)`cmd`, ssh.each(targets)`cmd`, or any builder that takes its target first.
    const callee = exprText(tg.getExpression());
    const args = tg.getArguments();
    const target = targetText(args[0]);
    const prefix = callee === 'ssh' ? `ssh ${target ?? '?'}` : `${callee}(${args.map(valueText).join(', ')})`;
    return make({ callee, text: `${prefix}: ${command}`, command, target, destructive, source, readOnly: false });
  }
  const callee = exprText(tg);
  return make({ callee, text: `${callee}: ${command}`, command, destructive, source });
}

function readCall(call: Node & { getExpression(): Node; getArguments(): Node[] }, source: string, depth: number): ActionModel {
  const callee = exprText(call.getExpression());
  const args = call.getArguments();
  if (callee === 'fn') {
    const opts = args[1];
    const readOnly = literalOf(property(opts, 'readOnly')) === true;
    const label = literalString(property(opts, 'label'));
    const body = args[0] === undefined ? undefined : unwrap(args[0]);
    const name = label ?? (body && Node.isFunctionExpression(body) ? body.getName() : undefined) ?? 'custom code';
    return make({ callee, text: `fn: ${name}${readOnly ? ' (read-only)' : ''}`, readOnly, source });
  }
  // A promotion in any form: an object argument with precheck / fence / action / verify actions.
  const parts: { role: string; action: ActionModel }[] = [];
  let hasFence = false;
  for (const a of args) {
    if (property(a, 'fence') !== undefined) hasFence = true;
    for (const role of PROMOTION_ROLES) {
      const v = property(a, role);
      if (v === undefined || depth >= 4) continue;
      const inner = unwrap(v);
      if (Node.isTaggedTemplateExpression(inner) || Node.isCallExpression(inner) || Node.isIdentifier(inner)) parts.push({ role, action: readAction(inner, depth + 1) });
    }
  }
  const target = targetText(args[0]);
  // A command in the call: the first literal string after the target (SQL, a redis command, a script).
  const rest = target === undefined ? args : args.slice(1);
  const commandArg = rest.find((a) => typeof literalOf(a) === 'string');
  // Or an action passed in (ssh.each(hosts, sh`uptime`)): its command is this one's.
  const nested = commandArg === undefined && depth < 4 ? rest.map(unwrap).find((a) => Node.isTaggedTemplateExpression(a)) : undefined;
  const inner = nested === undefined ? undefined : readAction(nested, depth + 1);
  const rawCommand = commandArg === undefined ? undefined : (literalOf(commandArg) as string);
  const command = rawCommand === undefined ? inner?.command : maskSecrets(rawCommand);
  const literalArgs = args.map((a) => literalOf(a));
  const destructive = [
    ...destructiveInCallee(callee, literalArgs, hasReplicasZero(args)),
    ...(rawCommand === undefined ? [] : destructiveInCommand(rawCommand)),
    ...parts.filter((p) => p.role !== 'precheck' && p.role !== 'verify').flatMap((p) => p.action.destructive),
    ...(inner?.destructive ?? []),
  ];
  const text = parts.length > 0
    ? `${callee}: ${parts.map((p) => `${p.role} ${p.action.text}`).join(' → ')}`
    : `${callee}(${args.map(valueText).join(', ')})`;
  return make({
    callee, text, command, target, parts, hasFence: hasFence || parts.some((p) => p.role === 'fence'),
    readOnly: calleeReadOnly(callee), destructive: [...new Set(destructive)], source,
  });
}
