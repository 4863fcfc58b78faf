import type { Command } from 'commander';

/** `runbook import`: static review, so ts-morph is loaded here on demand and never by `run`. */
export function registerImport(p: Command): void {
  p.command('import').argument('<markdown>', 'a Markdown runbook (headings, "- [ ]" items, ```bash blocks)')
    .description('a Markdown runbook → a runbook module')
    .option('--out <file>', 'write the module here instead of printing it')
    .option('--force', 'overwrite --out if it exists')
    .option('--id <id>', 'runbook id (default: from the title)')
    .option('--rto <duration>', 'RTO (default: an "RTO …" in the text, if any)')
    .option('--plain-ssh', 'write sh`ssh host …` instead of the ssh(host) DSL')
    .action(async (file: string, o: { out?: string; force?: boolean; id?: string; rto?: string; plainSsh?: boolean }) => {
      const { runImport } = await import('../../review/import/command.js');
      process.exitCode = runImport(file, o);
    });
}
