// docs/api-gateway.md and test/e2e/local-gateway/ name the same conformance ids: every id the
// page cites has exactly one test named by it, in the file the page's table says, and every
// such test is cited by the page.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const testDir = join(repoRoot, 'test', 'e2e', 'local-gateway');
const page = readFileSync(join(repoRoot, 'docs', 'api-gateway.md'), 'utf8');

/** Test ids (`it('C23 …')`) of every e2e file, each with the file that holds it. */
function testIds(): { id: string; file: string }[] {
  const found: { id: string; file: string }[] = [];
  for (const file of readdirSync(testDir).filter((name) => name.endsWith('.e2e.test.ts'))) {
    const text = readFileSync(join(testDir, file), 'utf8');
    for (const match of text.matchAll(/\bit(?:\.\w+)?\(\s*['"`](C\d{2}) /g))
      found.push({ id: match[1]!, file });
  }
  return found;
}

/** Every id in `C01–C13` style ranges and single mentions of the page. */
function pageIds(text: string): Set<string> {
  const ids = new Set<string>();
  for (const match of text.matchAll(/\bC(\d{2})(?:[–-]C(\d{2}))?\b/g)) {
    const from = Number(match[1]);
    const to = Number(match[2] ?? match[1]);
    for (let n = from; n <= to; n += 1) ids.add(`C${String(n).padStart(2, '0')}`);
  }
  return ids;
}

describe('conformance ids', () => {
  const tests = testIds();

  it('gives each of C01–C69 exactly one test', () => {
    const expected = Array.from({ length: 69 }, (_, i) => `C${String(i + 1).padStart(2, '0')}`);
    expect(tests.map((test) => test.id).sort()).toEqual(expected);
  });

  it('cites every tested id on the page, and no id without a test', () => {
    expect([...pageIds(page)].sort()).toEqual(tests.map((test) => test.id).sort());
  });

  it('puts each id in the file the page’s table names', () => {
    const rows = [...page.matchAll(/^\| (C\d{2})–(C\d{2}) +\| `([\w.-]+)` /gm)];
    expect(rows.length).toBeGreaterThan(0);
    const fileOf = new Map(tests.map((test) => [test.id, test.file]));
    for (const [, from, to, file] of rows) {
      for (const id of pageIds(`${from!}–${to!}`))
        expect(`${id} in ${fileOf.get(id)}`).toBe(`${id} in ${file}`);
    }
    expect(rows.flatMap(([, from, to]) => [...pageIds(`${from!}–${to!}`)])).toHaveLength(69);
  });
});
