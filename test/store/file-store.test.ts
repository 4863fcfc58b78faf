// The store contract against the embedded file store (NDJSON journals, host-wide lock files).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { FileStore } from '../../interpreter/store/file/file-store.js';
import { StorePaths } from '../../interpreter/store/paths.js';
import { storeContract } from './contract.js';

describe('the file store keeps the store contract', () => {
  storeContract(async ({ ttlMs, heartbeatMs }) => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-file-store-'));
    const env = { ...process.env, RUNBOOK_LOCK_DIR: join(dir, 'locks'), RUNBOOK_LEASE_TTL_MS: String(ttlMs), RUNBOOK_LEASE_HEARTBEAT_MS: String(heartbeatMs), RUNBOOK_POLL_MS: '20' };
    const store = new FileStore(new StorePaths(join(dir, 'store')), join(dir, 'store'), env);
    return Promise.resolve({ store, cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) });
  });
});
