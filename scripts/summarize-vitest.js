// Prints vitest's JSON report as one plain "N passed, N failed, N skipped" line and fails on failures.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const skipped = report.numPendingTests + report.numTodoTests
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
process.exitCode = report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0
