// The pg and patroni DSL without a server: build-time errors, the plan nodes, what dry-run renders
// (passwords masked), what probe may run, and the types (including why DESIGN.md's
// `{ expect: rows => rows[0]?.r === true }` does not compile: `expect` sees the result).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { param, patroni, pg, runbook, sh, type PatroniPromoteResult, type PgPromoteResult, type PgResult, type PgValueResult } from 'runbook';
import { describeConn, maskDsnText, toTarget } from '../../dsl/actions/pg-conn.js';
import type { ActionNode, PromoteNode, RuntimeCtx, StepNode } from '../../dsl/nodes.js';
import { makeContext } from '../../interpreter/engine/context.js';
import { isReadOnly, renderAction, stepEffect } from '../../interpreter/render/render.js';

const run = { id: 'r', runbookId: 'x', mode: 'dry-run' as const, operator: 'o', startedAt: '' };
const dry = (params: Record<string, unknown> = {}): RuntimeCtx => makeContext(params, new Map(), run, 'dry-run');
const steps = (b: { toPlan(): { steps: readonly StepNode[] } }): readonly StepNode[] => b.toPlan().steps;
const action = (s: StepNode | undefined): ActionNode => (s as Extract<StepNode, { action: ActionNode }>).action;

describe('pg targets', () => {
  it('parses DSNs and masks the password wherever a target is shown', () => {
    expect(toTarget('postgres://ops:s%40cret@db.example:6432/app?sslmode=require')).toEqual({ host: 'db.example', port: 6432, user: 'ops', password: 's@cret', database: 'app', sslmode: 'require' });
    expect(describeConn('postgres://ops:s%40cret@db.example:6432/app?sslmode=require')).toBe('postgres://ops:***@db.example:6432/app?sslmode=require');
    expect(describeConn({ host: '10.0.0.2', user: 'ops', password: 'pw', database: 'app' })).toBe('postgres://ops:***@10.0.0.2:5432/app');
    expect(describeConn('postgresql://u@h/db?password=xyz')).toBe('postgres://u:***@h:5432/db');
    expect(maskDsnText('not parsable postgres://a:b c@d and password=hunter2&x')).toBe('not parsable postgres://a:***@d and password=***&x');
  });

  it('refuses a bad target, bad SQL or bad options when the runbook is built, naming the fix', () => {
    expect(() => pg.query('host=db user=ops', 'select 1')).toThrow(/pg.query target: "host=db user=ops" is not a PostgreSQL URL; write postgres:\/\/user@host:5432\/db/);
    expect(() => pg.query('postgres://ops:pw@db:99999/x', 'select 1')).toThrow('pg.query target: "postgres://ops:***@db:99999/x" is not a valid PostgreSQL URL');
    expect(() => pg.query({ hostname: 'db' } as never, 'select 1')).toThrow(/unknown key "hostname"/);
    expect(() => pg.query('postgres://db/x', '')).toThrow(/the SQL must be a non-empty string; pass values as params/);
    expect(() => pg.exec('postgres://db/x', 'select $1', 'x' as never)).toThrow(/params must be an array/);
    expect(() => pg.promote({} as never)).toThrow(/needs the standby to promote/);
    expect(() => pg.promote({ standby: 'postgres://db/x', maxLagBytes: -1 })).toThrow(/maxLagBytes must be a number of bytes ≥ 0/);
    expect(() => pg.promote({ standby: 'postgres://db/x', retry: 3 } as never)).toThrow(/unknown option "retry"/);
    expect(() => patroni.switchover({ api: 'patroni:8008', leader: 'a', candidate: 'b' })).toThrow(/is not a REST API base URL; write "http:\/\/10.0.0.5:8008"/);
    expect(() => patroni.switchover({ api: 'http://p:8008', leader: '', candidate: 'b' })).toThrow(/leader must be a member name/);
    expect(() => patroni.failover({ api: 'http://p:8008', candidate: 'b', leader: 'a' } as never)).toThrow(/unknown option "leader"/);
    expect(() => runbook('r', { title: 'R' }).promote('p', 'P', pg.query('postgres://db/x', 'select 1') as never)).toThrow(/must be a promotion .*pg\.promote/);
  });
});

