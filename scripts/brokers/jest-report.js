/** Pass/fail figures and every failure (test name, file, first lines of its error) from a `jest --json` report. */
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** The error's first meaningful lines, without the stack. */
function brief(message) {
  const lines = stripAnsi(message)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() && !/^\s+at /.test(line) && !/^\s*\d+ \|/.test(line) && !/^\s*>\s*\d+ \|/.test(line) && !/^\s*\|\s*\^/.test(line));
  return lines.slice(0, 6).join('\n');
}

function summarize(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const failures = [];
  for (const suite of report.testResults) {
    const where = path.relative(ROOT, suite.name);
    for (const test of suite.assertionResults) {
      if (test.status === 'failed') failures.push({ file: where, test: test.fullName, error: brief(test.failureMessages.join('\n')) });
    }
    // A suite that failed outside its tests: it did not compile, a hook threw or ran over its timeout.
    const message = stripAnsi(suite.message ?? '');
    const outside = message.indexOf('Test suite failed to run');
    if (suite.status === 'failed' && !suite.assertionResults.some((t) => t.status === 'failed')) {
      failures.push({ file: where, test: '(the file itself)', error: brief(message) });
    } else if (outside >= 0) {
      failures.push({ file: where, test: '(a hook)', error: brief(message.slice(outside)) });
    }
  }
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
    total: report.numTotalTests,
    suites: report.numTotalTestSuites,
    failedSuites: report.numFailedTestSuites,
    failures,
  };
}

/** The run of one broker as text: figures, then each failure. */
function format(id, summary, durationMs) {
  if (!summary) return `RabbitMQ ${id}: no jest report (the run crashed or timed out)`;
  const lines = [
    `RabbitMQ ${id}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped of ${summary.total} tests ` +
      `(${summary.suites} files, ${summary.failedSuites} failing) in ${(durationMs / 60_000).toFixed(1)} min`,
  ];
  for (const failure of summary.failures) {
    lines.push(`  ✕ ${failure.file} › ${failure.test}`);
    for (const line of failure.error.split('\n')) lines.push(`      ${line}`);
  }
  return lines.join('\n');
}

module.exports = { summarize, format };
