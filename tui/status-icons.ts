/**
 * One glyph per step status, shared by every view (the TUI, the plain reporter, `runbook show`), so
 * an operator who switches views reads the same signs. The running spinner is the TUI's own.
 */
export const STATUS_ICON = {
  pending: '·',
  running: '▶',
  waiting: '?',
  ok: '✔',
  failed: '✖',
  skipped: '»',
  'done-by-hand': '✎',
  planned: '○',
  interrupted: '■',
  restored: '✔',
} as const;

export type IconStatus = keyof typeof STATUS_ICON;

export function statusGlyph(status: string): string {
  return (STATUS_ICON as Record<string, string>)[status] ?? '?';
}
