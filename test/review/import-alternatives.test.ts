// A section headed "Or …" is an alternative: imported behind a confirm, never run unconditionally.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('runbook-import-alt-');
});
afterAll(() => tmp.cleanup());

describe('import: "Or …" sections', () => {
  it('guards the alternative section with a confirm; a dry-run shows the condition', async () => {
    const md = join(tmp.dir, 'dns.md');
    writeFileSync(md, '# DNS cutover\n\n## Cutover\n\n```bash\n/opt/dns/switch.sh --to dr\n```\n\n### Or roll back\n\n```bash\n/opt/dns/switch.sh --to primary\n```\n');
    const out = join(tmp.dir, 'dns.ts');
    const r = await runCli(['import', md, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain('"Or roll back" is an alternative');
    const ts = readFileSync(out, 'utf8');
    expect(ts).toContain(".confirm('roll-back-instead', 'Roll back instead?'");
    expect(ts).toMatch(/\.exec\('or-roll-back', 'Or roll back', sh`\/opt\/dns\/switch\.sh --to primary`, \{ when: \(c\) => c\.steps\['roll-back-instead'\]\.value === true \}\)/);
    const dry = await runCli(['run', out, '--dry-run', '--store', join(tmp.dir, 'store')]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/or-roll-back[\s\S]*only when \(c\) => c\.steps\["roll-back-instead"\]\.value === true/);
  });
});
