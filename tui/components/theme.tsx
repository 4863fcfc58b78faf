import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';
import type { Tone } from '../format.js';

/** Whether colour is allowed (a terminal, no NO_COLOR). Bold, dim and inverse stay: they are not colour. */
export const ColorContext = createContext(true);

interface TProps {
  readonly tone?: Tone;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
  readonly children?: ReactNode;
}

/** One-line text: colour only when allowed; never wraps (the layout counts lines), truncates instead. */
export function T({ tone, bold, dim, inverse, children }: TProps): ReactNode {
  const color = useContext(ColorContext);
  return (
    <Text wrap="truncate-end" bold={bold ?? false} dimColor={dim ?? tone === 'gray'} inverse={inverse ?? false} {...(color && tone && tone !== 'gray' ? { color: tone } : {})}>
      {children}
    </Text>
  );
}
