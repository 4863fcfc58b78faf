// `npm start` is the embedded demo: a tabletop of examples/tabletop/pg-failover.ts with one fault.
// Without a terminal it runs unattended; the scenario's path and the simulated RTO are asserted.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_DIR, ROOT, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('runbook-demo-');
});
afterEach(() => tmp.cleanup());

function demo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs'), ...args], { cwd: tmp.dir, env: { ...process.env, NO_COLOR: '1', RUNBOOK_LOCK_DIR: LOCK_DIR }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start (the demo tabletop)', () => {
  it('plays the failover against the scenario unattended when there is no terminal: the fault is retried, the lag waited out, RTO reported', async () => {
    const store = join(tmp.dir, 'store');
    const r = await demo(['--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(' SIMULATION ');
    expect(r.stdout).toContain('scenario at 3m00s: the standby has replayed the batch load: lag 0');
    expect(r.stdout).toContain('ssh: connect to host pg-primary.internal port 22: Connection timed out');
    expect(r.stdout).toMatch(/DONE · simulated 9m25s of RTO 5m00s \(188\.3%, over RTO\)/);
    const runs = readdirSync(join(store, 'runs'));
    const events = readFileSync(join(store, 'runs', runs[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; choice?: string; status?: string; attempts?: number });
    expect(events.filter((e) => e.type === 'decision').map((e) => [e.stepId, e.choice])).toEqual([['fence-old-primary', 'retry']]);
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'standby-caught-up')).toMatchObject({ status: 'ok', attempts: 5 });
    expect(events.find((e) => e.type === 'step-finished' && e.stepId === 'promote-standby')).toMatchObject({ status: 'ok' });
  });
});

describe('the README scenario examples are the shipped files', () => {
  it('the YAML twin plays the same path as the typed scenario', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const store = join(tmp.dir, 'store-yaml');
    const r = await runCli(['run', join(ROOT, 'examples/tabletop/pg-failover.ts'), '--simulate', join(ROOT, 'examples/tabletop/standby-lagging.yaml'), '--auto', '--ui', 'plain', '--store', store]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DONE · simulated 9m25s of RTO 5m00s/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const yaml = readFileSync(join(ROOT, 'examples/tabletop/standby-lagging.yaml'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(readme).toContain(yaml.trim());
  });
});
