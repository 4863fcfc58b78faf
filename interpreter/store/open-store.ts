import { UsageError } from '../errors.js';
import { FileStore } from './file/file-store.js';
import { StorePaths } from './paths.js';
import type { RunStore } from './run-store.js';

/**
 * The store a command uses: `--store` (a directory, or a postgres:// URL), else RUNBOOK_STORE, else
 * `.runbook/` in the working directory. A PostgreSQL store is connected (and migrated) here, before
 * anything is written; its driver is loaded only then.
 */
export async function openStore(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RunStore> {
  const fromEnv = env['RUNBOOK_STORE'];
  const spec = flag ?? (fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv);
  if (spec !== undefined && spec.trim() === '') throw new UsageError('--store is empty: give a directory or a postgres:// URL, or leave it out for .runbook/ here.');
  if (spec !== undefined && (/^postgres(ql)?:/i.test(spec.trim()) || /^[a-z][a-z0-9+.-]*:\/\//i.test(spec.trim()))) {
    if (/^postgres(ql)?:/i.test(spec.trim())) {
      const { PgStore } = await import('./pg/pg-store.js');
      return PgStore.open(spec, env);
    }
    const { maskStoreUrl } = await import('./pg/store-url.js');
    throw new UsageError(`--store ${maskStoreUrl(spec)}: only directories and postgres:// URLs are run stores. Nothing was written.`);
  }
  return new FileStore(new StorePaths(spec), flag, env);
}

/** Runs `f` with the store open, and closes it whatever happens. */
export async function withStore<T>(flag: string | undefined, f: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await openStore(flag);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}
