// The baselines for bench/run.mjs: the same N commands (/bin/sh -c true) in a bare loop, as a
// process of its own so it pays Node's start-up like the runbook CLI does.
import { spawn } from 'node:child_process';
import { execa } from 'execa';

const [kind, n] = [process.argv[2], Number(process.argv[3])];
for (let i = 0; i < n; i++) {
  if (kind === 'execa') await execa('true', { shell: true, reject: false });
  // The options runbook's sh adapter uses: own process group, stdin closed, streamed not buffered.
  else if (kind === 'execa-same') {
    await execa('true', { shell: true, reject: false, detached: true, buffer: false, stdio: ['ignore', 'pipe', 'pipe'], stripFinalNewline: false });
  }
  else {
    await new Promise((resolve, reject) => {
      spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' }).on('error', reject).on('close', resolve);
    });
  }
}
