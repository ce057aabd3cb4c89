import {constants} from 'node:fs';
import {chmod, lstat, mkdir, open} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from './errors.js';
import {META_DIRS, STAGES, workspacePaths, type WorkspacePaths} from './paths.js';
import {Store, type StoreOptions} from './store.js';
import {sweepMeta, type SweepReport} from './sweep.js';
import {fsError, kindOf, refuseUnexpected} from './workspace-entries.js';

/** Mode of every folder the workspace owns, whatever the umask. */
export const DIR_MODE = 0o700;
/** Mode of every file the workspace owns, whatever the umask. */
export const FILE_MODE = 0o600;

/** Folders of the layout, parents first: the stages, then .cws and its children. */
export function layoutDirs(paths: WorkspacePaths): string[] {
	return [
		...STAGES.map(stage => paths.stageDir[stage]),
		paths.meta,
		...META_DIRS.map(dir => path.join(paths.meta, dir)),
	];
}

/** Append-only logs created empty so that their mode is ours from the start. */
export function layoutFiles(paths: WorkspacePaths): string[] {
	return [paths.audit, paths.sessions];
}

/** What `initWorkspace` did. */
export type InitResult = {
	/** True when there was no workspace here before (no .cws folder). */
	created: boolean;
	paths: WorkspacePaths;
	/** Folders and files it had to create or whose mode it corrected, absolute paths. */
	changed: string[];
};

/**
 * Creates the workspace layout at `root`, or completes it: the four stage
 * folders, .cws and its folders (0700), the empty logs (0600). Idempotent.
 * Refuses a root or layout entry that is a symlink or not a folder, since
 * following one would put projects and state somewhere the user never chose.
 */
export async function initWorkspace(root: string): Promise<InitResult> {
	const paths = workspacePaths(root);
	const changed: string[] = [];
	const rootKind = await kindOf(paths.root);
	refuseUnexpected(paths.root, rootKind, 'folder', paths.root);
	if (rootKind === 'folder' && await layoutComplete(paths)) {
		return {created: false, paths, changed: []};
	}

	const created = rootKind === 'missing' || (await kindOf(paths.meta)) === 'missing';
	if (rootKind === 'missing') {
		await guard(paths.root, async () => makeRoot(paths.root));
		await guard(paths.root, () => chmod(paths.root, DIR_MODE));
		changed.push(paths.root);
	}

	for (const dir of layoutDirs(paths)) {
		if (await ensureDir(dir, paths.root)) {
			changed.push(dir);
		}
	}

	for (const file of layoutFiles(paths)) {
		if (await ensureFile(file, paths.root)) {
			changed.push(file);
		}
	}

	return {created, paths, changed};
}

/**
 * Whether every folder and file of the layout is there, of its kind and
 * mode: the usual case, checked with one look at each entry, all at once.
 * Anything else takes initWorkspace's path entry by entry (parents first),
 * which creates, corrects or refuses with the message for that entry.
 */
async function layoutComplete(paths: WorkspacePaths): Promise<boolean> {
	const expected = [
		...layoutDirs(paths).map(target => ({target, folder: true, mode: DIR_MODE})),
		...layoutFiles(paths).map(target => ({target, folder: false, mode: FILE_MODE})),
	];
	const found = await Promise.all(expected.map(async ({target, folder, mode}) => {
		const stats = await lstat(target).catch(() => undefined);
		return stats !== undefined && (folder ? stats.isDirectory() : stats.isFile()) && (stats.mode & 0o7777) === mode;
	}));
	return found.every(Boolean);
}

/** An open workspace: its layout, its store, and what opening it did. */
export type OpenedWorkspace = {
	paths: WorkspacePaths;
	store: Store;
	/** True when opening created the workspace (there was none). */
	created: boolean;
	/** What the start-up sweep removed (temp files and locks of dead processes) and what it could not. */
	sweep: SweepReport;
};

/**
 * Opens the workspace at `root`: creates or completes its layout (unless
 * `create: false`, which throws NO_WORKSPACE for a missing one), then runs
 * the start-up sweep so that leftovers of a killed process never block
 * this one. A sweep that cannot remove something (read-only disk) is
 * reported in `sweep.failed`, not thrown: reading still works.
 */
