/**
 * Runs the built `node dist/cli.js` as a plain child process (no terminal),
 * with a temp HOME so nothing touches the real user's files.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

/** The bundle under test and the folder it runs from. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type CwsResult = {code: number; stdout: string; stderr: string; ms: number};

/** Runs cws with `args`; never rejects on a non-zero exit. */
export async function runCws(
	args: string[],
	options: {home: string; env?: Record<string, string | undefined>; cwd?: string; timeout?: number},
): Promise<CwsResult> {
	const started = performance.now();
	const result = await execa(process.execPath, [CLI_PATH, ...args], {
		cwd: options.cwd ?? REPO_ROOT,
		env: {
			HOME: options.home,
			XDG_CONFIG_HOME: path.join(options.home, '.config'),
			XDG_DATA_HOME: path.join(options.home, '.local/share'),
			XDG_STATE_HOME: path.join(options.home, '.local/state'),
			XDG_CACHE_HOME: path.join(options.home, '.cache'),
			CWS_WORKSPACE: undefined,
			CI: 'true',
			NODE_OPTIONS: undefined,
			...options.env,
		},
		stdin: 'ignore',
		reject: false,
		timeout: options.timeout ?? 20_000,
	});
	if (result.timedOut) {
		throw new Error(`cws ${args.join(' ')} did not finish within ${options.timeout ?? 20_000} ms`);
	}

	return {
		code: result.exitCode ?? -1,
		stdout: String(result.stdout),
		stderr: String(result.stderr),
		ms: performance.now() - started,
	};
}

/** A fresh temp directory; remove it with `removeTemp`. */
export async function makeTemp(prefix = 'cws-cli-'): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeTemp(dir: string): Promise<void> {
	await rm(dir, {recursive: true, force: true});
}
