import { Command, CommanderError, Option } from 'commander';
import { RunbookDefinitionError } from '../../dsl/ids.js';
import { EXIT, InterruptedError, LockHeldError, UsageError } from '../errors.js';
import { listCommand } from './list-command.js';
import { resumeCommand } from './resume-command.js';
import { runCommand } from './run-command.js';
import { runsCommand } from './runs-command.js';
import { showCommand } from './show-command.js';
import { registerDiff } from './diff-command.js';
import { registerDocs } from './docs-command.js';
import { registerImport } from './import-command.js';
import { registerLint } from './lint-command.js';
import { registerPlan } from './plan-command.js';
import { reportCommand } from './report-command.js';
import { approveCommand } from './approve-command.js';
import { registerStore } from './store-command.js';
import { unlockCommand } from './unlock-command.js';
import { verifyCommand } from './verify-command.js';
import { watchCommand } from './watch-command.js';
import { StoreError } from '../store/store-error.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
const STORE_HELP = 'where runs are journaled: a directory (default .runbook/), or a postgres:// URL (team store); default: RUNBOOK_STORE';

function program(): Command {
  const p = new Command('runbook')
    .description('Runbook-as-code: run, rehearse and review DR procedures written in TypeScript.')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .addHelpText('after', '\nExit codes: 0 done · 1 a step failed · 2 usage, validation or bad runbook · 3 aborted by the operator · 4 another run holds the lock · 130 interrupted');

  const common = (c: Command): Command =>
    c.option('-p, --param <key=value>', 'set a param (repeatable)', collect, [])
      .option('--yes', 'answer yes to every confirmation (recorded as automatic)')
      .option('--operator <name>', 'who is running this (default: your OS user)')
      .addOption(new Option('--ui <ui>', 'output: tui (the default on a terminal), plain lines, or NDJSON events'))
      .option('--store <dir|postgres-url>', STORE_HELP, undefined);

  common(p.command('run').argument('<file>', 'runbook module (.ts)').description('run a runbook live, as a dry-run, as a probe, or as a simulation (tabletop exercise)'))
    .option('--dry-run', 'print every action fully rendered; touch nothing')
    .option('--probe', 'with --dry-run: run read-only checks for real')
    .option('--simulate [scenario]', 'tabletop exercise: play the runbook against a scenario (.ts, .yaml, .json; default: every step succeeds) on a simulated clock; touch nothing')
    .option('--auto', 'with --simulate: the scenario answers confirmations and failure menus (unattended drills)')
    .option('--from <step-id>', 'start at this step; earlier steps are recorded as skipped')
    .option('--only <step-id>', 'run just this step')
    .action(async (file: string, o: Parameters<typeof runCommand>[1]) => {
      process.exitCode = await runCommand(file, o);
    });

  common(p.command('resume').argument('<run-id>', 'a run id, a unique prefix, or "last"').description('continue a run from its journal'))
    .option('--force', 'resume even though the runbook source changed')
    .option('--retry-interrupted', 'run the step that was interrupted again')
    .option('--mark-interrupted-done', 'record the interrupted step as done by hand (needs --note)')
    .option('--note <text>', 'what was done by hand')
    .option('--auto', 'for a simulation: the scenario answers confirmations and failure menus')
    .action(async (id: string, o: Parameters<typeof resumeCommand>[1]) => {
      process.exitCode = await resumeCommand(id, o);
    });

  p.command('runs').description('list runs, newest first').option('--json', 'as JSON').option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (o: { json?: boolean; store?: string }) => {
      process.exitCode = await runsCommand(o);
    });

  p.command('show').argument('<run-id>', 'a run id, a unique prefix, or "last"').description('steps, statuses and durations of one run')
    .option('--json', 'as JSON').option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (id: string, o: { json?: boolean; store?: string }) => {
      process.exitCode = await showCommand(id, o);
    });

  p.command('report').argument('<run-id>', 'a run id, a unique prefix, or "last"')
    .description('a report of one run (live, dry-run, probe or simulated): outcome, RTO, timeline, decisions, failures, notifications')
    .option('--format <format>', 'md (Markdown, the default) or json').option('--out <file>', 'write it to this file instead of printing it')
    .option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (id: string, o: { format?: string; out?: string; store?: string }) => {
      process.exitCode = await reportCommand(id, o);
    });

  // Team mode: follow a run from another terminal, four-eyes approval, leases, the tamper-evident journal.
  p.command('watch').argument('<run-id>', 'a run id, a unique prefix, or "last"').description('follow a run live from another terminal (read-only); ends with the run and its exit code')
    .addOption(new Option('--ui <ui>', 'tui (the default on a terminal), plain lines, or NDJSON events')).option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (id: string, o: { ui?: string; store?: string }) => {
      process.exitCode = await watchCommand(id, o);
    });

  p.command('approve').argument('<run-id>', 'the run waiting for approval').argument('<step-id>', 'its step that waits')
    .description('four eyes: approve (or --reject) a step that another operator\'s run is waiting on; you cannot approve your own run')
    .option('--reject', 'reject it: the step fails and the run stops').option('--reason <text>', 'why (required with --reject; recorded)')
    .option('--operator <name>', 'who is approving (default: your OS user)').option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (id: string, step: string, o: { reject?: boolean; reason?: string; operator?: string; store?: string }) => {
      process.exitCode = await approveCommand(id, step, o);
    });

  p.command('verify').argument('<run-id>', 'a run id, a unique prefix, or "last"')
    .description('check a run\'s tamper-evident journal: OK, or the first event where it was edited, deleted, inserted or reordered (exit 0 OK · 1 tampered · 2 no hash chain)')
    .option('--json', 'as JSON').option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (id: string, o: { json?: boolean; store?: string }) => {
      process.exitCode = await verifyCommand(id, o);
    });

  p.command('unlock').argument('<key>', 'the lease: <runbook-id>, or <runbook-id>:<lockKey>')
    .description('free the lease of a live run that cannot finish (recorded in its journal with who and why)')
    .option('--reason <text>', 'why (required; recorded)').option('--operator <name>', 'who is unlocking (default: your OS user)')
    .option('--store <dir|postgres-url>', STORE_HELP)
    .action(async (key: string, o: { reason?: string; operator?: string; store?: string }) => {
      process.exitCode = await unlockCommand(key, o);
    });
  registerStore(p);

  p.command('list').argument('[dir]', 'folder of runbooks (default: ./runbooks, else .)').description('runbooks with title, step count and RTO')
    .option('--json', 'as JSON')
    .action(async (dir: string | undefined, o: { json?: boolean }) => {
      process.exitCode = await listCommand(dir, o);
    });
  // Static review (ts-morph, loaded on demand by these commands only).
  for (const register of [registerPlan, registerLint, registerDiff, registerDocs, registerImport]) register(p);
  return p;
}

