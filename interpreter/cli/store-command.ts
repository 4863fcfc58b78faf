import type { Command } from 'commander';
import { openStore } from '../store/open-store.js';

/** `runbook store migrate`: brings a PostgreSQL store's schema up to date (also done on first use). */
export function registerStore(p: Command): void {
  const store = p.command('store').description('manage the run store (PostgreSQL team store)');
  store.command('migrate').description('apply the PostgreSQL store\'s schema migrations (they also run on first use)')
    .option('--store <dir|postgres-url>', 'the store (default: RUNBOOK_STORE, else .runbook/)')
    .action(async (o: { store?: string }) => {
      process.exitCode = await migrateCommand(o);
    });
}

export async function migrateCommand(f: { store?: string }): Promise<number> {
  const s = await openStore(f.store);
  try {
    if (s.kind === 'file') {
      process.stdout.write(`${s.label} is a file store: there is no schema to migrate (journals are NDJSON files).\n`);
      return 0;
    }
    const { PgStore } = await import('../store/pg/pg-store.js');
    const m = s instanceof PgStore ? s.migration : undefined;
    if (m === undefined || m.applied.length === 0) process.stdout.write(`${s.label}: schema already at version ${m?.to ?? '?'}; nothing to do.\n`);
    else process.stdout.write(`${s.label}: schema migrated from version ${m.from} to ${m.to} (${m.applied.map((x) => `${x.version} ${x.name}`).join('; ')}).\n`);
    return 0;
  } finally {
    await s.close();
  }
}
