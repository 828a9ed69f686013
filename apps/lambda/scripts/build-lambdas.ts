import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_PROVIDED } from '../src/deployment.js';

/** apps/lambda, whatever the working directory. */
export const LAMBDA_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HANDLERS_DIR = join(LAMBDA_ROOT, 'src', 'handlers');
const DEFAULT_OUTDIR = join(LAMBDA_ROOT, 'dist');
/** The repository's root: `core`, `adapters` and `apps/lambda` are under it. */
const REPOSITORY_ROOT = join(LAMBDA_ROOT, '..', '..');

/** Options of {@link buildLambdas}. */
export interface BuildLambdasOptions {
  /** Where the bundles go, one `<handler>/bundle.mjs` each; default `apps/lambda/dist`. */
  readonly outdir?: string;
  /** `external` (the deployment's choice, default) or `bundled` (SST's default, for comparison). */
  readonly sdk?: 'external' | 'bundled';
  /** Only these handlers (file names without `.ts`); default all. */
  readonly only?: readonly string[];
  /**
   * A copy of another version's `core`, `adapters`, `apps/lambda` and `tsconfig.base.json` (the
   * benchmark's baseline, from a fixed commit) to bundle instead of this tree's. Packages
   * resolve as from this tree, and the workspace packages to the copy's source.
   */
  readonly sourceRoot?: string;
}

/** One built handler. */
export interface BuiltHandler {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  /** Output bytes by package (`inversify`, `@aws-lambda-powertools/logger`, `@pushline/core`, …). */
  readonly byPackage: Readonly<Record<string, number>>;
}

/** The handler entry points: every `.ts` file in `src/handlers`. */
async function handlerNames(handlersDir: string): Promise<string[]> {
  const files = await readdir(handlersDir);
  return files
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

/**
 * esbuild options as SST 4 sets them for a `nodejs22.x` function (the functions now run on
 * `nodejs24.x`, which runs ES2023 as is) with `format: "esm"` and
 * `minify: true` (pkg/runtime/node/build.go): platform node, ESM, target ES2023, main fields
 * `module,main`, `keepNames`, the `createRequire` banner, all three minifications.
 */
function sstLikeOptions(entry: string, outfile: string, sdk: 'external' | 'bundled'): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2023',
    mainFields: ['module', 'main'],
    keepNames: true,
    minify: true,
    metafile: true,
    logLevel: 'silent',
    external: ['sharp', 'pg-native', ...(sdk === 'external' ? RUNTIME_PROVIDED : [])],
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module';",
        'const require = topLevelCreateRequire(import.meta.url);',
        "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';",
        'const __filename = topLevelFileUrlToPath(import.meta.url);',
        "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));",
      ].join('\n'),
    },
  };
}

function packageOf(input: string): string {
  const parts = input.split('node_modules/');
  const tail = parts.at(-1) ?? input;
  if (parts.length === 1) {
    const workspace = /^(?:\.\.\/)*(core|adapters|apps\/lambda)\//.exec(tail);
    return workspace === null ? tail : `@pushline/${(workspace[1] ?? '').replace('apps/', '')}`;
  }
  const segments = tail.split('/');
  return tail.startsWith('@') ? `${segments[0] ?? ''}/${segments[1] ?? ''}` : (segments[0] ?? tail);
}

function sizesByPackage(metafile: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      sizes[name] = (sizes[name] ?? 0) + bytesInOutput;
    }
  }
  return sizes;
}

/**
 * Resolves the bare imports of files under `root` as the same files of this tree would, then
 * swaps a workspace package's source (outside `node_modules`) for the copy's.
 */
