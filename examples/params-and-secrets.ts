// Params, a secret, `parse`, and a later step reading the parsed value. Harmless: it only reads
// this machine and writes under the scratch directory.
//
//   DEMO_TOKEN=s3cr3t-t0ken runbook run examples/params-and-secrets.ts -p minFreeMb=10 --yes
import { runbook, param, sh, fn, notify } from 'runbook';

export default runbook('disk-headroom', {
  title: 'Check disk headroom before a restore',
  description: 'Reads free space where a restore would land, refuses if it is below the bound, and signs a receipt with an API token.',
  rto: '5m',
  params: {
    dir: param.string({ default: '/tmp', description: 'where the restore would write' }),
    minFreeMb: param.number({ default: 100, description: 'refuse below this many MiB free' }),
    env: param.enum(['staging', 'production'], { default: 'staging' }),
    token: param.secret({ env: 'DEMO_TOKEN', description: 'API token used to sign the receipt' }),
    receiptDir: param.string({ default: '/tmp/runbook-receipts' }),
  },
})
  .phase('Measure')
  .exec('free-space', 'Read free space', sh`df -Pk ${(c) => c.params.dir}`, {
    // "Filesystem 1024-blocks Used Available Capacity Mounted on" → Available, in MiB
    parse: (out) => Math.floor(Number(out.trim().split('\n').at(-1)?.split(/\s+/)[3] ?? NaN) / 1024),
    expect: (mb) => Number.isFinite(mb),
  })
  .check('enough-headroom', 'Enough free space for the restore', fn(async (c) => c.steps['free-space'].value, { readOnly: true }), {
    expect: (mb, c) => mb >= c.params.minFreeMb,
  })
  .confirm('proceed', 'Write the receipt for this environment?')
  .phase('Record')
  .exec('receipt', 'Write a signed receipt', sh`mkdir -p ${(c) => c.params.receiptDir} && printf '%s %s MiB free, signed with %s\n' ${(c) => c.params.env} ${(c) => c.steps['free-space'].value} ${(c) => c.params.token} | tee ${(c) => `${c.params.receiptDir}/receipt.txt`}`)
  .notify('report', notify.console(), (c) => `${c.params.env}: ${c.steps['free-space'].value} MiB free in ${c.params.dir} (bound ${c.params.minFreeMb} MiB).`);
