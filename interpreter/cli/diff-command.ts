import type { Command } from 'commander';

/** `runbook diff`: static review, so ts-morph is loaded here on demand and never by `run`. */
export function registerDiff(p: Command): void {
  p.command('diff').argument('[files...]', '<old> <new> runbook files, or with --git: paths to limit the comparison')
    .description('step-level diff of two versions, with risk flags')
    .option('--git <rev>', 'compare the working tree with this revision (old sources read with git show)')
    .option('--to <rev>', 'with --git: compare with this revision instead of the working tree (e.g. HEAD)')
    .option('--format <format>', 'text, md (a pull-request comment) or json', 'text')
    .option('--fail-on-risk', 'exit 1 when a risk flag is raised')
    .action(async (files: string[], o: { format?: string; git?: string; to?: string; failOnRisk?: boolean }) => {
      const { runDiff } = await import('../../review/diff/command.js');
      process.exitCode = runDiff(files, o);
    });
}
