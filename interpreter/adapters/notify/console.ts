import type { Sender } from './types.js';

/** Prints the message in the run's output. */
export const sendConsole: Sender<'console'> = async (_ch, message, env) => {
  env.onOutput('stdout', `${message}\n`);
  return { ok: true };
};