function fromSourceRoot(root: string): Plugin {
  return {
    name: 'source-root',
    setup(plugin) {
      plugin.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (!args.importer.startsWith(root + sep)) return undefined;
        const resolveDir = join(REPOSITORY_ROOT, relative(root, args.resolveDir));
        const found = await plugin.resolve(args.path, { kind: args.kind, resolveDir });
        if (found.errors.length > 0 || found.external) return found;
        const inTree = relative(REPOSITORY_ROOT, found.path);
        if (inTree.startsWith('..') || inTree.split(sep).includes('node_modules')) return found;
        return { path: join(root, inTree) };
      });
    },
  };
}

/** Bundles every handler the way SST does and returns the bundles with their sizes. */
export async function buildLambdas(options: BuildLambdasOptions = {}): Promise<BuiltHandler[]> {
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const sdk = options.sdk ?? 'external';
  const root = options.sourceRoot ?? REPOSITORY_ROOT;
  const handlersDir = join(root, relative(REPOSITORY_ROOT, HANDLERS_DIR));
  const names = options.only ?? (await handlerNames(handlersDir));
  await mkdir(outdir, { recursive: true });
  return Promise.all(
    names.map(async (name) => {
      const dir = join(outdir, name);
      await rm(dir, { recursive: true, force: true });
      const file = join(dir, 'bundle.mjs');
      const result = await build({
        ...sstLikeOptions(join(handlersDir, `${name}.ts`), file, sdk),
        absWorkingDir: root,
        plugins: options.sourceRoot === undefined ? [] : [fromSourceRoot(options.sourceRoot)],
      });
      const { size } = await stat(file);
      return {
        name,
        file,
        bytes: size,
        byPackage: sizesByPackage(result.metafile ?? { inputs: {}, outputs: {} }),
      };
    }),
  );
}

/** The names a module exports, as esbuild reads them (no bundling). */
export async function moduleExports(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [file],
    bundle: false,
    write: false,
    metafile: true,
    format: 'esm',
  });
  return Object.values(result.metafile.outputs).flatMap((output) => output.exports);
}

/**
 * Bundles `sst.config.ts` as the SST CLI does before evaluating it (pkg/js/js.go: ESM, ES2023,
 * main fields `module,main`, and no top-level `import` statements in sst.config.ts itself), and
 * returns esbuild's errors: an import that cannot resolve fails here as it would in `sst deploy`.
 */
export async function sstConfigBundleErrors(file: string): Promise<string[]> {
  const topLevelImports: string[] = [];
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'es2023',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'disallow-top-level-imports',
        setup(plugin) {
          plugin.onResolve({ filter: /.*/ }, (args) => {
            if (basename(args.importer) === 'sst.config.ts' && args.kind === 'import-statement') {
              topLevelImports.push(args.path);
            }
            return undefined;
          });
        },
      },
    ],
  }).catch((error: unknown) => ({
    errors: [{ text: error instanceof Error ? error.message : 'build failed' }],
  }));
  return [
    ...topLevelImports.map((path) => `top-level import of ${path}`),
    ...result.errors.map((error) => error.text),
  ];
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function main(): Promise<void> {
  const sdk = process.argv.includes('--sdk-bundled') ? 'bundled' : 'external';
  const built = await buildLambdas({ sdk });
  const rows = built.map((handler) => {
    const top = Object.entries(handler.byPackage)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 3)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ');
    return `${handler.name.padEnd(18)} ${kb(handler.bytes).padStart(9)}  inversify ${kb(
      (handler.byPackage.inversify ?? 0) + sumScoped(handler.byPackage, '@inversifyjs/'),
    ).padStart(8)}  ${relative(process.cwd(), handler.file)}  (${top})`;
  });
  console.log(`Lambda bundles (esbuild as SST does it, ESM, minified, ES2023; AWS SDK ${sdk})`);
  for (const row of rows) console.log(`  ${row}`);
}

export function sumScoped(byPackage: Readonly<Record<string, number>>, prefix: string): number {
  return Object.entries(byPackage)
    .filter(([name]) => name.startsWith(prefix))
    .reduce((total, [, bytes]) => total + bytes, 0);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
