// Gaps a new-user pass found: a Redis promotion written as a command must need a confirm, and a
// password after redis-cli -a (or mysql -p, sshpass -p) is a literal secret.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('runbook-lint-gaps-');
});
afterAll(() => tmp.cleanup());

const source = (body: string): string => `import { notify, runbook, sh } from 'runbook';
export default runbook('lint-gap', { title: 'Lint gap', rto: '5m' })
  .notify('start', notify.console(), 'starting')
${body}
  .check('verify', 'Verify', sh\`redis-cli -h cache-2 role\`)
  .notify('end', notify.console(), 'done');
`;

async function lint(name: string, body: string): Promise<{ code: number | null; stdout: string }> {
  const file = join(tmp.dir, `${name}.ts`);
  writeFileSync(file, source(body));
  return runCli(['lint', file]);
}

describe('lint: promotions and passwords written as commands', () => {
  it.each([
    ['replicaof no one', 'redis-cli -h cache-2 replicaof no one'],
    ['slaveof no one', 'redis-cli -h cache-2 SLAVEOF NO ONE'],
    ['pg_promote', "psql -c 'select pg_promote()'"],
  ])('%s without a confirm before it is an error', async (_name, command) => {
    const r = await lint(`promote-${_name.replace(/\W/g, '')}`, `  .exec('promote', 'Promote', sh\`${command}\`)`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/destructive-needs-confirm +exec "promote" is destructive \(promote\)/);
  });

  it('the same promotion behind a confirm is clean', async () => {
    const r = await lint('promote-ok', "  .confirm('go', 'Promote cache-2 now?')\n  .exec('promote', 'Promote', sh`redis-cli -h cache-2 replicaof no one`)");
    expect(r.code).toBe(0);
  });

  it.each([
    ['redis-cli -a', 'redis-cli -a s3cretpassw0rd -h cache-2 ping'],
    ['mysql -p', 'mysql -u root -pS3cret db -e "select 1"'],
    ['sshpass -p', 'sshpass -p hunter2 ssh ops@db uptime'],
  ])('a password after %s is a literal secret', async (_name, command) => {
    const r = await lint(`secret-${_name.replace(/\W/g, '')}`, `  .check('x', 'X', sh\`${command}\`)`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/literal-secret +a password on a command line is written in the source/);
  });

  it('a password taken from a param is not', async () => {
    const r = await lint('secret-ok', "  .check('x', 'X', sh`redis-cli -a ${'$REDISCLI_AUTH'} -h cache-2 ping`)");
    expect(r.stdout).not.toContain('literal-secret');
  });
});

describe('diff: four-eyes approval removed', () => {
  it('flags a confirm that lost its second approver and a promote that lost requireSecondOperator', async () => {
    const a = join(tmp.dir, 'four-eyes-a.ts');
    const b = join(tmp.dir, 'four-eyes-b.ts');
    const body = (confirmOpts: string, promoteOpts: string): string => `import { notify, pg, runbook } from 'runbook';
export default runbook('fe', { title: 'FE', rto: '5m' })
  .notify('start', notify.console(), 'start')
  .confirm('go', 'Promote now?', ${confirmOpts})
  .promote('p', 'Promote', pg.promote({ standby: 'postgres://a@b/c' })${promoteOpts})
  .notify('end', notify.console(), 'end');
`;
    writeFileSync(a, body("{ approvers: 2, description: 'x' }", ', { requireSecondOperator: true }'));
    writeFileSync(b, body("{ description: 'x' }", ''));
    const r = await runCli(['diff', a, b, '--fail-on-risk']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('RISK  four-eyes-removed         confirm "go" needed 2 operators and now needs 1');
    expect(r.stdout).toContain('RISK  four-eyes-removed         promote "p" needed 2 operators and now needs 1');
  });
});
