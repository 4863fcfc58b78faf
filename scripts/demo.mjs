// `npm start`: the embedded demo, a tabletop exercise of examples/tabletop/pg-failover.ts against a
// scenario with one fault, in the terminal UI. Nothing is touched (simulation). Without a terminal
// (piped, CI) the scenario answers for the participants (--auto). Extra arguments are passed on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = [
  `${root}bin/runbook.js`, 'run', `${root}examples/tabletop/pg-failover.ts`,
  '--simulate', `${root}examples/tabletop/standby-lagging.scenario.ts`,
  ...(process.stdin.isTTY && process.stdout.isTTY ? [] : ['--auto']),
  ...process.argv.slice(2),
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
