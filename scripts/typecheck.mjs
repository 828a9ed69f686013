// Type-checks every project of the workspace. Core is checked on its own with no
// ambient types (no Node, no DOM), so a stray `process` or `Buffer` in core fails here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['core', 'adapters', 'apps/server', 'apps/local', 'apps/lambda', '.'].filter((p) =>
  existsSync(`${p}/tsconfig.json`),
);
let failed = 0;
for (const project of projects) {
  const run = spawnSync('tsc', ['-p', project], { stdio: 'inherit', shell: false });
  if (run.status !== 0) {
    failed += 1;
    console.error(`typecheck failed: ${project}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
