// `node dist/lab.js up|down|status [--port name=N …]` (npm run lab:up / lab:down / lab:status).
// Exit 0 done (or already up / not up for down), 1 failed or not all alive, 2 usage.
import { DEFAULT_PORTS, labConfig, LabUsageError, PORT_NAMES } from './config.js';
import { down, status, up, type Out } from './lab.js';

const USAGE = `usage: node dist/lab.js up|down|status [--port name=N]…   (npm run lab:up -- --port sshd=2222)

  up      start, on 127.0.0.1, PostgreSQL 15 primary + standby, Patroni (2 nodes) + etcd,
          Redis primary + replica and an sshd target; data in RUNBOOK_LAB_DIR (default ./.runbook-lab)
  status  each process, whether its PID is alive, and the -p params for the library runbooks
  down    stop every process by PID and remove the lab directory

ports (--port name=N, or RUNBOOK_LAB_PORTS="name=N,…"): ${PORT_NAMES.map((n) => `${n}=${DEFAULT_PORTS[n]}`).join(' ')}
binaries: RUNBOOK_LAB_PG_BIN, RUNBOOK_LAB_PATRONI, RUNBOOK_LAB_ETCD, RUNBOOK_LAB_REDIS_SERVER, RUNBOOK_LAB_SSHD
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const ports: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    if (a === '--port' && rest[i + 1] !== undefined) ports.push(rest[++i] ?? '');
    else if (a.startsWith('--port=')) ports.push(a.slice('--port='.length));
    else throw new LabUsageError(`unknown argument ${a}`);
  }
  const cfg = labConfig(process.env, ports);
  const out: Out = { log: (l) => process.stdout.write(`${l}\n`), error: (l) => process.stderr.write(`${l}\n`) };
  switch (command) {
    case 'up': return up(cfg, out);
    case 'down': return down(cfg, out);
    case 'status': return status(cfg, out);
    default: throw new LabUsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof LabUsageError) {
      process.stderr.write(`lab: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
