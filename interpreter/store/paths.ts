import { join, resolve } from 'node:path';

/** Where the embedded file store keeps things: `.runbook/` in the working directory, or `--store DIR`. */
export class StorePaths {
  readonly root: string;
  constructor(dir: string | undefined, cwd = process.cwd()) {
    this.root = resolve(cwd, dir ?? '.runbook');
  }
  get runs(): string {
    return join(this.root, 'runs');
  }
  journal(runId: string): string {
    return join(this.runs, `${runId}.ndjson`);
  }
}
