// The dead-code check (knip, run by `pnpm lint` with the root knip.json): it passes on the
// repository as it is, and it fails once an unused export is added — to a barrel of an app
// (apps are not libraries: an export nobody imports is dead) or to a module of a library.
import { execFile } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const knipBin = join(repoRoot, 'node_modules', 'knip', 'bin', 'knip.js');
const run = promisify(execFile);

/** Where node_modules live: the root and each workspace (pnpm links each one's own). */
const WORKSPACES = ['.', 'core', 'adapters', 'apps/lambda', 'apps/local', 'apps/server'];

interface KnipRun {
  readonly code: number;
  readonly output: string;
}

async function knip(directory: string): Promise<KnipRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [knipBin, '--no-progress', '--no-config-hints'], {
      cwd: directory,
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The working tree's files (tracked, and untracked but not ignored), copied; node_modules linked. */
async function copyOfTheRepository(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), 'pushline-knip-'));
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = stdout.split('\0').filter((file) => file !== '');
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await copyFile(join(repoRoot, file), join(target, file)).catch((error: unknown) => {
      // A file deleted in the working tree but still in the index is simply not copied.
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    });
  }
  for (const workspace of WORKSPACES) {
    await symlink(join(repoRoot, workspace, 'node_modules'), join(target, workspace, 'node_modules'), 'dir');
  }
  return target;
}

describe('the dead-code check (knip)', () => {
  it('passes on the repository', { timeout: 120_000 }, async () => {
    const result = await knip(repoRoot);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it(
    'fails when an unused export is added to an app’s barrel or a library’s module',
    { timeout: 180_000 },
    async () => {
      const copy = await copyOfTheRepository();
      try {
        // Exported by local-aws.ts (the dev stack uses it) but re-exported for nobody.
        await appendFile(
          join(copy, 'apps/local/src/dev/index.ts'),
          "export { LOCAL_CREDENTIALS } from './local-aws.js';\n",
        );
        await appendFile(
          join(copy, 'adapters/src/memory/manual-clock.ts'),
          'export const unusedProbe = 1;\n',
        );
        const result = await knip(copy);
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/LOCAL_CREDENTIALS\s+apps\/local\/src\/dev\/index\.ts/);
        expect(result.output).toMatch(/unusedProbe\s+adapters\/src\/memory\/manual-clock\.ts/);
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    },
  );
});
