/**
 * Shared pieces of the attack tests: the built CLI on a workspace, a victim
 * whose every byte, mode and time is recorded, and the checks that an
 * answer is a clear message rather than a crash.
 */
import {createHash} from 'node:crypto';
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import path from 'node:path';
import {expect} from 'vitest';
import {runCws, type CwsResult} from '../cli/run-cws.js';

export {CLI_PATH, REPO_ROOT} from '../cli/run-cws.js';

/** Runs `cws <args> --workspace <root>` with a temp HOME; never rejects on a non-zero exit. */
export async function cws(home: string, root: string, args: string[], env: Record<string, string | undefined> = {}, timeout = 30_000): Promise<CwsResult> {
	return runCws([...args, '--workspace', root], {home, env, timeout});
}

/**
 * Everything about a file or folder tree that an attack could change: per
 * entry its kind, mode, size, mtime, and sha256 (files) or target (links).
 */
export async function fingerprint(target: string): Promise<Record<string, string>> {
	const result: Record<string, string> = {};
	const walk = async (entry: string, relative: string) => {
		const stats = await lstat(entry);
		const base = `mode=${(stats.mode & 0o7777).toString(8)} mtime=${stats.mtimeMs} uid=${stats.uid}`;
		if (stats.isSymbolicLink()) {
			result[relative] = `link ${await readlink(entry)} ${base}`;
		} else if (stats.isDirectory()) {
			result[relative] = `dir ${base}`;
			for (const name of (await readdir(entry)).sort()) {
				await walk(path.join(entry, name), path.join(relative, name));
			}
		} else {
			const sha = createHash('sha256').update(await readFile(entry)).digest('hex');
			result[relative] = `file size=${stats.size} sha256=${sha} ${base}`;
		}
	};

	await walk(target, '.');
	return result;
}

/** A Node stack frame ("    at fn (file:1:2)"): never shown to a user. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

/** The CLI answered with a message (exit 0, 1, or 2 for wrong usage), not a crash or a stack trace. */
export function expectNoCrash(result: CwsResult, what: string): void {
	const all = `${result.stdout}\n${result.stderr}`;
	expect([0, 1, 2], `${what}: exit ${result.code}\n${all}`).toContain(result.code);
	expect(all, `${what} printed a stack trace`).not.toMatch(STACK_FRAME);
	expect(all, `${what} reported an unexpected error`).not.toMatch(/unexpected error|this is a bug/i);
}

/** Waits `ms` milliseconds. */
export async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
}

export {prng} from '../helpers/prng.js';