describe('pg and patroni in the plan, in dry-run and in probe', () => {
  const book = runbook('pg-plan', {
    title: 'Plan',
    params: { standby: param.string({ default: 'postgres://ops:Hunter2@10.0.0.6:5432/app' }), pw: param.secret({ env: 'X_PW', optional: true }) },
  })
    .check('in-recovery', 'Standby', pg.inRecovery((c) => c.params.standby), { expect: (r) => r.value === true })
    .check('q', 'Query', pg.query({ host: '10.0.0.6', user: 'ops', password: (c: { params: { pw?: string | undefined } }) => c.params.pw ?? '', database: 'app' }, 'select $1::int + 1 as n', [41]), {
      expect: (r) => r.rows[0]?.['n'] === 42,
    })
    .check('lag', 'Lag', pg.replicationLag('postgres://ops@10.0.0.6/app'), { expect: (r) => (r.value?.bytes ?? Infinity) < 1e6 })
    .exec('e', 'Exec', pg.exec('postgres://ops@10.0.0.5/app', 'vacuum analyze'))
    .promote('promote', 'Promote', pg.promote({ standby: (c) => c.params.standby, primary: 'postgres://ops@10.0.0.5/app', maxLagBytes: 1_048_576, fence: sh`ssh 10.0.0.5 systemctl stop postgresql`, timeout: '2m' }))
    .check('cluster', 'Cluster', patroni.cluster(['http://u:ApiPw@10.0.0.5:8008', 'http://10.0.0.6:8008']))
    .promote('switch', 'Switchover', patroni.switchover({ api: 'http://10.0.0.5:8008', leader: 'pg0', candidate: 'pg1' }));
  const plan = steps(book);

  it('a pg.promote is a promote node with the postgres driver and pg stage nodes', () => {
    const p = action(plan[4]) as PromoteNode;
    expect(p.driver).toBe('postgres');
    expect([p.precheck.type, p.fence?.type, p.action.type, p.verify.type]).toEqual(['pg', 'sh', 'pg', 'pg']);
    expect(p.action).toMatchObject({ op: 'promote', sql: 'select pg_promote(true, $1) as promoted' });
    expect((action(plan[6]) as PromoteNode).driver).toBe('patroni');
    expect(Object.isFrozen(p.precheck)).toBe(true);
  });

  it('renders the exact SQL, the values, the stages and the HTTP calls with every password masked', () => {
    const c = dry({ standby: 'postgres://ops:Hunter2@10.0.0.6:5432/app' });
    const text = plan.map((s) => renderAction(action(s), c)).join('\n');
    expect(text).toContain('pg postgres://ops:***@10.0.0.6:5432/app: select pg_is_in_recovery() as value (read-only)');
    expect(text).toContain('pg postgres://ops:***@10.0.0.6:5432/app: select $1::int + 1 as n [$1=41] (read-only transaction)');
    expect(text).toContain('pg postgres://ops@10.0.0.5:5432/app: vacuum analyze');
    expect(text).toContain('promote (postgres):');
    expect(text).toContain('fence:    sh: ssh 10.0.0.5 systemctl stop postgresql');
    expect(text).toContain('promote:  pg postgres://ops:***@10.0.0.6:5432/app: select pg_promote(true, 120) as promoted');
    expect(text).toContain('lag ≤ 1048576 bytes');
    expect(text).toContain('GET http://u:***@10.0.0.5:8008/cluster (else http://10.0.0.6:8008/cluster) (read-only)');
    expect(text).toContain('POST http://10.0.0.5:8008/switchover {"leader":"pg0","candidate":"pg1"}');
    expect(text).not.toMatch(/Hunter2|ApiPw/);
  });

  it('shows unknown outputs of earlier steps as placeholders', () => {
    const b = runbook('ph', { title: 'P' })
      .exec('find', 'Find', sh`echo 10.0.0.7`, { parse: (o) => o.trim() })
      .check('q', 'Q', pg.query((c) => ({ host: c.steps.find.value, user: 'ops', password: 'x' }), 'select 1'));
    expect(renderAction(action(steps(b)[1]), dry())).toBe('pg postgres://ops:***@<steps.find.value>:5432/: select 1 (read-only transaction)');
  });

  it('pg.query, pg.inRecovery, pg.replicationLag and patroni.cluster are read-only (probe runs them); exec and promotions are not', () => {
    expect(plan.map((s) => `${s.id}:${isReadOnly(s)}:${stepEffect(s)}`)).toEqual([
      'in-recovery:true:read-only', 'q:true:read-only', 'lag:true:read-only', 'e:false:mutating', 'promote:false:mutating', 'cluster:true:read-only', 'switch:false:mutating',
    ]);
  });
});

describe('types', () => {
  it('expect sees the result: rows, value, and the promotion facts are typed', () => {
    runbook('t', { title: 'T', params: { standby: param.string({ default: 'postgres://db/x' }) } })
      .check('a', 'A', pg.query((c) => c.params.standby, 'select pg_is_in_recovery() as r'), { expect: (r) => r.rows[0]?.['r'] === true })
      // DESIGN.md wrote `{ expect: rows => rows[0]?.r === true }`; expect sees the result (as for sh and http), not rows:
      // @ts-expect-error the result is not an array of rows: write r => r.rows[0]?.r, or parse: (_, r) => r.rows
      .check('b', 'B', pg.query((c) => c.params.standby, 'select pg_is_in_recovery() as r'), { expect: (rows) => rows[0]?.r === true })
      .check('c', 'C', pg.query((c) => c.params.standby, 'select pg_is_in_recovery() as r'), { parse: (_t, r) => r.rows, expect: (rows) => rows[0]?.['r'] === true })
      .check('d', 'D', pg.inRecovery((c) => c.params.standby), { expect: (r) => r.value === true })
      .promote('p', 'P', pg.promote({ standby: (c) => c.params.standby }), { expect: (r) => r.timelineAfter !== r.timelineBefore })
      .promote('s', 'S', patroni.switchover({ api: 'http://p:8008', leader: 'a', candidate: 'b' }))
      .exec('w', 'W', pg.exec((c) => c.params.standby, 'insert into t values ($1, $2)', [(c) => c.run.startedAt, 2]))
      .exec('after', 'After', sh`echo ${(c) => `${c.steps.p.result.newPrimary ?? ''} ${c.steps.s.result.newPrimary ?? ''}`}`);
    expectTypeOf(pg.query('postgres://db/x', 'select 1')).toMatchTypeOf<{ readonly __result?: PgResult }>();
    expectTypeOf(pg.inRecovery('postgres://db/x')).toMatchTypeOf<{ readonly __result?: PgValueResult<boolean> }>();
    expectTypeOf(pg.promote({ standby: 'postgres://db/x' })).toMatchTypeOf<{ readonly __result?: PgPromoteResult }>();
    expectTypeOf(patroni.switchover({ api: 'http://p:8008', leader: 'a', candidate: 'b' })).toMatchTypeOf<{ readonly __result?: PatroniPromoteResult }>();
  });
});
