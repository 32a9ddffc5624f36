// Adds up vitest JSON reports (--reporter=json --outputFile.json=…) into the one closing line CI
// readers look for: "N passed, N failed, N skipped", alone on the last line (the per-report lines
// above it say the same in another order, so that only one line has that form). Exits non-zero
// when any test failed or a report is missing, so a run cannot close green on no tests.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  console.log(`report ${file} - passed ${report.numPassedTests}, failed ${report.numFailedTests}, skipped ${report.numPendingTests}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exitCode = 1;
