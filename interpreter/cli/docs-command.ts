import type { Command } from 'commander';

/** `runbook docs`: static review, so ts-morph is loaded here on demand and never by `run`. */
export function registerDocs(p: Command): void {
  p.command('docs').argument('<path>', 'a runbook file or a folder of runbooks')
    .description('Markdown documentation from the runbook source')
    .option('--out <dir>', 'write one .md per runbook (and an index) into this folder instead of printing')
    .action(async (path: string, o: { out?: string }) => {
      const { runDocs } = await import('../../review/docs/command.js');
      process.exitCode = runDocs(path, o);
    });
}
