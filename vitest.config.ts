import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		// Several suites spawn real processes and pseudo-terminals; on a
		// two-core machine running them all at once makes timing-based
		// assertions (grace periods, 2 s refresh) unreliable.
		maxWorkers: 2,
		fileParallelism: true,
		// CLI and end-to-end tests run the bundle: build it once, first.
		globalSetup: ['./test/global-setup.ts'],
		// CI reads the last line, `N passed, N failed`; the default reporter stays for people.
		reporters: ['default', './test/reporters/summary-line.ts'],
	},
});
