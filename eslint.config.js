// ESLint flat config: typescript-eslint strictTypeChecked everywhere, and the hexagon
// enforced with no-restricted-imports (dependencies point inward: apps -> adapters -> core;
// inversify only in each app's composition root).
import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Imports core may never make: it is pure, with no I/O, no SDK and no DI framework. */
export const coreForbiddenImports = [
  { group: ['@aws-sdk/*', '@smithy/*'], message: 'core is pure: AWS SDK calls belong in adapters.' },
  {
    group: ['inversify', 'reflect-metadata', '@inversifyjs/*'],
    message: 'core is pure: composition happens in apps/.',
  },
  { group: ['ws', 'jose', 'node:*'], message: 'core is pure: I/O and crypto belong in adapters.' },
  { group: ['@pushline/*', '**/adapters/**', '**/apps/**'], message: 'core imports nothing outside itself.' },
];

/** The DI framework, allowed only in the composition root: apps/<app>/src/composition/**. */
export const compositionOnlyImports = [
  {
    group: ['inversify', 'reflect-metadata', '@inversifyjs/*'],
    message: 'inversify is for the composition root only (apps/<app>/src/composition/).',
  },
];

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.reports/**', '.sst/**', '**/dist/**', 'sst-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'default', format: ['camelCase'], leadingUnderscore: 'allow' },
        { selector: 'variable', format: ['camelCase', 'UPPER_CASE', 'PascalCase'] },
        { selector: 'typeLike', format: ['PascalCase'] },
        { selector: 'enumMember', format: ['PascalCase'] },
        { selector: 'import', format: null },
        // Wire shapes (AWS events, HTTP headers, SQS attributes) are not ours to name.
        { selector: ['objectLiteralProperty', 'typeProperty'], format: null },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in an app’s config.ts.' },
      ],
    },
  },
  {
    // Core and adapters forbid it (and more) below.
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    ignores: ['apps/*/src/composition/**', 'core/**', 'adapters/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: compositionOnlyImports }] },
  },
  {
    files: ['bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...compositionOnlyImports,
            {
              group: ['**/test/**'],
              message: 'bench/ may not import test/: share through a package both may import.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: coreForbiddenImports }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core is pure: no process.' },
        { name: 'Buffer', message: 'core is pure: no Buffer.' },
        { name: 'setTimeout', message: 'core is pure: time comes through the Clock port.' },
        { name: 'Date', message: 'core is pure: time comes through the Clock port.' },
      ],
    },
  },
  {
    // @pushline/client runs in browsers and on Node: no Node built-ins, no packages, no core.
    files: ['clients/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'ws', '@pushline/*', '**/core/**', '**/adapters/**', '**/apps/**'],
              message: 'the client has zero run-time dependencies and no Node built-ins.',
            },
          ],
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'the client runs in browsers: no Node built-ins.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'the client runs in browsers: no process.' },
        { name: 'Buffer', message: 'the client runs in browsers: no Buffer.' },
        { name: 'require', message: 'the client is ESM.' },
      ],
    },
  },
  {
    files: ['adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['inversify', 'reflect-metadata', '@inversifyjs/*'],
              message: 'Composition happens in apps/.',
            },
            {
              group: ['@pushline/server', '@pushline/local', '@pushline/lambda', '**/apps/**'],
              message: 'Adapters may not import apps.',
            },
          ],
          paths: nodeBuiltins.map((name) => ({ name, message: `Import node:${name}, not ${name}.` })),
        },
      ],
    },
  },
  {
    files: ['**/config.ts', 'scripts/**', 'test/**', 'bench/**', '*.config.ts', 'sst.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      'vitest/no-focused-tests': 'error',
      'vitest/expect-expect': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    // Typed by SST's generated platform types (.sst/platform), checked with tsconfig.sst.json.
    files: ['sst.config.ts'],
    ...tseslint.configs.disableTypeChecked,
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/triple-slash-reference': 'off',
    },
  },
  prettier,
);
