import type { Command } from 'commander';

/** `runbook lint`: static review, so ts-morph is loaded here on demand and never by `run`. */
export function registerLint(p: Command): void {
  p.command('lint').argument('[paths...]', 'runbook files or folders (default: ./runbooks, else .)')
    .description('find unsafe or unclear procedures; exit 1 on errors')
    .option('--format <format>', 'text, md or json', 'text')
    .option('--config <file>', 'rule severities (default: .runbooklintrc.json or package.json "runbook.lint", nearest up from here)')
    .option('--rules', 'list the rules with their rationale and fix')
    .action(async (paths: string[], o: { format?: string; config?: string; rules?: boolean }) => {
      const { runLint } = await import('../../review/lint/command.js');
      process.exitCode = runLint(paths, o);
    });
}
