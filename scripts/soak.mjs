// `pnpm test:soak`: the fuzz, property, soak and load tests at their full counts
// (PUSHLINE_SOAK=1, read by test/support/soak.ts). A test file takes part when a word of its
// name, split at `.` and `-`, is one of WORDS: `server-fuzz.e2e.test.ts` and
// `load.e2e.test.ts` do, `download-export.test.ts` does not. Extra arguments go to vitest,
// e.g. `pnpm test:soak --project unit`.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

const WORDS = new Set(['fuzz', 'property', 'soak', 'load']);

/** Test files under `dir` whose name has one of WORDS, as paths relative to the root. */
function soakFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...soakFiles(path));
    else if (entry.name.endsWith('.test.ts') && entry.name.split(/[.-]/).some((word) => WORDS.has(word)))
      files.push(path);
  }
  return files;
}

const files = soakFiles('test').sort();
if (files.length === 0) {
  console.error('soak: no test file has fuzz, property, soak or load in its name');
  process.exit(1);
}
console.log(`soak: PUSHLINE_SOAK=1 over ${files.length} files:\n  ${files.join('\n  ')}`);

// vitest takes each path as a filename filter; the paths are exact, so nothing else matches.
const vitest = spawn(join('node_modules', '.bin', 'vitest'), ['run', ...files, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PUSHLINE_SOAK: '1' },
});
vitest.on('error', (error) => {
  console.error(`soak: could not start vitest: ${error.message}`);
  process.exit(1);
});
vitest.on('exit', (code, signal) => {
  // A vitest killed by a signal exits the way a shell reports it: 128 + the signal's number.
  process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
});
