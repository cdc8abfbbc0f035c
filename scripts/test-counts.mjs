// Prints "N passed, N failed" from vitest's JSON report (CI reads this line, not vitest's own summary).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
// a test file that fails to load has no tests of its own: count it as one failure
const brokenFiles = (report.testResults ?? []).filter(
  (t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0,
).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed`);
