import fs from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';

/** How to run a project's tests, found in its own files. */
export type TestCommand = {
	source: '.cws.json' | 'package.json';
	file: string;
	args: string[];
	/** For messages: what the user wrote. */
	display: string;
};

/** The per-project file cws reads settings from (only `test` so far). */
export const PROJECT_CONFIG = '.cws.json';

/**
 * The project's test command: `test` in .cws.json (an argument list, or a
 * command line run by `sh -c` exactly as npm runs package.json scripts: the
 * user's own words, nothing interpolated), else `scripts.test` of
 * package.json (run as `npm test`). Null when there is none; a string
 * explains a file that exists but cannot be used.
 */
export async function findTestCommand(dir: string): Promise<TestCommand | null | string> {
	const own = await readJson(path.join(dir, PROJECT_CONFIG));
	if (typeof own === 'string') {
		return own;
	}

	if (own !== undefined && own['test'] !== undefined) {
		const test = own['test'];
		if (typeof test === 'string' && test.trim() !== '') {
			return {source: '.cws.json', file: 'sh', args: ['-c', test], display: test};
		}

		if (Array.isArray(test) && test.length > 0 && test.every(part => typeof part === 'string') && test[0] !== '') {
			const [file, ...args] = test as string[];
			return {source: '.cws.json', file: file!, args, display: test.join(' ')};
		}

		return `${PROJECT_CONFIG}: "test" must be a command line or a list of arguments`;
	}

	const pkg = await readJson(path.join(dir, 'package.json'));
	if (typeof pkg === 'string') {
		return pkg;
	}

	const scripts = pkg?.['scripts'];
	const script = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>)['test'] : undefined;
	if (typeof script === 'string' && script.trim() !== '') {
		return {source: 'package.json', file: 'npm', args: ['test', '--silent'], display: `npm test (${script})`};
	}

	return null;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined | string> {
	let text;
	try {
		text = await fs.readFile(file, 'utf8');
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return undefined;
		}

		return `${path.basename(file)} cannot be read (${errnoCode(error) ?? String(error)})`;
	}

	try {
		const parsed: unknown = JSON.parse(text);
		if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
			return parsed as Record<string, unknown>;
		}
	} catch {
		// Reported below.
	}

	return `${path.basename(file)} is not a JSON object`;
}
