// Per Lambda handler: the minified bundle (esbuild as SST runs it, AWS SDK external), inversify's
// share of it, and the cold init time (module load + container build + the use case's `get`, in
// a fresh Node process) of today's per-entry composition against the all-in-one container every
// handler built before it (the handlers of BASELINE_COMMIT, bundled from that commit's source),
// both built and measured alternately in the same run.
//
//   pnpm bench:lambda [samples=25] [handler …]   (default: every handler)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLambdas, type BuiltHandler, LAMBDA_ROOT, sumScoped } from '@pushline/lambda/build';
import { ENV } from '@pushline/lambda/config';
import { QUEUES, TABLES } from '@pushline/lambda/topology';
import { median, quantile } from './support/clients.js';
import { seededRandom } from './support/random.js';

/** The last commit whose handlers all built one container with every adapter in it. */
const BASELINE_COMMIT = 'a3c75a4c441bda8e58457234dc91ce1c716e43ff';
/** What the baseline's bundles are built from: the packages a handler bundles, and their tsconfig. */
const BASELINE_PATHS = ['core', 'adapters', 'apps/lambda', 'tsconfig.base.json'];
/** `ping` and `$default` hold no adapter now: their cold init should be at most this share of the baseline's. */
const LEAN_TARGET = 0.6;
const LEAN_HANDLERS = ['ping', 'default'];

const samples = Number(process.argv[2] ?? 25);
const only = process.argv.slice(3);
const repositoryRoot = join(LAMBDA_ROOT, '..', '..');

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

