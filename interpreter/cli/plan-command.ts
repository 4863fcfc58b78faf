import type { Command } from 'commander';

/** `runbook plan`: static review, so ts-morph is loaded here on demand and never by `run`. */
export function registerPlan(p: Command): void {
  p.command('plan').argument('<file>', 'runbook module (.ts)')
    .description('the steps as written: commands, targets, options, params, RTO (runs nothing)')
    .option('--format <format>', 'text, md or json', 'text')
    .action(async (file: string, o: { format?: string }) => {
      const { runPlan } = await import('../../review/plan/command.js');
      process.exitCode = runPlan(file, o);
    });
}
