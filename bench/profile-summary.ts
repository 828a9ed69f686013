// Prints the hottest functions of a V8 CPU profile (`node --cpu-prof`), by self time and by
// total time (with callees): `npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]`.
import { readFileSync } from 'node:fs';
import { type Profile, summarize } from './support/profile.js';

function top(map: Map<string, number>, ms: number, count: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${((100 * time) / ms).toFixed(1).padStart(5)}%  ${name}`);
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exitCode = 2;
} else {
  const { self, total, ms } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const count = Number(process.argv[3] ?? 25);
  console.log(`${file}: ${ms.toFixed(0)} ms sampled\n\nself time:`);
  console.log(top(self, ms, count).join('\n'));
  console.log('\ntotal time (with callees):');
  console.log(top(total, ms, count).join('\n'));
}
