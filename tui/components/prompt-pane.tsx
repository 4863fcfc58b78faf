import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { Prompt } from '../prompt.js';
import { wrapLines } from '../format.js';
import { T } from './theme.js';

const HELP = [
  'keys',
  '  y / n      answer a confirmation',
  '  r          retry a failed step',
  '  s          skip it (asks a reason, recorded)',
  '  d          mark it done by hand (asks a note, recorded)',
  '  a          abort the run (asks first; resume later)',
  '  q          stop the run here (asks first; resumable)',
  '  Ctrl-C     interrupt now: the command is killed, the step journaled',
  '  ?          this help (any of ? q Esc closes it)',
];

/** Lines of a description: **bold** spans rendered bold, at most `max` lines. */
function Markdown({ text, max }: { readonly text: string; readonly max: number }): ReactNode {
  return (
    <>
      {text.split('\n').slice(0, max).map((line, i) => (
        <T key={i}>
          {'  '}
          {line.split('**').map((part, j) => <T key={j} bold={j % 2 === 1}>{part}</T>)}
        </T>
      ))}
    </>
  );
}

const CONFIRM_KEYS = ' [y] yes  [n] no';
const MENU = ['[r] retry  [s] skip  [d] done by hand  [a] abort  ? help', '[r] retry  [s] skip  [d] done by hand  [a] abort', '[r]etry [s]kip [d]one by hand [a]bort'];

/** A question too long to keep its keys on the same line gets them on a line of their own. */
function confirmSplit(question: string, width: number): boolean {
  return `? ${question}${CONFIRM_KEYS}`.length > width;
}

/** Lines the prompt pane takes at this width (the layout gives the rest to the checklist). */
/** A long question wraps (up to 3 lines) instead of being cut: the gate's conditions are often at its end. */
function questionLines(question: string, width: number): string[] {
  return Number.isFinite(width) ? wrapLines(`? ${question}`, width, 3) : [`? ${question}`];
}

export function promptHeight(prompt: Prompt | null, help: boolean, width = Infinity): number {
  if (help) return HELP.length;
  if (!prompt) return 1;
  if (prompt.kind === 'confirm') {
    const q = confirmSplit(prompt.question, width) ? questionLines(prompt.question, width).length + 1 : 1;
    return q + Math.min(3, prompt.description ? prompt.description.split('\n').length : 0);
  }
  return 2;
}

/** The question being asked, or the key hints. */
export function PromptPane({ prompt, help, width, watching = false }: { readonly prompt: Prompt | null; readonly help: boolean; readonly width: number; readonly watching?: boolean }): ReactNode {
  if (watching) return <T dim>watching (read-only) · q stop watching · the run goes on</T>;
  if (help) return <Box flexDirection="column" width={width}>{HELP.map((l, i) => <T key={i} bold={i === 0}>{l}</T>)}</Box>;
  if (!prompt) return <T dim>? keys · q stop · Ctrl-C interrupt</T>;
  switch (prompt.kind) {
    case 'confirm':
      return (
        <Box flexDirection="column" width={width}>
          {confirmSplit(prompt.question, width) ? (
            <>
              {questionLines(prompt.question, width).map((l, i) => <T key={i} tone="yellow" bold>{l}</T>)}
              <T>{'  '}<T bold>[y]</T>{' yes  '}<T bold>[n]</T>{' no'}</T>
            </>
          ) : (
            <T>
              <T tone="yellow" bold>{`? ${prompt.question} `}</T>
              <T bold>[y]</T>{' yes  '}<T bold>[n]</T>{' no'}
            </T>
          )}
          {prompt.description && <Markdown text={prompt.description} max={3} />}
        </Box>
      );
    case 'quit':
      return (
        <Box flexDirection="column" width={width}>
          <T><T tone="yellow" bold>Stop the run here? </T><T bold>[y]</T>{' stop  '}<T bold>[n]</T>{' back'}</T>
          <T dim>The step in flight is interrupted and journaled; resume later.</T>
        </Box>
      );
    case 'failure': {
      const head = <T tone="red" bold>{`✖ ${prompt.stepId} failed${prompt.attempts > 1 ? ` (${prompt.attempts} attempts)` : ''}: ${prompt.error}`}</T>;
      let line: ReactNode;
      if (prompt.stage === 'menu') {
        // The keys must stay readable in a narrow pane: shorter forms before anything is cut.
        line = <T bold>{MENU.find((m) => m.length <= width) ?? MENU.at(-1)!}</T>;
      } else if (prompt.stage === 'abort') {
        line = <T><T tone="yellow" bold>Abort the whole run? </T><T bold>[y]</T>{' abort  '}<T bold>[n]</T>{' back  '}<T dim>(resume later)</T></T>;
      } else {
        const label = prompt.stage === 'reason' ? 'reason for skipping (recorded): ' : 'what was done by hand (recorded): ';
        line = <T><T bold>{label}</T>{prompt.text}<T inverse> </T><T dim>{'  Enter ok · Esc back'}</T></T>;
      }
      return <Box flexDirection="column" width={width}>{head}{line}</Box>;
    }
  }
}
