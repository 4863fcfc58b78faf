import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolve } from '../../engine/context.js';
import type { Sender } from './types.js';

/** Appends `<ISO time> [<runbook> <run>] <message>` to a file, creating its directory. */
export const sendFile: Sender<'file'> = async (ch, message, env) => {
  const path = String(resolve(ch.path, env.ctx, 'notify file path'));
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${new Date().toISOString()} [${env.runbookId} ${env.runId}] ${message}\n`);
  return { ok: true };
};
