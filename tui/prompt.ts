// What the operator is being asked, and what each key does to it: pure, so every key path is testable.
import type { FailureDecision } from '../interpreter/engine/prompter.js';

export type Prompt =
  | { readonly kind: 'confirm'; readonly stepId: string; readonly question: string; readonly description: string | null }
  | {
      readonly kind: 'failure'; readonly stepId: string; readonly error: string; readonly attempts: number;
      /** menu: r/s/d/a; reason/note: typing the required text; abort: "really abort?" */
      readonly stage: 'menu' | 'reason' | 'note' | 'abort'; readonly text: string;
    }
  /** `q`: stop the run here? (from a confirm or with no question open: the run is interrupted, resumable). */
  | { readonly kind: 'quit'; readonly stepId: null; readonly back: Prompt | null };

export interface KeyInfo {
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

export type KeyOutcome =
  | { readonly type: 'none' }
  | { readonly type: 'prompt'; readonly prompt: Prompt | null }
  | { readonly type: 'confirm'; readonly answer: boolean }
  | { readonly type: 'decide'; readonly decision: FailureDecision }
  | { readonly type: 'interrupt' }
  | { readonly type: 'help'; readonly open: boolean };

const NONE: KeyOutcome = { type: 'none' };

export function handleKey(prompt: Prompt | null, help: boolean, input: string, key: KeyInfo): KeyOutcome {
  if (key.ctrl && input === 'c') return { type: 'interrupt' };
  const typing = prompt?.kind === 'failure' && (prompt.stage === 'reason' || prompt.stage === 'note');
  if (typing) return typeText(prompt, input, key);
  if (help) return input === '?' || key.escape || input === 'q' ? { type: 'help', open: false } : NONE;
  if (input === '?') return { type: 'help', open: true };
  const k = input.toLowerCase();
  if (prompt === null) return k === 'q' ? { type: 'prompt', prompt: { kind: 'quit', stepId: null, back: null } } : NONE;
  switch (prompt.kind) {
    case 'confirm':
      if (k === 'y') return { type: 'confirm', answer: true };
      if (k === 'n') return { type: 'confirm', answer: false };
      if (k === 'q') return { type: 'prompt', prompt: { kind: 'quit', stepId: null, back: prompt } };
      return NONE;
    case 'quit':
      if (k === 'y') return { type: 'interrupt' };
      if (k === 'n' || key.escape) return { type: 'prompt', prompt: prompt.back };
      return NONE;
    case 'failure':
      if (prompt.stage === 'abort') {
        if (k === 'y') return { type: 'decide', decision: { choice: 'abort' } };
        if (k === 'n' || key.escape) return { type: 'prompt', prompt: { ...prompt, stage: 'menu' } };
        return NONE;
      }
      if (k === 'r') return { type: 'decide', decision: { choice: 'retry' } };
      if (k === 's') return { type: 'prompt', prompt: { ...prompt, stage: 'reason', text: '' } };
      if (k === 'd') return { type: 'prompt', prompt: { ...prompt, stage: 'note', text: '' } };
      if (k === 'a' || k === 'q') return { type: 'prompt', prompt: { ...prompt, stage: 'abort' } };
      return NONE;
  }
}

function typeText(prompt: Extract<Prompt, { kind: 'failure' }>, input: string, key: KeyInfo): KeyOutcome {
  if (key.escape) return { type: 'prompt', prompt: { ...prompt, stage: 'menu', text: '' } };
  if (key.return) {
    const text = prompt.text.trim();
    if (text === '') return NONE;
    return { type: 'decide', decision: prompt.stage === 'reason' ? { choice: 'skip', reason: text } : { choice: 'done', note: text } };
  }
  if (key.backspace || key.delete) return { type: 'prompt', prompt: { ...prompt, text: [...prompt.text].slice(0, -1).join('') } };
  if (key.ctrl || key.meta) return NONE;
  // Printable text only (a paste may bring several characters at once).
  const printable = input.replace(/[\x00-\x1f\x7f]/g, '');
  if (printable === '') return NONE;
  return { type: 'prompt', prompt: { ...prompt, text: (prompt.text + printable).slice(0, 500) } };
}
