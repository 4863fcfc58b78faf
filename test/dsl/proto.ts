import { runbook, param, sh, fn, http, notify, promote } from '../../dsl/index.js';

const rb = runbook('pg-failover', {
  title: 'x', rto: '5m',
  params: { standby: param.string({ default: 'a' }), n: param.number(), token: param.secret({ env: 'T', optional: true }), lvl: param.enum(['a', 'b']) },
})
  .phase('Assess')
  .check('standby-in-recovery', 'Standby', sh`psql ${c => c.params.standby} -c ${'select 1'}`, { expect: r => r.exitCode === 0 })
  .exec('leader', 'Show', sh`patronictl ${c => c.params.standby} ${c => c.params.n}`, { parse: out => /Leader\s+(\S+)/.exec(out)?.[1] })
  .exec('use', 'Use', sh`echo ${c => c.steps.leader.value ?? 'none'} ${c => c.steps['standby-in-recovery'].exitCode ?? -1}`)
  .check('h', 'health', http.get(c => `http://x/${c.params.lvl}`), { expect: r => r.status === 200 })
  .exec('f', 'fn', fn(async c => c.params.n + 1))
  .exec('g', 'fn2', fn(async c => c.steps.f.value * 2))
  .confirm('ok', 'Proceed?')
  .promote('p', 'Promote', promote.custom({ precheck: sh`true`, action: fn(async () => 1), verify: sh`true` }))
  .notify('n', notify.console(), c => `done ${c.steps.g.value} ${c.steps.ok.value}`)
  // @ts-expect-error duplicate
  .exec('leader', 'dup', sh`true`)
  ;
const bad = runbook('x', { title: 't' })
  // @ts-expect-error unknown step ref
  .exec('a', 'A', sh`echo ${c => c.steps.nope.value}`);
const bad2 = runbook('x', { title: 't' }).exec('a', 'A', sh`true`).exec('b', 'B', sh`true`);
const bad3 = bad2.exec('c', 'C', sh`true`).exec('a', 'dup', sh`true`);
const bad4 = bad2.exec('Bad_Id', 'C', sh`true`);
void rb; void bad; void bad3; void bad4;
