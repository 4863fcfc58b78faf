// Loaded with `node --import`: records every package the process imports (bare specifiers) in
// $RUNBOOK_MODULE_SPY, one per line. Used to prove which commands load ts-morph.
import { register } from 'node:module';

if (process.env.RUNBOOK_MODULE_SPY) register('./hooks.mjs', import.meta.url, { data: { out: process.env.RUNBOOK_MODULE_SPY } });