/** One cold start: wall and CPU milliseconds from just before `import()` to just after it. */
interface Init {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * A cold start in a fresh Node process (the handler module builds its container at load). The
 * CPU time (user + system, every thread of the process) is what a loaded machine disturbs
 * least: waiting for a core counts in the wall time only.
 */
function coldInit(file: string): Init {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const w = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(w + ' ' + (u.user + u.system) / 1000);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cold start of ${file} failed: ${run.stderr}`);
  const [wallMs = Number.NaN, cpuMs = Number.NaN] = run.stdout.split(' ').map(Number);
  return { wallMs, cpuMs };
}

function inversifyBytes(handler: BuiltHandler): number {
  return (
    (handler.byPackage.inversify ?? 0) +
    sumScoped(handler.byPackage, '@inversifyjs/') +
    (handler.byPackage['reflect-metadata'] ?? 0)
  );
}

/** The baseline's sources, from the repository's own history (no network). */
function extractBaseline(into: string): void {
  const archive = execFileSync('git', ['archive', '--format=tar', BASELINE_COMMIT, ...BASELINE_PATHS], {
    cwd: repositoryRoot,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** One figure of a handler against the baseline's: both medians, their ratio and its 95 % interval. */
interface Comparison {
  readonly medians: readonly [number, number];
  readonly ratio: number;
  readonly interval: readonly [number, number];
}

/**
 * A 95 % interval of the ratio of medians (per-entry / baseline), by a paired bootstrap: the
 * cold starts were taken in pairs, one of each variant, so pairs are resampled together and a
 * drift in the machine's load stays in both halves of a pair.
 */
function ratioInterval(
  lean: readonly number[],
  baseline: readonly number[],
  random: () => number,
): [number, number] {
  const ratios = new Float64Array(2_000);
  const pairs = Math.min(lean.length, baseline.length);
  for (let i = 0; i < ratios.length; i++) {
    const picked = Array.from({ length: pairs }, () => Math.floor(random() * pairs));
    ratios[i] = median(picked.map((j) => lean[j]!)) / median(picked.map((j) => baseline[j]!));
  }
  ratios.sort();
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}

/**
 * What the ratios say of "no handler slower than the baseline": met when none is above 1.00;
 * missed when some handler's whole interval is above 1.00 (slower beyond the noise); otherwise
 * not shown either way.
 */
function verdict(ratios: readonly (readonly [string, number, readonly [number, number]])[]): string {
  const slower = ratios.filter(([, , [low]]) => low > 1).map(([name]) => name);
  if (slower.length > 0) return `MISSED: ${slower.join(', ')} slower beyond the noise (interval above 1.00)`;
  if (ratios.every(([, ratio]) => ratio <= 1)) return 'met';
  return 'not shown: within the noise (each ratio above 1.00 has an interval that spans 1.00)';
}

async function main(): Promise<void> {
  await mkdir(join(LAMBDA_ROOT, 'dist'), { recursive: true });
  const outdir = await mkdtemp(join(LAMBDA_ROOT, 'dist', 'bench-'));
  const sourceRoot = await mkdtemp(join(tmpdir(), 'pushline-baseline-'));
  try {
    extractBaseline(sourceRoot);
    const [lean, baseline] = await Promise.all([
      buildLambdas({ outdir: join(outdir, 'per-entry'), ...(only.length > 0 ? { only } : {}) }),
      buildLambdas({ outdir: join(outdir, 'baseline'), sourceRoot, ...(only.length > 0 ? { only } : {}) }),
    ]);
    const load = loadavg().map((value) => value.toFixed(1));
    const rows: string[] = [];
    const ratios = new Map<string, Record<'wall' | 'cpu', Comparison>>();
    const random = seededRandom(samples);
    for (const bundle of lean) {
      const before = baseline.find((other) => other.name === bundle.name);
      if (before === undefined) throw new Error(`no baseline bundle for ${bundle.name}`);
      coldInit(bundle.file);
      coldInit(before.file);
      const leanRuns: Init[] = [];
      const baselineRuns: Init[] = [];
      for (let i = 0; i < samples; i++) {
        // Alternate which variant goes first, so a drift in the machine's load hits both alike.
        if (i % 2 === 0) {
          leanRuns.push(coldInit(bundle.file));
          baselineRuns.push(coldInit(before.file));
        } else {
          baselineRuns.push(coldInit(before.file));
          leanRuns.push(coldInit(bundle.file));
        }
      }
      const compare = (read: (run: Init) => number): Comparison => {
        const mine = leanRuns.map(read);
        const theirs = baselineRuns.map(read);
        const medians = [median(mine), median(theirs)] as const;
        return { medians, ratio: medians[0] / medians[1], interval: ratioInterval(mine, theirs, random) };
      };
      const compared = { wall: compare((run) => run.wallMs), cpu: compare((run) => run.cpuMs) };
      ratios.set(bundle.name, compared);
      const ms = (value: number): string => value.toFixed(1);
      const cells = ({ medians, ratio, interval: [low, high] }: Comparison): string =>
        `${ms(medians[0])} | ${ms(medians[1])} | ${ratio.toFixed(2)} (${low.toFixed(2)}–${high.toFixed(2)})`;
      rows.push(
        `| ${bundle.name} | ${kb(bundle.bytes)} | ${kb(before.bytes)} | ${kb(inversifyBytes(bundle))} | ${cells(
          compared.wall,
        )} | ${cells(compared.cpu)} |`,
      );
    }
    console.log(
      `Lambda bundles: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    );
    console.log(
      `load average at start ${load.join(' / ')}, at end ${loadavg()
        .map((value) => value.toFixed(1))
        .join(' / ')} (1, 5, 15 min)`,
    );
    console.log(
      `${samples} cold starts per variant and handler, alternating; medians, ratios with their 95 % interval (paired bootstrap). Baseline: the handlers of ${BASELINE_COMMIT} (one all-in-one container).\n`,
    );
    console.log(
      '| handler | bundle KB | baseline KB | inversify share KB | init ms | baseline init ms | ratio | init CPU ms | baseline CPU ms | CPU ratio |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
    for (const kind of ['wall', 'cpu'] as const) {
      console.log('');
      for (const name of LEAN_HANDLERS.filter((lean) => ratios.has(lean))) {
        const ratio = ratios.get(name)?.[kind].ratio ?? Number.NaN;
        console.log(
          `${name}: ${kind} init ratio ${ratio.toFixed(2)} (target ≤ ${LEAN_TARGET}): ${ratio <= LEAN_TARGET ? 'met' : 'MISSED'}`,
        );
      }
      const all = [...ratios].map(
        ([name, compared]) => [name, compared[kind].ratio, compared[kind].interval] as const,
      );
      const [worstName, worst, interval] = all.reduce((a, b) => (b[1] > a[1] ? b : a));
      console.log(
        `worst ${kind} ratio ${worst.toFixed(2)} (${worstName}, 95 % interval ${interval[0].toFixed(2)}–${interval[1].toFixed(2)}); target: no handler slower than the baseline, ≤ 1.00: ${verdict(all)}`,
      );
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
    await rm(sourceRoot, { recursive: true, force: true });
  }
}

await main();
