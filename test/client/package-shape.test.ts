// @pushline/client's published shape: ESM with .d.ts, zero run-time dependencies, no Node
// built-ins, and the lint rule that keeps it so actually fires.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const clientRoot = join(root, 'clients', 'js');

describe('the @pushline/client package', () => {
  it('declares no run-time dependencies and is ESM', async () => {
    const manifest = JSON.parse(await readFile(join(clientRoot, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies).toEqual({});
    expect(manifest.peerDependencies).toBeUndefined();
    expect(manifest.publishConfig).toEqual({
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
    });
  });

  it('imports only its own modules', async () => {
    const sources = (await readdir(join(clientRoot, 'src'))).filter((name) => name.endsWith('.ts'));
    for (const name of sources) {
      const text = await readFile(join(clientRoot, 'src', name), 'utf8');
      const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'/g)].map(
        (m) => m[1] ?? m[2],
      );
      for (const specifier of specifiers)
        expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[\w-]+\.js$/);
    }
  });

  it('builds to ESM with .d.ts that Node loads with nothing else installed', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushline-client-'));
    try {
      execFileSync(
        join(root, 'node_modules', '.bin', 'tsc'),
        ['-p', join(clientRoot, 'tsconfig.build.json'), '--outDir', out],
        { stdio: 'pipe' },
      );
      const files = (await readdir(out)).sort();
      expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'machine.js', 'client.d.ts']));
      const built = (await import(pathToFileURL(join(out, 'index.js')).href)) as Record<string, unknown>;
      expect(Object.keys(built).sort()).toEqual([
        'ConnectionMachine',
        'PushlineClient',
        'PushlineError',
        'tokenExpiry',
        'webSocketTransport',
      ]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('has a lint rule that refuses a Node built-in or a package in the client', async () => {
    // The probe is never written to disk. The import rules need no type information, so the
    // probe is linted with the type-aware rules off (they would type-check the whole project).
    const probe = 'clients/js/src/__probe__.ts';
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: 'eslint.config.js',
      overrideConfig: [{ files: [probe], ...tseslint.configs.disableTypeChecked }],
    });
    for (const specifier of ['node:events', 'events', 'ws', '@pushline/core']) {
      const [result] = await eslint.lintText(
        `import * as m from '${specifier}';\nexport const probe = m;\n`,
        {
          filePath: probe,
        },
      );
      const messages = result?.messages ?? [];
      expect(messages.filter((message) => message.fatal === true)).toEqual([]);
      expect(messages.map((message) => `${specifier}: ${String(message.ruleId)}`)).toContain(
        `${specifier}: no-restricted-imports`,
      );
    }
  }, 60_000);
});
