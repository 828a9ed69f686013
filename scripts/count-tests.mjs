// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from a vitest
// JSON report, and fails when no test ran at all.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? '.reports/vitest.json', 'utf8'));
const passed = report.numPassedTests ?? 0;
// A file that failed without a failing test (an error in beforeAll, an import) counts as one failure.
const fileErrors = (report.testResults ?? []).filter(
  (file) =>
    file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + fileErrors;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
