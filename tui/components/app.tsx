import { Box, Static, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { KeyInfo } from '../prompt.js';
import { phaseGroups, SCENARIO_PREFIX, sealedCount, type ApprovalWait } from '../state.js';
import type { TuiStore } from '../store.js';
import { Checklist } from './checklist.js';
import { Detail, detailHead } from './detail.js';
import { Header } from './header.js';
import { PromptPane, promptHeight } from './prompt-pane.js';
import { PhaseBlock } from './step-line.js';
import { Summary } from './summary.js';
import { ColorContext, T } from './theme.js';

export interface AppProps {
  readonly store: TuiStore;
  /** Phases already printed above by an earlier mount (before an interactive command had the terminal). */
  readonly staticFrom?: number;
  readonly onKey?: (input: string, key: KeyInfo) => void;
  readonly color?: boolean;
  /** Fixed size (tests); else the terminal's, following resizes. */
  readonly width?: number;
  readonly rows?: number;
}

function useTerminalSize(fixed: { width?: number | undefined; rows?: number | undefined }): { width: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { width: number; rows: number } => ({ width: fixed.width ?? stdout.columns ?? 80, rows: fixed.rows ?? stdout.rows ?? 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  });
  return size;
}

function Keys({ onKey }: { readonly onKey: (input: string, key: KeyInfo) => void }): ReactNode {
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => onKey(input, key), { isActive: isRawModeSupported });
  return null;
}

/** The whole screen: finished phases printed once above; header, checklist, current step and question live below. */
export function App({ store, staticFrom = 0, onKey, color = true, width: fixedWidth, rows: fixedRows }: AppProps): ReactNode {
  const { state, now } = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const size = useTerminalSize({ width: fixedWidth, rows: fixedRows });
  const width = Math.max(40, size.width - 1);
  const groups = phaseGroups(state.steps);
  const sealed = sealedCount(state);
  const printed = groups.slice(staticFrom, Math.max(staticFrom, sealed));
  const live = groups.slice(sealed);

  let body: ReactNode;
  if (state.suspendedFor !== null) {
    body = <T tone="cyan">{`⇢ ${state.suspendedFor} has the terminal (interactive); the checklist comes back when it ends`}</T>;
  } else if (state.finished) {
    body = <><Header state={state} now={now} width={width} /><Summary state={state} width={width} /></>;
  } else {
    const current = state.steps.find((s) => s.id === state.currentId);
    const warning = state.warnings.at(-1);
    const approval = state.approval;
    const budget = Math.max(8, size.rows - 1) - 2 - (warning ? 1 : 0) - (approval ? 1 : 0) - promptHeight(state.prompt, state.help, width) - 1;
    const head = detailHead(current);
    const outRoom = Math.min(state.output.length, Math.max(2, Math.floor((budget - head) / 2)));
    const listHeight = Math.max(3, budget - head - outRoom);
    const detailHeight = head + outRoom;
    body = (
      <>
        <Header state={state} now={now} width={width} />
        {warning && (warning.startsWith(SCENARIO_PREFIX) ? <T tone="magenta">{`⏱ ${warning}`}</T> : <T tone="yellow">{`⚠ ${warning}`}</T>)}
        <Checklist groups={live} now={now} width={width} height={listHeight} />
        <T dim>{'─'.repeat(width)}</T>
        <Detail step={current} output={state.output} total={state.outputTotal} width={width} height={detailHeight} />
        {approval && <T tone="yellow" bold>{approvalLine(approval, state.runId)}</T>}
        <PromptPane prompt={state.prompt} help={state.help} width={width} watching={state.watching} />
      </>
    );
  }
  return (
    <ColorContext.Provider value={color}>
      <Static items={printed}>{(g) => <PhaseBlock key={g.index} group={g} width={width} />}</Static>
      <Box flexDirection="column" width={width}>{body}</Box>
      {onKey && state.finished === null && state.suspendedFor === null && <Keys onKey={onKey} />}
    </ColorContext.Provider>
  );
}

/** Four eyes: whom the run waits for, and the command that answers. */
export function approvalLine(a: ApprovalWait, runId: string): string {
  const left = a.needed - a.approvedBy.length;
  const so = a.approvedBy.length ? ` (approved by ${a.approvedBy.join(', ')})` : '';
  return `⏳ ${a.stepId} waits for ${left === 1 ? 'a second operator' : `${left} more operators`}${so}: runbook approve ${runId} ${a.stepId}  (not ${a.runner})`;
}
