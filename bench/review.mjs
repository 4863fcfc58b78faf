// Static review speed: `runbook lint` over 100 generated runbooks of 40 steps, and `runbook diff` of two
// 200-step versions, whole processes, against `node -e ''` measured in the same run.
// Standalone: node bench/review.mjs   (npm run bench runs it as section 4)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

/** One step of a realistic runbook: every kind, lazy interpolations, options, a destructive verb now and then. */
function step(i, variant = 0) {
  const k = i % 8;
  const id = `step-${i}`;
  if (k === 0) return `.check('${id}', 'Service ${i} answers', sh\`systemctl is-active svc-${i} --host \${(c) => c.params.host}\`, { timeout: '30s', retry: { attempts: 3, interval: '5s' } })`;
  if (k === 1) return `.confirm('${id}', 'Go on with service ${i}?', { description: 'Check the dashboard first.' })`;
  if (k === 2) return `.exec('${id}', 'Stop service ${i}', sh\`ssh ops@\${(c) => c.params.host} systemctl stop svc-${i}\`, { timeout: '${variant ? 60 : 90}s' })`;
  if (k === 3) return `.exec('${id}', 'Copy data ${i}', sh\`rsync -a /data/${i}/ \${(c) => c.params.host}:/data/${i}/\`, { estimate: '2m', continueOnError: ${variant ? 'true' : 'false'} })`;
  if (k === 4) return `.check('${id}', 'Lag ${i} is small', http.get((c) => \`https://\${c.params.host}/lag/${i}\`, { expectStatus: 200 }), { expect: (r) => r.status === 200 })`;
  if (k === 5) return `.exec('${id}', 'Restart ${i}', sh\`systemctl restart svc-${i}\`, { when: (c) => c.params.host !== 'none' })`;
  if (k === 6) return `.check('${id}', 'Service ${i} is back', sh\`curl -fsS http://127.0.0.1:${8000 + i}/health\`)`;
  return `.notify('${id}', notify.console(), (c) => \`step ${i} done on \${c.params.host}\`)`;
}

export function runbookSource(name, steps, variant = 0) {
  const lines = [
    `import { runbook, param, sh, http, notify } from 'runbook';`,
    '',
    `export default runbook('${name}', {`,
    `  title: 'Generated ${name}',`,
    `  rto: '30m',`,
    `  params: { host: param.string({ default: 'db2.example.com' }), token: param.secret({ env: 'TOKEN' }) },`,
    '})',
  ];
  steps.forEach((i, n) => {
    if (n % 10 === 0) lines.push(`  .phase('Phase ${n / 10}')`);
    lines.push(`  ${step(i, variant && i % 7 === 0 ? 1 : 0)}`);
  });
  return `${lines.join('\n')};\n`;
}

function time(bin, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const dt = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`runbook ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return dt;
}

function nodeBaseline() {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export async function reviewBench(bin, rounds = Number(process.env.BENCH_REVIEW_ROUNDS ?? 5)) {
  const work = mkdtempSync(join(tmpdir(), 'runbook-bench-review-'));
  try {
    const dir = join(work, 'runbooks');
    mkdirSync(dir);
    const forty = Array.from({ length: 40 }, (_, i) => i);
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `rb-${f}.ts`), runbookSource(`generated-${f}`, forty));
    // Version 2 of a 200-step runbook: 5 removed, 5 added, 10 moved (two of them across phases), timeouts
    // lowered and continueOnError added on every 7th step.
    const v1 = Array.from({ length: 200 }, (_, i) => i);
    const v2 = v1.filter((i) => i % 40 !== 5);
    for (let j = 0; j < 5; j++) v2.splice(30 * j + 3, 0, 1000 + j);
    for (let j = 0; j < 10; j++) {
      const [moved] = v2.splice(15 * j + 1, 1);
      v2.splice(15 * j + (j < 2 ? 14 : 6), 0, moved);
    }
    const oldFile = join(work, 'v1.ts');
    const newFile = join(work, 'v2.ts');
    writeFileSync(oldFile, runbookSource('two-hundred', v1));
    writeFileSync(newFile, runbookSource('two-hundred', v2, 1));

    time(bin, ['lint', dir]); // warm the file cache
    const lint = [];
    const diff = [];
    const node = [];
    for (let r = 0; r < rounds; r++) {
      node.push(nodeBaseline());
      lint.push(time(bin, ['lint', dir, '--format', 'json']));
      diff.push(time(bin, ['diff', oldFile, newFile, '--format', 'json']));
    }
    const [mLint, mDiff, mNode] = [median(lint), median(diff), median(node)];
    console.log(`4) static review, whole process (median of ${rounds})`);
    console.log(`   node -e ''                   : ${ms(mNode)}`);
    console.log(`   lint 100 runbooks × 40 steps : ${ms(mLint)}  (target ≤ 2000 ms; ${(mLint / 100).toFixed(1)} ms per runbook)`);
    console.log(`   ratio lint / node            : ${(mLint / mNode).toFixed(1)}`);
    console.log(`   diff 200 steps vs 200 steps  : ${ms(mDiff)}  (target ≤ 1000 ms)`);
    console.log(`   ratio diff / node            : ${(mDiff / mNode).toFixed(1)}\n`);
    return { lintMs: mLint, diffMs: mDiff, nodeMs: mNode };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await reviewBench(fileURLToPath(new URL('../bin/runbook.js', import.meta.url)));
}
