import type { Mode } from '../dsl/context.js';
import type { Style } from './colors.js';

const WORDS: Record<Mode, string> = { live: 'LIVE', 'dry-run': 'DRY-RUN', probe: 'PROBE', simulate: 'SIMULATION' };

/** The mode, impossible to miss: its own word and colour. */
export function modeBadge(mode: Mode, st: Style): string {
  const word = ` ${WORDS[mode]} `;
  switch (mode) {
    case 'live':
      return st.bold(st.inverse(st.red(word)));
    case 'dry-run':
      return st.bold(st.inverse(st.cyan(word)));
    case 'probe':
      return st.bold(st.inverse(st.blue(word)));
    case 'simulate':
      return st.bold(st.inverse(st.magenta(word)));
  }
}

export function modeWord(mode: Mode): string {
  return WORDS[mode];
}