function fail(message: string, code: number): void {
  process.stderr.write(`runbook: ${message}\n`);
  process.exitCode = code;
}

export async function main(argv: string[]): Promise<void> {
  // A closed pipe (\`runbook … | head\`) must not crash a run: the journal is the record, output is a view.
  for (const s of [process.stdout, process.stderr]) s.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; });
  const p = program();
  try {
    await p.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0)) {
        process.exitCode = 0;
        return;
      }
      if (e.code === 'commander.help') {
        // No command given: commander's help-on-error went to the silenced writeErr; show it, exit as a usage error.
        process.stderr.write(p.helpInformation());
        fail('give a command, e.g. "runbook run <file>".', EXIT.usage);
        return;
      }
      const msg = e.message.replace(/^error: /, '').replace(/\.+$/, '');
      const known = p.commands.some((c) => c.name() === argv[2]);
      const cmd = known ? ` ${String(argv[2])}` : '';
      fail(`${msg}. See "runbook${cmd} --help".`, EXIT.usage);
      return;
    }
    if (e instanceof UsageError || e instanceof RunbookDefinitionError) return fail(e.message, EXIT.usage);
    if (e instanceof LockHeldError) return fail(e.message, EXIT.locked);
    if (e instanceof StoreError) return fail(e.message, e.exitCode);
    if (e instanceof InterruptedError) return fail(e.message, EXIT.interrupted);
    const err = e instanceof Error ? e : new Error(String(e));
    if (err.name === 'RunbookDefinitionError') return fail(err.message, EXIT.usage);
    fail(`internal error: ${err.message}${process.env['RUNBOOK_DEBUG'] ? `\n${err.stack ?? ''}` : ' (set RUNBOOK_DEBUG=1 for details)'}`, EXIT.failed);
  }
}

await main(process.argv);
