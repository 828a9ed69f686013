// Prints the hottest functions of a V8 CPU profile (`node --cpu-prof`), by self time, and the
// share of time spent under a few named call sites: `npx tsx bench/profile-summary.ts <file> [top]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time per function (ms) and total time per function including callees, from a profile. */
export function summarize(profile: Profile): {
  self: Map<string, number>;
  total: Map<string, number>;
  ms: number;
} {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const label = (node: ProfileNode): string => {
    const file = node.callFrame.url
      .replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
      .replace(/^file:\/\/.*?\/work\/main\//, '');
    return `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let ms = 0;
  for (const [id, time] of selfById) {
    const node = byId.get(id);
    if (node === undefined) continue;
    ms += time;
    self.set(label(node), (self.get(label(node)) ?? 0) + time);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = byId.get(at);
      if (ancestor === undefined) break;
      const name = label(ancestor);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + time);
    }
  }
  return { self, total, ms };
}

function top(map: Map<string, number>, ms: number, count: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${((100 * time) / ms).toFixed(1).padStart(5)}%  ${name}`);
}

const file = process.argv[2];
if (file !== undefined && import.meta.url.endsWith('profile-summary.ts')) {
  const { self, total, ms } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const count = Number(process.argv[3] ?? 25);
  console.log(`${file}: ${ms.toFixed(0)} ms sampled\n\nself time:`);
  console.log(top(self, ms, count).join('\n'));
  console.log('\ntotal time (with callees):');
  console.log(top(total, ms, count).join('\n'));
}
