// Per Lambda handler: the minified bundle (esbuild as SST runs it, AWS SDK external), inversify's
// share of it, and the cold init time (module load + container build + the use case's `get`, in
// a fresh Node process) of the inversify bundle against a hand-wired bundle of the same handler,
// measured alternately in the same run.
//
//   pnpm bench:lambda [samples=15]
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildLambdas,
  type BuiltHandler,
  HAND_WIRED_CONTAINER,
  LAMBDA_ROOT,
  sumScoped,
} from '@pushline/lambda/build';
import { ENV } from '@pushline/lambda/config';
import { QUEUES, TABLES } from '@pushline/lambda/topology';
import { median } from './support/clients.js';

const samples = Number(process.argv[2] ?? 15);
const SIZE_TARGET = 250 * 1024;
const INVERSIFY_TARGET = 15 * 1024;
const INIT_TARGET = 1.1;

/** Every variable any handler reads; nothing is contacted during init. */
const env: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ),
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  [ENV.mode]: 'dev',
  [ENV.authMode]: 'either',
  ...Object.fromEntries(TABLES.map((table) => [table.nameVariable, table.name])),
  ...Object.fromEntries(QUEUES.map((queue) => [queue.urlVariable, `http://127.0.0.1:9/queue/${queue.name}`])),
  [ENV.managementEndpoint]: 'http://127.0.0.1:9/local',
  [ENV.tokenSecret]: 'a-benchmark-secret-of-at-least-32-bytes',
};

/** Milliseconds from just before `import()` to just after it (the handler module builds its container at load). */
function coldInit(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cold start of ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

function inversifyBytes(handler: BuiltHandler): number {
  return (
    (handler.byPackage.inversify ?? 0) +
    sumScoped(handler.byPackage, '@inversifyjs/') +
    (handler.byPackage['reflect-metadata'] ?? 0)
  );
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const outdir = await mkdtemp(join(LAMBDA_ROOT, 'dist', 'bench-'));
  try {
    const [withInversify, handWired] = await Promise.all([
      buildLambdas({ outdir: join(outdir, 'inversify') }),
      buildLambdas({ outdir: join(outdir, 'hand-wired'), containerModule: HAND_WIRED_CONTAINER }),
    ]);
    const rows: string[] = [];
    const ratios: number[] = [];
    for (const bundle of withInversify) {
      const baseline = handWired.find((other) => other.name === bundle.name);
      if (baseline === undefined) throw new Error(`no hand-wired bundle for ${bundle.name}`);
      coldInit(bundle.file);
      coldInit(baseline.file);
      const inversifyMs: number[] = [];
      const handWiredMs: number[] = [];
      for (let i = 0; i < samples; i++) {
        inversifyMs.push(coldInit(bundle.file));
        handWiredMs.push(coldInit(baseline.file));
      }
      const ratio = median(inversifyMs) / median(handWiredMs);
      ratios.push(ratio);
      rows.push(
        `| ${bundle.name} | ${kb(bundle.bytes)} | ${kb(baseline.bytes)} | ${kb(inversifyBytes(bundle))} | ${kb(
          bundle.bytes - baseline.bytes,
        )} | ${median(inversifyMs).toFixed(1)} | ${median(handWiredMs).toFixed(1)} | ${ratio.toFixed(2)} |`,
      );
    }
    const largest = Math.max(...withInversify.map((bundle) => bundle.bytes));
    const share = Math.max(...withInversify.map(inversifyBytes));
    console.log(
      `Lambda bundles: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    );
    console.log(`${samples} cold starts per variant and handler, alternating; medians.\n`);
    console.log(
      '| handler | bundle KB | hand-wired KB | inversify share KB | difference KB | init ms | hand-wired init ms | ratio |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
    console.log(
      `\nlargest bundle ${kb(largest)} KB (target ≤ ${kb(SIZE_TARGET)}): ${largest <= SIZE_TARGET ? 'met' : 'MISSED'}`,
    );
    console.log(
      `inversify share ${kb(share)} KB (target ≤ ${kb(INVERSIFY_TARGET)}): ${share <= INVERSIFY_TARGET ? 'met' : 'MISSED'}`,
    );
    const worst = Math.max(...ratios);
    console.log(
      `init ratio median ${median(ratios).toFixed(2)}, worst ${worst.toFixed(2)} (target ≤ ${INIT_TARGET}): ${worst <= INIT_TARGET ? 'met' : 'MISSED'}`,
    );
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

await main();
