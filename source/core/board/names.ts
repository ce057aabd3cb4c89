import fs from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';

/**
 * The only shape a project folder name may have.
 *
 * Names key plain objects (the state's projects, sync settings and history),
 * and two of Object.prototype's member names matter here. "constructor"
 * passes this rule: it is a project name like any other, so every look-up by
 * name reads own keys only (recordOf in model.ts). "__proto__" does not pass
 * it, and that is kept on purpose: `projects[name] = record` with that name
 * would replace the object's prototype instead of adding a record, and the
 * rule refuses it the way it refuses every name starting with "_" (no
 * special case or message a person would wonder about). Every other member
 * of Object.prototype has an uppercase letter or a leading "_" and is refused
 * too. A looser rule must keep "__proto__" out or write records with
 * Object.defineProperty.
 */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The rule in words, for messages and help texts. */
export const PROJECT_NAME_RULE =
	'a project name is 1 to 64 characters of lowercase a-z, digits, ".", "_" or "-", starting with a letter or digit';

/** Whether `name` may name a project folder (pure; no file system). */
export function isValidProjectName(name: unknown): name is string {
	return typeof name === 'string' && PROJECT_NAME_PATTERN.test(name) && !/^\.+$/.test(name);
}

/**
 * Throws a CwsError('BAD_NAME') unless `name` is a valid project name. The
 * pattern already excludes '/', NUL, a leading '-' (so a name can never be
 * read as an option by git or rsync) and anything outside ASCII (so look-alike
 * letters cannot shadow another project).
 */
export function assertProjectName(name: unknown): asserts name is string {
	if (isValidProjectName(name)) {
		return;
	}

	throw new CwsError('BAD_NAME', `Refused project name ${describeName(name)}: ${PROJECT_NAME_RULE}.`, {
		hint: 'Pick a name such as "my-tool" or "api.v2".',
	});
}

/** A printable, bounded rendering of an untrusted name (control bytes escaped). */
export function describeName(name: unknown): string {
	if (typeof name !== 'string') {
		return String(name);
	}

	const shown = name.length > 40 ? `${name.slice(0, 40)}… (${name.length} characters)` : name;
	return JSON.stringify(shown);
}

/**
 * Throws CwsError('SYMLINK_REFUSED') when `target` is a symbolic link, and
 * CwsError('NOT_A_FOLDER') when it exists but is not a directory. A missing
 * path passes when `allowMissing` is set. Symlinked stage or project folders
 * are refused because a rename would move the link, not the project, and a
 * link could point anywhere outside the workspace.
 */
export async function assertRealFolder(target: string, what: string, options: {allowMissing?: boolean} = {}): Promise<boolean> {
	let stat;
	try {
		stat = await fs.lstat(target);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' && options.allowMissing) {
			return false;
		}

		throw error;
	}

	if (stat.isSymbolicLink()) {
		throw new CwsError('SYMLINK_REFUSED', `${what} ${target} is a symbolic link; cws refuses to follow or move links.`, {
			hint: 'Replace the link with the real folder (move the folder itself into place).',
		});
	}

	if (!stat.isDirectory()) {
		throw new CwsError('NOT_A_FOLDER', `${what} ${target} is not a folder.`, {
			hint: 'Move the file out of the way, then try again.',
		});
	}

	return true;
}

/**
 * Throws CwsError('OUTSIDE_WORKSPACE') unless `target` resolves (through any
 * links in existing parents) to a path inside the workspace root. For a path
 * that does not exist yet, its nearest existing parent is resolved instead.
 */
export async function assertInsideWorkspace(root: string, target: string): Promise<void> {
	const realRoot = await fs.realpath(root);
	const realTarget = await realpathOfNearest(path.resolve(target));
	const relative = path.relative(realRoot, realTarget);
	if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
		return;
	}

	throw new CwsError('OUTSIDE_WORKSPACE', `${target} resolves to ${realTarget}, outside the workspace ${realRoot}.`, {
		hint: 'Keep stage and project folders as real folders inside the workspace.',
	});
}

async function realpathOfNearest(target: string): Promise<string> {
	const missing: string[] = [];
	let current = target;
	for (;;) {
		try {
			const real = await fs.realpath(current);
			return path.join(real, ...missing.reverse());
		} catch (error) {
			if (errnoCode(error) !== 'ENOENT') {
				throw error;
			}

			const parent = path.dirname(current);
			if (parent === current) {
				return target;
			}

			missing.push(path.basename(current));
			current = parent;
		}
	}
}
