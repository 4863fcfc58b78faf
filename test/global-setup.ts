import { existsSync } from 'node:fs';

/** The CLI tests run the built CLI: `npm test` builds first (pretest). */
export default function setup(): void {
  if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
    throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it for you).');
  }
}
