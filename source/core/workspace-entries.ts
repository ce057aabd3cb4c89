// How the workspace's layout entries are told apart and their faults
// worded: the kind of an entry (never following a link), the refusal of one
// that is not what the layout expects, and a system error turned into a
// message that names the file and says what to do.
import {lstat} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from './errors.js';

/** What lstat found at a path, without following a symlink. */
export type EntryKind = 'missing' | 'folder' | 'file' | 'symlink' | 'other';

/** Classifies the entry at `target` without following symlinks. */
export async function kindOf(target: string): Promise<EntryKind> {
	try {
		const stats = await lstat(target);
		if (stats.isSymbolicLink()) {
			return 'symlink';
		}

		if (stats.isDirectory()) {
			return 'folder';
		}

		return stats.isFile() ? 'file' : 'other';
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return 'missing';
		}

		if (errnoCode(error) === 'ENOTDIR') {
			// A parent is a file: treat as missing here; creating it reports the parent.
			return 'missing';
		}

		throw fsError(target, error, path.dirname(target));
	}
}

/** Throws a CwsError when `kind` is neither missing nor what the layout expects. */
export function refuseUnexpected(target: string, kind: EntryKind, expected: 'folder' | 'file', rootPath: string): void {
	if (kind === 'missing' || kind === expected) {
		return;
	}

	if (kind === 'symlink') {
		throw new CwsError('WORKSPACE_SYMLINK', `${target} is a symbolic link; cws does not follow links in a workspace.`, {
			hint: target === rootPath
				? 'Pass the real folder with --workspace <dir> (see `realpath`), or remove the link.'
				: 'Replace the link with a real folder (move its contents in), then run `cws verify`.',
		});
	}

	const what = kind === 'folder' ? 'a folder' : kind === 'file' ? 'a file' : 'not a regular file or folder';
	throw new CwsError('WORKSPACE_NOT_DIR', `${target} is ${what}, but the workspace needs a ${expected} there.`, {
		hint: target === rootPath
			? 'Choose another place with --workspace <dir>, or move that file away.'
			: `Move ${target} out of the way, then run \`cws init\` again.`,
	});
}

/** Turns a system error on `target` into a CwsError that names the file and says what to do. */
export function fsError(target: string, error: unknown, rootPath: string): CwsError {
	const code = errnoCode(error);
	if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
		return new CwsError('READ_ONLY', `Cannot write ${target}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}.`, {
			hint: `Make ${target === rootPath ? path.dirname(rootPath) : rootPath} writable for this user (or remount it read-write), or choose another workspace with --workspace <dir>.`,
			cause: error,
		});
	}

	if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
		return new CwsError('DISK_FULL', `Cannot write ${target}: the disk is full.`, {
			hint: 'Free some space, then try again. Nothing was changed.',
			cause: error,
		});
	}

	if (code === 'ENOTDIR' || code === 'EEXIST') {
		return new CwsError('WORKSPACE_NOT_DIR', `Cannot create ${target}: something that is not a folder is in the way.`, {
			hint: `Check the path to ${target}, move the file in the way, and try again.`,
			cause: error,
		});
	}

	return new CwsError('FS_ERROR', `Cannot use ${target}: ${error instanceof Error ? error.message : String(error)}.`, {
		hint: 'Check the path and its permissions, then try again.',
		cause: error,
	});
}
