// The review commands are listed by --help and document their arguments and options.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const commands: [string, string[]][] = [
  ['plan', ['<file>', '--format']],
  ['lint', ['[paths...]', '--format', '--config', '--rules']],
  ['diff', ['[files...]', '--git <rev>', '--to <rev>', '--format', '--fail-on-risk']],
  ['docs', ['<path>', '--out']],
  ['import', ['<markdown>', '--out', '--force', '--id', '--rto', '--plain-ssh']],
];

describe('review commands in --help', () => {
  it.each(commands)('%s --help exits 0 and documents its arguments and options', async (cmd, mentions) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: runbook ${cmd}`);
    for (const m of mentions) expect(r.stdout).toContain(m);
  });

  it('--help lists them, one line each', async () => {
    const r = await runCli(['--help']);
    for (const [cmd] of commands) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} \\[options\\] .{10,}$`, 'm'));
  });
});