export async function openWorkspace(root: string, options: {create?: boolean; store?: StoreOptions} = {}): Promise<OpenedWorkspace> {
	let paths: WorkspacePaths;
	let created = false;
	if (options.create ?? true) {
		({paths, created} = await initWorkspace(root));
	} else {
		paths = await requireWorkspace(root);
	}

	let sweep: SweepReport;
	try {
		sweep = await sweepMeta(paths.meta, options.store?.lock?.stale === undefined ? {} : {lockStaleMs: options.store.lock.stale});
	} catch (error) {
		throw fsError(paths.meta, error, paths.root);
	}

	return {paths, store: new Store(paths.meta, options.store), created, sweep};
}

/** Whether a workspace (a root with a .cws folder) exists at `root`. */
export async function workspaceExists(root: string): Promise<boolean> {
	const paths = workspacePaths(root);
	return (await kindOf(paths.meta)) === 'folder';
}

/**
 * Throws a clear error unless `root` is a workspace whose root and .cws
 * are real folders. Reading commands use it so they never create anything.
 */
export async function requireWorkspace(root: string): Promise<WorkspacePaths> {
	const paths = workspacePaths(root);
	const rootKind = await kindOf(paths.root);
	refuseUnexpected(paths.root, rootKind, 'folder', paths.root);
	const metaKind = await kindOf(paths.meta);
	if (rootKind === 'missing' || metaKind === 'missing') {
		throw new CwsError('NO_WORKSPACE', `There is no workspace at ${paths.root}.`, {
			hint: `Run \`cws init ${paths.root}\` to create it, or pass --workspace <dir>.`,
		});
	}

	refuseUnexpected(paths.meta, metaKind, 'folder', paths.root);
	return paths;
}

/**
 * mkdir of the root, then of its missing parents only when needed: Node's
 * recursive mkdir reports ENOENT instead of EROFS on a read-only disk,
 * which would tell the user the wrong story.
 */
async function makeRoot(root: string): Promise<void> {
	try {
		await mkdir(root, {mode: DIR_MODE});
	} catch (error) {
		if (errnoCode(error) !== 'ENOENT') {
			throw error;
		}

		await mkdir(path.dirname(root), {recursive: true});
		await mkdir(root, {mode: DIR_MODE});
	}
}

async function ensureDir(dir: string, rootPath: string): Promise<boolean> {
	let kind = await kindOf(dir);
	refuseUnexpected(dir, kind, 'folder', rootPath);
	let changed = false;
	if (kind === 'missing') {
		try {
			await mkdir(dir, {mode: DIR_MODE});
			changed = true;
		} catch (error) {
			// Another cws process may have created it a moment ago: fine if it is a folder.
			if (errnoCode(error) !== 'EEXIST') {
				throw fsError(dir, error, rootPath);
			}

			kind = await kindOf(dir);
			refuseUnexpected(dir, kind, 'folder', rootPath);
		}
	}

	return (await ensureMode(dir, DIR_MODE, rootPath)) || changed;
}

async function ensureFile(file: string, rootPath: string): Promise<boolean> {
	const kind = await kindOf(file);
	refuseUnexpected(file, kind, 'file', rootPath);
	let changed = false;
	if (kind === 'missing') {
		try {
			// O_EXCL + O_NOFOLLOW: never truncate or follow something that appeared meanwhile.
			const handle = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, FILE_MODE);
			await handle.close();
			changed = true;
		} catch (error) {
			if (errnoCode(error) !== 'EEXIST') {
				throw fsError(file, error, rootPath);
			}

			refuseUnexpected(file, await kindOf(file), 'file', rootPath);
		}
	}

	return (await ensureMode(file, FILE_MODE, rootPath)) || changed;
}

/** chmod only when needed, so that a correct workspace on a read-only disk is left alone. */
async function ensureMode(target: string, mode: number, rootPath: string): Promise<boolean> {
	const stats = await guard(target, () => lstat(target), rootPath);
	if ((stats.mode & 0o7777) === mode) {
		return false;
	}

	await guard(target, () => chmod(target, mode), rootPath);
	return true;
}

async function guard<T>(target: string, action: () => Promise<T>, rootPath = target): Promise<T> {
	try {
		return await action();
	} catch (error) {
		throw fsError(target, error, rootPath);
	}
}
