/** Source → RunbookModel, without running anything: works on runbooks that would fail at run time. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { SourceFile } from 'ts-morph';
import { UsageError } from '../../interpreter/errors.js';
import type { PhaseModel, RunbookModel, SourceNote, StepModel } from '../model.js';
import { forgetSource, parseSource, syntaxErrors } from '../project.js';
import { findChain } from './chain.js';
import { readMeta } from './meta.js';
import { isStepKind, STEP_HANDLERS } from './steps.js';
import { exprText, literalOf, posOf } from './values.js';

export function modelOf(file: string, sf: SourceFile): RunbookModel | undefined {
  const chain = findChain(sf);
  if (chain === undefined) return undefined;
  const notes: SourceNote[] = [...chain.notes];
  for (const e of syntaxErrors(sf)) notes.push({ message: `syntax error: ${e.message}`, pos: { line: e.line, column: 1 } });
  const [idArg, metaArg] = chain.root.getArguments();
  const idLit = literalOf(idArg);
  const meta = readMeta(metaArg);
  const steps: StepModel[] = [];
  const phases: PhaseModel[] = [];
  let phase: string | undefined;
  for (const { method, call } of chain.calls) {
    const args = call.getArguments();
    const at = posOf(call.getExpression().getLastChildOrThrow());
    if (method === 'phase') {
      const t = literalOf(args[0]);
      phase = t === undefined ? (args[0] ? exprText(args[0]) : '(missing)') : String(t);
      phases.push({ title: phase, pos: at });
      continue;
    }
    if (!isStepKind(method)) {
      notes.push({ message: `.${method}(…) is not a step the review knows; it is left out`, pos: at });
      continue;
    }
    const handler = STEP_HANDLERS[method];
    const id = literalOf(args[0]);
    const parts = handler.read(args.slice(1));
    steps.push({
      kind: method,
      id: typeof id === 'string' ? id : args[0] ? exprText(args[0]) : '(missing)',
      idIsLiteral: typeof id === 'string',
      title: parts.title,
      phase,
      index: steps.length,
      pos: at,
      action: parts.action,
      message: parts.message,
      options: parts.options,
      mutating: handler.mutating(parts.action),
    });
  }
  return {
    file,
    id: typeof idLit === 'string' ? idLit : idArg ? exprText(idArg) : '(missing)',
    ...meta,
    phases,
    steps,
    notes,
    pos: posOf(chain.root),
  };
}

/** The model of a runbook source, or undefined when the module does not export a runbook chain. */
export function tryAnalyseSource(file: string, text: string): RunbookModel | undefined {
  return withSource(file, text, (_, model) => model);
}

/** Parses once, hands the syntax tree and the model (undefined: not a runbook) to `fn`, then frees the tree. */
export function withSource<T>(file: string, text: string, fn: (sf: SourceFile, model: RunbookModel | undefined) => T): T {
  const sf = parseSource(file, text);
  try {
    return fn(sf, modelOf(file, sf));
  } finally {
    forgetSource(sf);
  }
}

export function notARunbook(file: string): UsageError {
  return new UsageError(
    `${file} is not a runbook: its default export is not a runbook('id', { title }) builder chain. ` +
      'Static review reads `export default runbook(…).phase(…).check(…)…` (also through a variable); give a runbook module.',
  );
}

export function analyseSource(file: string, text: string): RunbookModel {
  const model = tryAnalyseSource(file, text);
  if (model === undefined) throw notARunbook(file);
  return model;
}

export function readSourceFile(file: string): string {
  if (!existsSync(file)) {
    const where = isAbsolute(file) ? '' : ` (it is relative to ${process.cwd()})`;
    throw new UsageError(`File not found: ${file}. Check the path${where}.`);
  }
  if (statSync(file).isDirectory()) throw new UsageError(`${file} is a directory; give a runbook file.`);
  return readFileSync(file, 'utf8');
}

export function analyseFile(file: string): RunbookModel {
  return analyseSource(file, readSourceFile(file));
}
