// Reads vitest's JSON report and prints "N passed, N failed" as the last line.
// Exits non-zero when the test command failed, any test failed, or no test ran at all.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath = '.vitest-report.json', statusArg = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
    }
    // A file that failed to load has no assertion results but must not pass silently.
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') failed++;
  }
} else {
  console.error(`no test report at ${reportPath}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(Number(statusArg) !== 0 || failed > 0 || passed === 0 ? 1 : 0);
