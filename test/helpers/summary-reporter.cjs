// Prints closing lines CI can read: how many MariaDB tests ran, then the whole suite's count.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    let maria = { passed: 0, failed: 0 };
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (!t.ancestorTitles.some((a) => a.includes('[mariadb]'))) continue;
        if (t.status === 'passed') maria.passed++;
        else if (t.status === 'failed') maria.failed++;
      }
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\nmariadb: ${maria.passed} passed, ${maria.failed} failed\n`);
    // A suite that failed to load counts as a failure too, so the line can never read clean then.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
