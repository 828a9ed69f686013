import Sparticuz from '@sparticuz/chromium';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Where the browser the tests drive comes from, in the order it is looked for. */
export type ChromiumSource = 'PUSHLINE_CHROMIUM' | 'system' | 'npm';

export interface FoundChromium {
  readonly executablePath: string;
  readonly source: ChromiumSource;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser'];

// Flags for a headless browser run as root in a container: no sandbox (root), no GPU, and none
// of the background traffic a fresh profile would start (the tests reach only 127.0.0.1).
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-zygote',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Finds a Chromium without downloading one: an explicit `PUSHLINE_CHROMIUM` path, then a
 * system `chromium` on `PATH`, then the Chromium shipped inside the `@sparticuz/chromium` npm
 * package (from the lockfile), decompressed once into `node_modules/.cache`.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const explicit = env.PUSHLINE_CHROMIUM;
  if (explicit !== undefined && explicit !== '') {
    if (!isExecutable(explicit)) throw new Error(`PUSHLINE_CHROMIUM=${explicit} is not an executable file`);
    return { executablePath: explicit, source: 'PUSHLINE_CHROMIUM' };
  }
  const system = findOnPath(SYSTEM_NAMES, env.PATH ?? '');
  if (system !== null) return { executablePath: system, source: 'system' };
  return { executablePath: await unpackNpmChromium(), source: 'npm' };
}

/** Launches the Chromium {@link findChromium} finds, headless. The caller closes it. */
export async function launchChromium(): Promise<Browser> {
  const { executablePath } = await findChromium();
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(names: readonly string[], path: string): string | null {
  for (const name of names) {
    for (const dir of path.split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Decompresses the npm package's Chromium (about 7 s, once per install) into a cache folder
 * of its own. Test files run in parallel workers, so one of them takes a lock (an exclusive
 * `mkdir`) while the others wait; a marker file written last tells a complete unpacking from
 * one that was interrupted, which is thrown away and done again.
 */
async function unpackNpmChromium(): Promise<string> {
  const version = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const dir = join(ROOT, 'node_modules/.cache/pushline-chromium', version);
  const binary = join(dir, 'chromium');
  const marker = join(dir, '.complete');
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 120_000;
  await mkdir(dirname(dir), { recursive: true });
  for (;;) {
    if (existsSync(marker)) return binary;
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${lock}; remove it if no test is running`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (existsSync(marker)) return binary;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    // The package unpacks into os.tmpdir(), which follows TMPDIR: point it at the cache folder
    // for the call, so the browser is not shared with (or broken by) anything else in /tmp.
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      const unpacked = await Sparticuz.executablePath();
      if (unpacked !== binary)
        throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${binary}`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    await writeFile(marker, `${new Date().toISOString()}\n`);
    return binary;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
