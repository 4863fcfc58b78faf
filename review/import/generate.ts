/** ImportedRunbook → a formatted TypeScript module, built with ts-morph. */
import { parseSource, forgetSource } from '../project.js';
import { camel } from './ids.js';
import type { ImportedRunbook, ImportedStep } from './outline.js';

export interface GenerateOptions {
  /** Where the Markdown came from (a comment at the top). */
  readonly source: string;
  /** `sh\`ssh host …\`` instead of the `ssh(host)` DSL. */
  readonly plainSsh?: boolean;
}

/** A single-quoted string literal. */
export function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** A template literal without interpolations: for multi-line text. */
function tpl(s: string): string {
  return `\`${templateText(s)}\``;
}

function templateText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

const text = (s: string): string => (s.includes('\n') ? tpl(s) : q(s));

const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9_-]*)>/g;

class Params {
  readonly names = new Map<string, string>();
  /** `<tg-arn>` → `tgArn`, remembered for the params block. */
  name(placeholder: string): string {
    const n = camel(placeholder);
    this.names.set(n, placeholder);
    return n;
  }
  lazy(placeholder: string): string {
    return `\${(c) => c.params.${this.name(placeholder)}}`;
  }
}

/** Command text for a sh/ssh template: escaped, with `<name>` placeholders as params. */
function commandTemplate(command: string, params: Params): string {
  let out = '';
  let last = 0;
  for (const m of command.matchAll(PLACEHOLDER)) {
    out += templateText(command.slice(last, m.index)) + params.lazy(m[1] ?? '');
    last = (m.index ?? 0) + m[0].length;
  }
  return out + templateText(command.slice(last));
}

function hostArg(host: string, params: Params): string {
  const m = /^<([A-Za-z][A-Za-z0-9_-]*)>$/.exec(host);
  return m?.[1] ? `(c) => c.params.${params.name(m[1])}` : q(host);
}

function action(s: ImportedStep, params: Params, o: GenerateOptions, used: Set<string>): string {
  const cmd = s.command ?? '';
  if (s.host !== undefined && !s.interactive && !o.plainSsh) {
    used.add('ssh');
    return `ssh(${hostArg(s.host, params)})\`${commandTemplate(cmd, params)}\``;
  }
  used.add('sh');
  if (s.host !== undefined) {
    // An interactive remote command needs a terminal on the far side: ssh -t, run in the operator's terminal.
    const host = /^<([A-Za-z][A-Za-z0-9_-]*)>$/.test(s.host) ? params.lazy(s.host.slice(1, -1)) : templateText(s.host);
    return `sh\`ssh${s.interactive ? ' -t' : ''} ${host} \${${text(cmd)}}\``;
  }
  return `sh\`${commandTemplate(cmd, params)}\``;
}

function options(s: ImportedStep): string {
  const props: string[] = [];
  if (s.description) props.push(`description: ${text(s.description)}`);
  if (s.interactive) props.push('interactive: true');
  if (s.onNo) props.push(`onNo: ${q(s.onNo)}`);
  if (s.when) props.push(`when: (c) => c.steps[${q(s.when.step)}].value ${s.when.value ? '===' : '!=='} true`);
  return props.length ? `, { ${props.join(', ')} }` : '';
}

function stepCall(s: ImportedStep, params: Params, o: GenerateOptions, used: Set<string>): string {
  if (s.kind === 'confirm') return `.confirm(${q(s.id)}, ${q(s.title)}${options(s)})`;
  return `.${s.kind}(${q(s.id)}, ${q(s.title)}, ${action(s, params, o, used)}${options(s)})`;
}

export function generateModule(rb: ImportedRunbook, o: GenerateOptions): string {
  const params = new Params();
  const used = new Set<string>(['runbook']);
  const chain: string[] = [];
  for (const phase of rb.phases) {
    chain.push(`.phase(${q(phase.title)})`);
    for (const s of phase.steps) chain.push(stepCall(s, params, o, used));
  }
  const meta: string[] = [`title: ${q(rb.title)}`];
  if (rb.description) meta.push(`description: ${text(rb.description)}`);
  if (rb.rto) meta.push(`rto: ${q(rb.rto)}`);
  if (params.names.size) {
    used.add('param');
    const decls = [...params.names].map(([n, ph]) => `${n}: param.string({ description: ${q(`the <${ph}> placeholder of the imported Markdown; give it with -p ${n}=…`)} })`);
    meta.push(`params: {\n${decls.join(',\n')},\n}`);
  }
  const names = ['runbook', 'param', 'sh', 'ssh'].filter((n) => used.has(n));
  const body = [
    `// Imported from ${o.source} by "runbook import". Review it before a live run:`,
    '// "runbook plan" and "runbook lint" show what it will do, "runbook run --dry-run" renders it.',
    `import { ${names.join(', ')} } from 'runbook';`,
    '',
    `export default runbook(${q(rb.id)}, {\n${meta.join(',\n')},\n})\n${chain.join('\n')};`,
    '',
  ].join('\n');
  const sf = parseSource(`/generated/${rb.id}.ts`, body);
  try {
    sf.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
    return sf.getFullText();
  } finally {
    forgetSource(sf);
  }
}
