import { runbook, param, sh, fn, promote } from 'runbook';
const raw = sh.raw('--verbose');
const pre = sh`true`;
runbook('x', { title: 't', params: { flags: param.string({ default: '-l' }) } })
  .exec('a', 'A', sh`ls ${raw} ${sh.raw((c) => { return c.params.flags; })}`)
  .exec('b', 'B', sh`ls ${raw} ${(c) => c.params.flags}`)
  .promote('p', 'P', promote.custom({ precheck: pre, action: fn(async (c) => c.params.flags), verify: sh`true` }))
  .check('b2', 'B', sh`echo ok`, { parse: (o) => o.trim(), expect: 'ok' })
  .check('b3', 'B', sh`echo ok`, { parse: (o) => Number(o), expect: 3 });
runbook('y', { title: 't' })
  .check('c1', 'B', sh`echo ok`, { parse: (o) => Number(o), expect: 'three' })
  .check('c2', 'B', sh`echo ok`, { expect: 'three' })
  .check('c3', 'B', sh`echo ok`, { parse: (o) => o.trim() === 'ok', expect: true })
  .check('c4', 'B', sh`echo ok`, { parse: (o) => o.trim() as 'ok' | 'bad', expect: 'ok' })
  .check('c5', 'B', sh`echo ok`, { parse: (o) => o.trim() as 'ok' | 'bad', expect: 'nope' })
  .check('c6', 'B', sh`echo ok`, { parse: (o) => ({ a: Number(o) }), expect: { a: 1 } })
  .check('c7', 'B', sh`echo ok`, { parse: (o) => ({ a: Number(o) }), expect: { a: 'x' } })
  .exec('c8', 'B', fn(async () => 3), { expect: 3 })
  .exec('c9', 'B', fn(async () => 3), { expect: 'x' })
  .exec('c10', 'B', fn(async (c) => c.steps.c6.value.a + c.steps.c4.value.length), { expect: 3 });
