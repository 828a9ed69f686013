// No file of the repository sends its reader outside it: every doc and source file is scanned for
// absolute machine paths, relative paths that climb out, dead Markdown links, and citations of
// documents the repository does not hold. The fixtures show the scanner fires on each kind.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outsideReferences, RELATIVE_ELSEWHERE_MARKER } from './outside-paths.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Text files whose words a reader follows: docs, sources, configuration. */
const SCANNED =
  /\.(?:md|ts|mts|cts|js|mjs|cjs|json|ya?ml|html|css|sh)$|(?:^|\/)(?:\.[\w-]+rc|\.gitignore|\.prettierignore|run)$/;
/** Generated, not written by anyone. */
const SKIPPED = new Set(['pnpm-lock.yaml']);

/** Tracked files plus new ones not yet committed (ignored files excluded), as the work tree has them. */
function repositoryFiles(): string[] {
  const output = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return output
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repoRoot, file)))
    .sort();
}

// Built from pieces so that this file does not itself name what it forbids.
const machine = (root: string, rest: string): string => `/${root}/${rest}`;
const up = '../';
const missingDoc = ['APIGW', 'WEBSOCKET'].join('-');
const missingSection = ['STYLE', '§5'].join(' ');

describe('references to paths outside the repository', () => {
  const files = new Set(['README.md', 'docs/api-gateway.md', 'docs/protocol.md', 'apps/local/README.md']);

  it.each([
    [
      'an absolute work-tree path in a doc',
      'apps/local/README.md',
      `specified by \`${machine('work', 'shared/notes.txt')}\``,
    ],
    ['a temporary path', 'core/src/a.ts', `// see ${machine('tmp', 'notes.txt')}`],
    [
      'a file URL to a home directory',
      'docs/protocol.md',
      `[notes](file://${machine('home', 'me/notes.md')})`,
    ],
    ['a relative path into a sibling directory', 'docs/protocol.md', `read ${up}${up}shared/DESIGN-NOTES`],
    ['an import that climbs out', 'core/src/a.ts', `import x from '${up}${up}${up}elsewhere/x.js';`],
    ['a Markdown link to a file the repository lacks', 'docs/protocol.md', '[gateway](gateway-notes.md)'],
    ['a Markdown link to an absolute path', 'README.md', '[x](/opt/x.md)'],
    ['a doc id file the repository lacks', 'docs/protocol.md', `see \`${missingDoc}.md\` N1`],
    ['a section of a document the repository lacks', 'apps/local/src/config.ts', `// (${missingSection})`],
  ])('finds %s', (_name, file, text) => {
    expect(outsideReferences(file, text, files)).toHaveLength(1);
  });

  it.each([
    ['a link to a doc in the repository', 'docs/protocol.md', '[gateway](api-gateway.md#3-route-selection)'],
    ['a link to a directory in the repository', 'README.md', '[docs](docs/)'],
    ['a relative path that stays inside', 'apps/local/README.md', '[reference](../../docs/api-gateway.md)'],
    [
      'a URL whose path looks like a machine path',
      'README.md',
      'https://example.com/tmp/x and https://h/home/y',
    ],
    ['system paths a program uses', 'core/src/a.ts', "'/dev/null', '/proc/1/stat', '/usr/bin/chromium'"],
    ['a cited doc the repository holds', 'docs/protocol.md', 'see README.md and api-gateway §3'],
    ['an RFC section', 'core/src/a.ts', '// RFC 7518 §3.2'],
  ])('accepts %s', (_name, file, text) => {
    expect(outsideReferences(file, text, files)).toEqual([]);
  });

  it('waives only the relative-path rule, and only on a line that says what the path is relative to', () => {
    const fixture = `'${up}${up}${up}adapters/x.js', // ${RELATIVE_ELSEWHERE_MARKER}core/src/probe.ts`;
    expect(outsideReferences('test/lint/a.test.ts', fixture, files)).toEqual([]);
    expect(
      outsideReferences('test/lint/a.test.ts', fixture.replace(RELATIVE_ELSEWHERE_MARKER, ''), files),
    ).toHaveLength(1);
    expect(outsideReferences('test/lint/a.test.ts', `${fixture} ${machine('tmp', 'x')}`, files)).toHaveLength(
      1,
    );
  });

  it('reports the line of each reference', () => {
    const text = `one\ntwo ${machine('work', 'a')}\nthree\n${up}${up}b`;
    expect(outsideReferences('README.md', text, files).map((found) => found.line)).toEqual([2, 4]);
  });

  it('finds none in any doc or source file of the repository', async () => {
    const all = repositoryFiles();
    const repoFiles = new Set(all);
    const scanned = all.filter((file) => SCANNED.test(file) && !SKIPPED.has(file));
    expect(scanned).toContain('docs/api-gateway.md');
    expect(scanned).toContain('apps/local/src/dev/main.ts');
    const findings: string[] = [];
    for (const file of scanned) {
      const text = await readFile(join(repoRoot, file), 'utf8');
      for (const found of outsideReferences(file, text, repoFiles)) {
        findings.push(`${file}:${found.line}: ${found.text} (${found.reason})`);
      }
    }
    expect(findings).toEqual([]);
  });
});
