// The hexagon: core depends on nothing, imports only itself, and the lint rule that
// guards this actually fires.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const coreSource = join(repoRoot, 'core', 'src');

/** Where the probe pretends to live. It is never written to disk. */
const PROBE_PATH = 'core/src/domain/__probe__.ts';

async function typeScriptFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier of a file: static imports, re-exports, `import()` and `import x = require()`. */
function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined
    ) {
      const [argument] = node.arguments;
      specifiers.push(ts.isStringLiteralLike(argument) ? argument.text : `<dynamic ${argument.getText()}>`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) specifiers.push(literal.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      specifiers.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

describe('the hexagon', () => {
  it('gives core no dependencies of any kind', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'core', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies).toEqual({});
    for (const field of [
      'devDependencies',
      'peerDependencies',
      'optionalDependencies',
      'bundleDependencies',
    ]) {
      expect({ [field]: manifest[field] ?? {} }).toEqual({ [field]: {} });
    }
  });

  it('finds every module specifier the scanner is meant to see', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from 'pkg-d';",
      "const e = await import('pkg-e');",
      "type F = import('pkg-f').F;",
      "import g = require('pkg-g');",
    ].join('\n');
    expect(moduleSpecifiers('probe.ts', text)).toEqual([
      './a.js',
      '../b.js',
      './c.js',
      'pkg-d',
      'pkg-e',
      'pkg-f',
      'pkg-g',
    ]);
  });

  it('makes every import in core/src relative and inside core/src', async () => {
    const files = await typeScriptFilesUnder(coreSource);
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      for (const specifier of moduleSpecifiers(file, await readFile(file, 'utf8'))) {
        const target = join(file, '..', specifier);
        const inside = !relative(coreSource, target).startsWith('..');
        if (!specifier.startsWith('./') && !specifier.startsWith('../'))
          offenders.push(`${file}: ${specifier}`);
        else if (!inside) offenders.push(`${file}: ${specifier} leaves core/src`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('points no import of core/src/domain or core/src/actions up to ports/ or use-cases/', async () => {
    const inner = [
      ...(await typeScriptFilesUnder(join(coreSource, 'domain'))),
      ...(await typeScriptFilesUnder(join(coreSource, 'actions'))),
    ];
    expect(inner.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const file of inner) {
      for (const specifier of moduleSpecifiers(file, await readFile(file, 'utf8'))) {
        const layer = relative(coreSource, join(file, '..', specifier)).split(/[\\/]/)[0];
        if (layer === 'ports' || layer === 'use-cases')
          offenders.push(`${relative(repoRoot, file)}: ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

// Linting with type information starts a TypeScript project service: seconds, not milliseconds.
describe('the no-restricted-imports rule on core', { timeout: 60_000 }, () => {
  let eslint: ESLint;

  beforeAll(() => {
    // The probe is linted from memory, so it is in no tsconfig. typescript-eslint's
    // documented way to type-check such a file is `allowDefaultProject`; the default
    // project is core's own tsconfig, so the probe sees what core sees. Only parsing is
    // overridden here: the rules come from eslint.config.js as they are.
    eslint = new ESLint({
      cwd: repoRoot,
      overrideConfigFile: 'eslint.config.js',
      overrideConfig: {
        files: [PROBE_PATH],
        languageOptions: {
          parserOptions: {
            projectService: { allowDefaultProject: [PROBE_PATH], defaultProject: 'core/tsconfig.json' },
          },
        },
      },
    });
  });

  async function restrictedImportErrors(code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: PROBE_PATH });
    const messages = result?.messages ?? [];
    const fatal = messages.filter((message) => message.fatal === true);
    expect(fatal).toEqual([]);
    return messages
      .filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2)
      .map((message) => message.message);
  }

  it.each([
    [
      '@aws-sdk/client-dynamodb',
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n",
      'AWS SDK',
    ],
    ['inversify', "import { Container } from 'inversify';\nexport const c = Container;\n", 'composition'],
    ['reflect-metadata', "import 'reflect-metadata';\n", 'composition'],
    ['ws', "import { WebSocket } from 'ws';\nexport const c = WebSocket;\n", 'I/O'],
    ['ws (a re-export)', "export { WebSocketServer } from 'ws';\n", 'I/O'],
    ['node:crypto', "import { randomUUID } from 'node:crypto';\nexport const c = randomUUID;\n", 'crypto'],
    ['jose', "import { jwtVerify } from 'jose';\nexport const c = jwtVerify;\n", 'crypto'],
    ['jose (types only)', "import type { JWTPayload } from 'jose';\nexport type C = JWTPayload;\n", 'crypto'],
    [
      '@pushline/adapters/memory',
      "import { ManualClock } from '@pushline/adapters/memory';\nexport const c = ManualClock;\n",
      'outside itself',
    ],
    [
      'adapters by a relative path',
      // outside-paths: relative to PROBE_PATH, where the probe pretends to live
      "import { c } from '../../../adapters/src/memory/index.js';\nexport const d = c;\n",
      'outside itself',
    ],
  ])('reports an import of %s from core as a no-restricted-imports error', async (_, code, reason) => {
    const errors = await restrictedImportErrors(code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(reason);
  });

  it('lets core import its own modules relatively', async () => {
    const code = [
      "import { ok } from '../domain/outcome.js';",
      "import type { Clock } from '../ports/clock.js';",
      'export const done = ok(1);',
      'export type Time = Clock;',
      '',
    ].join('\n');
    expect(await restrictedImportErrors(code)).toEqual([]);
  });
});

// inversify belongs to the composition root (apps/<app>/src/composition/) and nowhere else.
describe(
  'the no-restricted-imports rule on inversify outside the composition root',
  { timeout: 60_000 },
  () => {
    const allowed = 'apps/lambda/src/composition/__probe__.ts';
    const forbidden = [
      'apps/lambda/src/handlers/__probe__.ts',
      'apps/server/src/__probe__.ts',
      'apps/local/src/dev/__probe__.ts',
      'test/__probe__.ts',
      'bench/__probe__.ts',
    ];
    let eslint: ESLint;

    beforeAll(() => {
      // The probes are linted from memory without type information (the project service of
      // the block above is this process's one, and no-restricted-imports needs no types):
      // only parsing is overridden, the rule comes from eslint.config.js as it is.
      eslint = new ESLint({
        cwd: repoRoot,
        overrideConfigFile: 'eslint.config.js',
        overrideConfig: { files: [allowed, ...forbidden], ...tseslint.configs.disableTypeChecked },
      });
    });

    async function restrictedImportErrors(code: string, filePath: string): Promise<string[]> {
      const [result] = await eslint.lintText(code, { filePath });
      const messages = result?.messages ?? [];
      expect(messages.filter((message) => message.fatal === true)).toEqual([]);
      return messages
        .filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2)
        .map((message) => message.message);
    }

    const imports = [
      ['inversify', "import { Container } from 'inversify';\nexport const c = Container;\n"],
      ['reflect-metadata', "import 'reflect-metadata';\n"],
      ['@inversifyjs/core', "export * from '@inversifyjs/core';\n"],
    ] as const;

    it.each(forbidden.flatMap((filePath) => imports.map(([name, code]) => [name, filePath, code] as const)))(
      'reports an import of %s from %s',
      async (_, filePath, code) => {
        const errors = await restrictedImportErrors(code, filePath);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toContain('composition root');
      },
    );

    it('reports an import of test/ from bench/', async () => {
      const code = "import { startSqs } from '../test/support/aws-peers.js';\nexport const s = startSqs;\n";
      const errors = await restrictedImportErrors(code, 'bench/__probe__.ts');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('bench/ may not import test/');
    });

    it.each(imports)('lets the composition root import %s', async (_, code) => {
      expect(await restrictedImportErrors(code, allowed)).toEqual([]);
    });
  },
);
