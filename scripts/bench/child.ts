// Runs one of the standalone benchmark scripts as a child process with
// --json and returns what it printed, so each keeps working on its own and
// the runner only gathers their figures.
import {execFile} from 'node:child_process';

/** Runs `node scripts/run-ts.mjs <script> --json ...args` (or node <script> for .mjs) and parses its stdout. */
export async function runScript<T>(script: string, args: string[], timeoutMs = 600_000): Promise<T> {
	const argv = script.endsWith('.ts') ? ['scripts/run-ts.mjs', script, '--json', ...args] : [script, '--json', ...args];
	return new Promise<T>((resolve, reject) => {
		execFile(process.execPath, argv, {timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			// A script may exit 1 after printing its figures (the render check
			// fails on a misdrawn screen): keep the figures, report the failure.
			try {
				const parsed = JSON.parse(stdout) as T;
				if (error) process.stderr.write(`${script} exited with ${error.code ?? error.signal}: ${stderr.slice(-2000)}\n`);
				resolve(parsed);
			} catch {
				reject(new Error(`${script} ${args.join(' ')} printed no JSON (${error?.message ?? 'exit 0'}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
			}
		});
	});
}
