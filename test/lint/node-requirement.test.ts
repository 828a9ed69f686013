// The README's Node requirement stays true: it names the minimum that package.json's `engines`
// declares, and every installed AWS SDK client (and Node package the apps depend on) accepts
// that minimum. An SDK update that needs Node 22 fails here until the README and engines follow.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  readonly name: string;
  readonly engines?: { readonly node?: string };
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function manifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** `[major, minor]` of a `>=X.Y[.Z]` range; throws on any other form. */
function lowerBound(range: string): [number, number] {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(range.trim());
  if (match === null) throw new Error(`unsupported engines range '${range}'`);
  return [Number(match[1]), Number(match[2] ?? 0)];
}

const atLeast = ([a, b]: [number, number], [c, d]: [number, number]): boolean => a > c || (a === c && b >= d);

describe("the README's Node requirement", () => {
  const root = manifest(join(repoRoot, 'package.json'));
  const minimum = lowerBound(root.engines?.node ?? '');
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

  it('names the minimum of package.json engines, and recommends Node 22', () => {
    const version = `${minimum[0]}.${minimum[1]}`;
    expect(readme).toContain(`Node ${version}\nor later works`);
    expect(readme).toContain(`- Node ${version} or later and npm`);
    expect(readme).toContain('Node 22 or later is recommended');
  });

  it('is accepted by every AWS SDK client the workspace depends on', () => {
    const packages = ['.', 'adapters', 'apps/lambda', 'apps/local', 'apps/server'];
    const checked: string[] = [];
    for (const dir of packages) {
      const own = manifest(join(repoRoot, dir, 'package.json'));
      const require = createRequire(join(repoRoot, dir, 'package.json'));
      for (const name of Object.keys({ ...own.dependencies, ...own.devDependencies })) {
        if (!name.startsWith('@aws-sdk/')) continue;
        const installed = manifest(require.resolve(`${name}/package.json`));
        const range = installed.engines?.node;
        if (range === undefined) continue;
        expect(atLeast(minimum, lowerBound(range)), `${name} needs Node ${range}`).toBe(true);
        checked.push(name);
      }
    }
    expect(checked).toContain('@aws-sdk/client-sqs');
    expect(checked).toContain('@aws-sdk/client-dynamodb');
  });

  it('holds for the Node running the tests', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(atLeast([major, minor], minimum)).toBe(true);
  });
});
