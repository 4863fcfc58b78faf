// A harmless local runbook: it only looks at this machine and writes under the system temp dir.
import { runbook, param, sh, fn, notify } from 'runbook';

export default runbook('hello', {
  title: 'Hello, runbook',
  description: 'A tour of the step kinds that touches nothing that matters.',
  rto: '2m',
  params: {
    who: param.string({ default: 'on-call', description: 'who to greet' }),
    workdir: param.string({ default: '/tmp/runbook-hello', description: 'scratch directory' }),
  },
})
  .phase('Assess')
  .check('shell-works', 'A shell is available', sh`echo ready`, { expect: /ready/ })
  .check('tmp-writable', 'The temp dir is writable', sh`test -w ${'/tmp'}`)
  .check('load', 'Read the load average', sh`cat /proc/loadavg`, {
    parse: (out) => Number(out.split(' ')[0]),
    expect: (load) => Number.isFinite(load),
  })
  .confirm('go-ahead', 'Create the scratch directory and write a greeting?', {
    description: 'This writes one small file under the scratch directory.',
  })
  .phase('Act')
  .exec('make-workdir', 'Create the scratch directory', sh`mkdir -p ${(c) => c.params.workdir}`)
  .exec('greet', 'Write a greeting', sh`echo ${(c) => `hello ${c.params.who}, load ${c.steps.load.value}`} > ${(c) => c.params.workdir}/greeting.txt`, {
    estimate: '1s',
  })
  .check('greeting-written', 'The greeting is there', sh`cat ${(c) => `${c.params.workdir}/greeting.txt`}`, { expect: /^hello / })
  .exec('count-words', 'Count the words', fn(async (c) => c.steps['greeting-written'].stdout.split(/\s+/).length, { readOnly: true }))
  .phase('Tell')
  .notify('announce', notify.console(), (c) => `Greeting written for ${c.params.who} (${c.steps['count-words'].value} words).`);
