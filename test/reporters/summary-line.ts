/**
 * Prints one last line, `N passed, N failed`, after vitest's own summary.
 * CI reads that line; a test file that cannot even load, and an error thrown
 * outside any test, each count as one failure so they can never look green.
 */
import type {Reporter, SerializedError, TestModule, TestRunEndReason} from 'vitest/node';

export default class SummaryLineReporter implements Reporter {
	onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
		let passed = 0;
		let failed = 0;
		for (const module of testModules) {
			let moduleFailed = 0;
			for (const test of module.children.allTests()) {
				const {state} = test.result();
				if (state === 'passed') {
					passed++;
				} else if (state === 'failed') {
					moduleFailed++;
				}
			}

			if (moduleFailed === 0 && (module.state() === 'failed' || module.errors().length > 0)) {
				moduleFailed = 1;
			}

			failed += moduleFailed;
		}

		failed += unhandledErrors.length;
		if (failed === 0 && reason === 'failed') {
			failed = 1;
		}

		process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
	}
}
