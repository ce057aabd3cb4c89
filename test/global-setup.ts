/**
 * Builds dist/cli.js once before any test file runs, so CLI and end-to-end
 * tests always exercise the code in this checkout and never a stale bundle.
 */
import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export default function setup(): void {
	execFileSync(process.execPath, ['scripts/build.mjs'], {
		cwd: fileURLToPath(new URL('..', import.meta.url)),
		stdio: 'inherit',
		timeout: 120_000,
	});
}
