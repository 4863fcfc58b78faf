#!/usr/bin/env node
import { existsSync } from 'node:fs';
const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('runbook: the CLI is not built yet. Run "npm install" (or "npm run build") in the runbook folder.\n');
  process.exit(2);
}
await import(cli.href);
