// Type-checks every project of the workspace. Core is checked on its own with no
// ambient types (no Node, no DOM), so a stray `process` or `Buffer` in core fails here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = [
  'core',
  'adapters',
  'clients/js',
  'apps/server',
  'apps/local',
  'apps/local/src/demo',
  'apps/lambda',
  '.',
].filter((p) => existsSync(`${p}/tsconfig.json`));
let failed = 0;
for (const project of projects) {
  const run = spawnSync('tsc', ['-p', project], { stdio: 'inherit', shell: false });
  if (run.status !== 0) {
    failed += 1;
    console.error(`typecheck failed: ${project}`);
  }
}

// sst.config.ts is typed by SST's generated platform types (.sst/platform, about 300 MB from
// the npm registry, no AWS needed); `sst install` writes them once. PUSHLINE_SKIP_SST_TYPECHECK=1 skips.
if (process.env.PUSHLINE_SKIP_SST_TYPECHECK !== '1') {
  if (!existsSync('.sst/platform/config.d.ts')) {
    spawnSync('sst', ['install', '--stage', 'ci'], {
      stdio: 'inherit',
      shell: false,
      env: { ...process.env, SST_SKIP_DEPENDENCY_CHECK: '1', SST_NO_BUN: '1', SST_TELEMETRY_DISABLED: '1' },
    });
  }
  const run = spawnSync('tsc', ['-p', 'tsconfig.sst.json'], { stdio: 'inherit', shell: false });
  if (run.status !== 0) {
    failed += 1;
    console.error('typecheck failed: sst.config.ts (tsconfig.sst.json)');
  }
}
process.exit(failed === 0 ? 0 : 1);
