// Evaluates sst.config.ts with SST's real components, offline, the way `sst deploy` does
// (SST 4.17, pkg/project and pkg/js: the config bundled with the platform by esbuild), but with
// Pulumi's engine replaced by mocks (program.ts). One child process per evaluation: Pulumi's
// runtime state is global.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Evaluation, Graph, REGION } from './graph.js';

/** The SST version whose CLI steps this file re-does; another one must be looked at first. */
export const SST_VERSION = '4.17.1';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const PLATFORM = join(REPO_ROOT, '.sst', 'platform');
const CONFIG = join(REPO_ROOT, 'sst.config.ts');
const PROGRAM = join(dirname(fileURLToPath(import.meta.url)), 'program.ts');

/**
 * Throws, naming the fix, unless `sst install` has written the platform this harness was
 * written for. Never a skip: a missing platform would otherwise pass the deploy checks.
 */
export function checkPlatform(platform = PLATFORM): void {
  const versionFile = join(platform, 'version');
  if (!existsSync(join(platform, 'src', 'auto', 'run.ts')) || !existsSync(versionFile)) {
    throw new Error(
      `SST's platform is missing at ${platform}: run \`pnpm typecheck\` (it runs \`sst install\`) before the tests`,
    );
  }
  const version = readFileSync(versionFile, 'utf8').trim();
  if (version !== SST_VERSION) {
    throw new Error(
      `.sst/platform is SST ${version}, but test/apps/lambda/sst-real/ re-does the CLI steps of SST ${SST_VERSION}: ` +
        'check them against the new version (pkg/project/run.go, platform/src/auto/run.ts) and update SST_VERSION',
    );
  }
}

/** One evaluation to run. */
export interface EvaluateOptions {
  readonly stage: string;
  /** The deployer's environment (`PUSHLINE_JWKS_URL`, …); nothing else of this process leaks in. */
  readonly env?: Readonly<Record<string, string>>;
  /** Values of `sst secret set`: name to value. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Kills the child after this long (it has its own, shorter, watchdog). */
  readonly timeoutMs?: number;
}

/** The result of one evaluation, and how the child ended. */
export interface EvaluationRun {
  readonly graph: Graph;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Wall time of the child, in ms (reported, never asserted). */
  readonly durationMs: number;
}

/** The part of esbuild's API used here (esbuild is not a dependency of the root package). */
interface Esbuild {
  build(options: BuildOptions): Promise<unknown>;
}
type BuildOptions = Record<string, unknown>;
interface Plugin {
  readonly name: string;
  setup(build: {
    onLoad(
      filter: { filter: RegExp },
      load: (args: {
        path: string;
      }) => Promise<{ contents: string; loader: 'ts'; resolveDir: string } | undefined>,
    ): void;
  }): void;
}

function esbuildOfPlatform(): Esbuild {
  // SST's own esbuild (the CLI bundles with esbuild too); the platform must be there anyway.
  return createRequire(join(PLATFORM, 'package.json'))('esbuild') as Esbuild;
}

/** Serves sst.config.ts patched, with its imports resolving as from the repository root. */
function patchPlugin(patch: ((source: string) => string) | undefined): Plugin {
  return {
    name: 'pushline-patch-config',
    setup(build) {
      if (patch === undefined) return;
      build.onLoad({ filter: /sst\.config\.ts$/ }, async (args) => {
        if (args.path !== CONFIG) return undefined;
        const source = await readFile(CONFIG, 'utf8');
        const patched = patch(source);
        if (patched === source) throw new Error('the patch changed nothing in sst.config.ts');
        return { contents: patched, loader: 'ts', resolveDir: REPO_ROOT };
      });
    },
  };
}

