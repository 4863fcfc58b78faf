// Opt-in: the k8s adapter against a REAL cluster, read-only. It runs only when KUBECONFIG is set, and then
// lists the deployments of RUNBOOK_K8S_NAMESPACE (default: `default`) through the CLI in probe mode
// (`--dry-run --probe`), where only read-only steps may act, so it cannot change the cluster.
//
// Without KUBECONFIG it is skipped, saying so, and that is not a failure anywhere, CI included:
// RUNBOOK_REQUIRE_ALL=1 (which turns a missing server binary into an error) does not apply here, because
// no CI machine has a cluster to offer, and the adapter's behaviour is covered against the fake API server
// in k8s.test.ts. This test is for a person with a cluster who wants to see the real client against it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { onlyRun } from '../helpers/store.js';

const KUBECONFIG = process.env['KUBECONFIG'];
const NAMESPACE = process.env['RUNBOOK_K8S_NAMESPACE'] || 'default';

if (!KUBECONFIG) {
  process.stderr.write('\n\x1b[33m!!! SKIPPED (opt-in): k8s-real-cluster.test.ts needs a real cluster; set KUBECONFIG (and optionally RUNBOOK_K8S_NAMESPACE) to run it. Not a failure.\x1b[0m\n\n');
}

describe.skipIf(!KUBECONFIG)(`k8s against the real cluster of KUBECONFIG (read-only, namespace ${NAMESPACE})`, () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = tempDir('runbook-k8s-real-');
  });
  afterEach(() => tmp.cleanup());

  it('lists the deployments of the namespace in probe mode', async () => {
    const file = join(tmp.dir, 'list.ts');
    writeFileSync(file, `import { k8s, param, runbook } from 'runbook';
export default runbook('k8s-real-list', { title: 'List deployments', params: { namespace: param.string() } })
  .check('list', 'Deployments of the namespace', k8s.deployments((c) => ({ namespace: c.params.namespace })), { expect: (r) => r.ok });
`);
    const store = join(tmp.dir, 'store');
    const r = await runCli(['run', file, '--dry-run', '--probe', '--ui', 'plain', '--store', store, '-p', `namespace=${NAMESPACE}`], { cwd: tmp.dir, timeoutMs: 60_000 });
    process.stdout.write(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const finished = readFileSync(onlyRun(store), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; status?: string; result?: { ok: boolean; namespace: string; deployments: unknown[] } })
      .find((e) => e.type === 'step-finished' && e.stepId === 'list');
    expect(finished?.status).toBe('ok');
    expect(finished?.result).toMatchObject({ ok: true, namespace: NAMESPACE });
    expect(Array.isArray(finished?.result?.deployments)).toBe(true);
  });
});