const BANNER = [
  "import { createRequire as pushlineCreateRequire } from 'module';",
  'const require = pushlineCreateRequire(import.meta.url);',
  "import { fileURLToPath as pushlineFileURLToPath } from 'url';",
  'const __filename = pushlineFileURLToPath(import.meta.url);',
  "const __dirname = pushlineFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

function commonOptions(work: string, patch: ((source: string) => string) | undefined): BuildOptions {
  return {
    bundle: true,
    write: true,
    format: 'esm',
    platform: 'node',
    target: 'es2023',
    mainFields: ['module', 'main'],
    nodePaths: [join(PLATFORM, 'node_modules')],
    logLevel: 'silent',
    absWorkingDir: work,
    plugins: [patchPlugin(patch)],
  };
}

interface Child {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runNode(file: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', file], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** A clean environment: only what the evaluation needs, so the caller's shell cannot change the graph. */
function childEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: '--enable-source-maps --no-deprecation',
    SST_AWS_REGION: REGION,
    AWS_REGION: REGION,
    PULUMI_CONFIG: JSON.stringify({ 'aws:region': REGION }),
    SST_TELEMETRY_DISABLED: '1',
  };
  return { ...env, ...extra };
}

/** sst.config.ts bundled with SST's platform, ready to be evaluated for any stage. */
export interface PreparedConfig {
  /** Evaluates the config for a stage in a fresh child process. */
  evaluate(options: EvaluateOptions): Promise<EvaluationRun>;
  /** Removes the bundle. */
  dispose(): Promise<void>;
}

/**
 * Bundles sst.config.ts (patched, when `patch` is given) with SST's platform as `sst deploy`
 * does: `auto/run.ts` around the config's `run()`, the shim's globals injected (`$interpolate`,
 * `$util`, …), `aws` and `sst` on `globalThis`. One bundle serves every stage: `$app` and `$cli`
 * are set by program.ts at run time instead of being defined at build time.
 */
export async function prepareSst(patch?: (source: string) => string): Promise<PreparedConfig> {
  checkPlatform();
  const esbuild = esbuildOfPlatform();
  const dir = await mkdtemp(join(tmpdir(), 'pushline-sst-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const appFile = join(dir, 'app.mjs');
  const runFile = join(dir, 'run.mjs');
  try {
    // The bundle imports @pulumi/* at run time: resolve them from the platform.
    await symlink(join(PLATFORM, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // app() first, in a bundle of its own without the platform; it then loads run.mjs.
    await esbuild.build({
      ...commonOptions(dir, patch),
      banner: { js: `${BANNER}\nfunction $config(input) { return input; }` },
      stdin: {
        contents: [
          `import config from ${JSON.stringify(CONFIG)};`,
          `import { installApp } from ${JSON.stringify(PROGRAM)};`,
          'await installApp(config);',
          "await import(new URL('./run.mjs', import.meta.url).href);",
        ].join('\n'),
        resolveDir: REPO_ROOT,
        sourcefile: 'app.ts',
        loader: 'ts',
      },
      outfile: appFile,
    });
    await esbuild.build({
      ...commonOptions(dir, patch),
      banner: { js: BANNER },
      define: { $dev: 'false' },
      inject: [join(PLATFORM, 'src', 'shim', 'run.js')],
      // `vite` is a dynamic import of a component this config does not use.
      external: ['@pulumi/*', 'esbuild', 'vite'],
      sourcemap: 'linked',
      stdin: {
        contents: [
          `import * as pulumi from '@pulumi/pulumi';`,
          `import * as aws from '@pulumi/aws';`,
          `import * as sst from ${JSON.stringify(join(PLATFORM, 'src', 'components', 'index.ts'))};`,
          `import { run } from ${JSON.stringify(join(PLATFORM, 'src', 'auto', 'run.ts'))};`,
          `import config from ${JSON.stringify(CONFIG)};`,
          `import { evaluateProgram } from ${JSON.stringify(PROGRAM)};`,
          'Object.assign(globalThis, { aws, sst });',
          'await evaluateProgram(pulumi, (recordOptions) => run(async () => { recordOptions(); return config.run(); }));',
        ].join('\n'),
        resolveDir: REPO_ROOT,
        sourcefile: 'run.ts',
        loader: 'ts',
      },
      outfile: runFile,
    });
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    dispose,
    async evaluate(options) {
      const timeoutMs = options.timeoutMs ?? 90_000;
      const work = await mkdtemp(join(dir, 'work-'));
      const started = performance.now();
      try {
        const out = join(work, 'evaluation.json');
        const secrets = Object.fromEntries(
          Object.entries(options.secrets ?? {}).map(([name, value]) => [`SST_SECRET_${name}`, value]),
        );
        const cli = {
          command: 'deploy',
          dev: false,
          paths: { home: join(work, 'home'), root: REPO_ROOT, work, platform: PLATFORM },
          state: { version: {} },
        };
        const child = await runNode(
          appFile,
          childEnv({
            ...options.env,
            ...secrets,
            PUSHLINE_SST_EVAL_OUT: out,
            PUSHLINE_SST_EVAL_WORK: work,
            PUSHLINE_SST_EVAL_STAGE: options.stage,
            PUSHLINE_SST_EVAL_CLI: JSON.stringify(cli),
            PUSHLINE_SST_EVAL_WATCHDOG_MS: String(Math.max(timeoutMs - 10_000, 5_000)),
          }),
          timeoutMs,
        );
        if (!existsSync(out)) {
          throw new Error(
            `the evaluation of ${options.stage} wrote nothing (exit ${String(child.exitCode)}):\n${child.stderr}`,
          );
        }
        const evaluation = JSON.parse(await readFile(out, 'utf8')) as Evaluation;
        return {
          graph: new Graph(evaluation),
          exitCode: child.exitCode,
          stderr: child.stderr,
          durationMs: Math.round(performance.now() - started),
        };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** Bundles, evaluates once and removes the bundle. */
export async function evaluateSst(
  options: EvaluateOptions & { readonly patch?: (source: string) => string },
): Promise<EvaluationRun> {
  const prepared = await prepareSst(options.patch);
  try {
    return await prepared.evaluate(options);
  } finally {
    await prepared.dispose();
  }
}

/** Runs `evaluateSst` from the command line: `tsx test/apps/lambda/sst-real/evaluate.ts <stage> [KEY=VALUE…]`. */
async function main(): Promise<void> {
  const [stage = 'production', ...pairs] = process.argv.slice(2);
  const env = Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const secrets = stage === 'production' ? {} : { TokenSecret: 'evaluation-token-secret-of-32-bytes!' };
  const { graph, exitCode, stderr, durationMs } = await evaluateSst({ stage, env, secrets });
  await writeFile(join(tmpdir(), `pushline-sst-${stage}.json`), JSON.stringify(graph.evaluation, null, 2));
  console.log(
    `${stage}: ${graph.evaluation.status}, ${String(graph.evaluation.resources.length)} resources, exit ${String(exitCode)}, ${String(durationMs)} ms`,
  );
  for (const error of graph.evaluation.errors) console.log(`  ${error.kind} ${error.name}: ${error.message}`);
  if (stderr !== '') console.log(stderr);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
