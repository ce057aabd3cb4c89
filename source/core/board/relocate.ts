import {randomUUID} from 'node:crypto';
import {constants, existsSync} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {toFsError} from '../file-ops.js';
import {appendJsonl} from '../jsonl.js';
import {toRelative, type BoardWorkspace} from './context.js';
import {
	DEFAULT_MODEL, recordOf, recordedLocation,
	type BoardState, type HistoryEntry, type Location, type MoveIntent, type MoveKind, type ProjectRecord,
} from './model.js';
import {boardStateSpec} from './schema.js';

/** Named instants of a rename, for fault injection in tests (a delay or a crash at each). */
export const MOVE_STEPS = ['located', 'gated', 'locked', 'intent-written', 'renamed', 'audited', 'done'] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];
export type MoveHooks = {step?(step: MoveStep): void | Promise<void>};

/** Side effects a test may replace. */
export type RelocateDeps = {
	now?: () => Date;
	rename?: (from: string, to: string) => Promise<void>;
	hooks?: MoveHooks;
};

export type RelocateRequest = {
	kind: MoveKind;
	name: string;
	from: Location;
	to: Location | 'trash';
	/** Absolute destination folder (must not exist). */
	toDir: string;
	fromDir: string;
	reason: string;
	forced: boolean;
	failedGates?: string[];
	by?: string;
};

/**
 * Renames a project folder through the intent protocol. The caller holds the
 * workspace lock and has checked that `fromDir` is the project and `toDir`
 * is free. Steps: record the intent (and adopt a project the metadata did not
 * know) → rename → audit a forced move → history + clear the intent. A crash
 * between any two steps is repaired by reconcileIntents, which finishes or
 * undoes the intent from where the folder actually is.
 */
export async function relocate(ws: BoardWorkspace, request: RelocateRequest, deps: RelocateDeps = {}): Promise<MoveIntent> {
	const now = deps.now ?? (() => new Date());
	const rename = deps.rename ?? anchoredRename;
	const intent: MoveIntent = {
		id: randomUUID(),
		kind: request.kind,
		name: request.name,
		from: request.from,
		to: request.to,
		fromPath: toRelative(ws.paths, request.fromDir),
		toPath: toRelative(ws.paths, request.toDir),
		at: now().toISOString(),
		reason: request.reason,
		forced: request.forced,
		...(request.failedGates ? {failedGates: request.failedGates} : {}),
		...(request.by ? {by: request.by} : {}),
	};
	const born = await folderBirth(request.fromDir);
	await ws.store.update(boardStateSpec, state => {
		if (state.pending) {
			throw new CwsError('MOVE_PENDING', `An interrupted ${state.pending.kind} of "${state.pending.name}" is not reconciled yet.`, {hint: 'Run the command again; it finishes or undoes that move first.'});
		}

		return {...adopt(state, request.name, request.from, born, intent.at), pending: intent};
	});
	await deps.hooks?.step?.('intent-written');
	try {
		await rename(request.fromDir, request.toDir);
	} catch (error) {
		await clearIntent(ws, intent.id);
		throw renameError(error, request);
	}

	await deps.hooks?.step?.('renamed');
	await finishIntent(ws, intent, now);
	await deps.hooks?.step?.('done');
	return intent;
}

/**
 * Completes an intent whose rename happened: the audit line for a forced
 * move, then history (or the trash record) and the intent cleared in one
 * state update. Run again after a crash, it may write the audit line twice;
 * both carry the intent id.
 */
export async function finishIntent(ws: BoardWorkspace, intent: MoveIntent, now: () => Date = () => new Date(), hooks?: MoveHooks): Promise<void> {
	if (intent.forced) {
		await appendJsonl(ws.paths.audit, {
			at: now().toISOString(),
			event: 'forced-move',
			project: intent.name,
			from: intent.from,
			to: intent.to,
			failedGates: intent.failedGates ?? [],
			reason: intent.reason,
			by: intent.by ?? null,
			intent: intent.id,
		});
	}

	await hooks?.step?.('audited');
	await ws.store.update(boardStateSpec, state => state.pending?.id === intent.id ? applyIntent(state, intent) : state);
}

/** Drops an intent whose rename did not happen (the folder is still at its origin). */
export async function clearIntent(ws: BoardWorkspace, id: string): Promise<void> {
	await ws.store.update(boardStateSpec, state => state.pending?.id === id ? {...state, pending: null} : state);
}

/** The state after intent `intent` completed: history appended (or moved to the trash list), intent cleared. */
export function applyIntent(state: BoardState, intent: MoveIntent): BoardState {
	const projects = {...state.projects};
	const record = recordOf(state, intent.name) ?? defaultRecord(intent.at, intent.from, 'found without metadata while moving');
	if (intent.to === 'trash') {
		delete projects[intent.name];
		return {...state, projects, pending: null, trash: [...state.trash, {name: intent.name, folder: intent.toPath, at: intent.at, from: intent.from, record}]};
	}

	const entry: HistoryEntry = {from: intent.from, to: intent.to, at: intent.at, reason: intent.reason, forced: intent.forced};
	if (intent.failedGates && intent.failedGates.length > 0) {
		entry.failedGates = intent.failedGates;
	}

	if (intent.by) {
		entry.by = intent.by;
	}

	projects[intent.name] = {...record, history: [...record.history, entry]};
	return {...state, projects, pending: null};
}

/**
 * Makes sure the state has a record for `name` whose last history entry says
 * it is at `location`: a folder added by hand gets a default record, a
 * folder moved by hand gets a history entry saying so. Never drops anything.
 */
export function adopt(state: BoardState, name: string, location: Location, bornMs: number, at: string): BoardState {
	const existing = recordOf(state, name);
	if (!existing) {
		const where = location === 'archive' ? 'the archive' : `${location}/`;
		return {...state, projects: {...state.projects, [name]: defaultRecord(new Date(bornMs).toISOString(), location, `found in ${where} (added outside cws)`)}};
	}

	const recorded = recordedLocation(existing);
	if (recorded === location) {
		return state;
	}

	const entry: HistoryEntry = {from: recorded ?? null, to: location, at, reason: 'moved outside cws (found there)', forced: false};
	return {...state, projects: {...state.projects, [name]: {...existing, history: [...existing.history, entry]}}};
}

export function defaultRecord(created: string, location: Location, reason: string): ProjectRecord {
	return {model: DEFAULT_MODEL, description: '', created, history: [{from: null, to: location, at: created, reason, forced: false}], notes: []};
}

/** Folder birth (or mtime) in ms; now if it cannot be read. */
export async function folderBirth(dir: string): Promise<number> {
	try {
		const stat = await fs.lstat(dir);
		return stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs;
	} catch {
		return Date.now();
	}
}

/** Whether /proc/self/fd can name an open folder (Linux). */
const PROC_FD = existsSync('/proc/self/fd');

/**
 * rename(2) with both parent folders opened first (O_NOFOLLOW: a link there
 * is refused) and named through their descriptors, so that a stage folder
 * swapped for a symlink after the checks cannot carry the project out of
 * the workspace: the rename happens in the folders that were opened.
 */
export async function anchoredRename(from: string, to: string): Promise<void> {
	if (!PROC_FD) {
		await fs.rename(from, to);
		return;
	}

	const handles: fs.FileHandle[] = [];
	try {
		const anchored = [];
		for (const target of [from, to]) {
			const parent = path.dirname(target);
			let handle;
			try {
				handle = await fs.open(parent, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
			} catch (error) {
				if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'ENOTDIR') {
					throw new CwsError('SYMLINK_REFUSED', `Folder ${parent} became a symbolic link (or a file) during the move; cws refuses to follow or move links.`, {
						hint: 'Replace the link with the real folder, then try again. Nothing was moved.',
					});
				}

				throw error;
			}

			handles.push(handle);
			anchored.push(`/proc/self/fd/${handle.fd}/${path.basename(target)}`);
		}

		await fs.rename(anchored[0]!, anchored[1]!);
		// The entry itself may have been swapped for a symlink after the checks:
		// rename(2) moves the link, not its target, so nothing outside is touched,
		// but a link must not become a project. Put it back and refuse.
		if ((await fs.lstat(anchored[1]!)).isSymbolicLink()) {
			const outcome = await returnLink(anchored[1]!, anchored[0]!);
			throw new CwsError('SYMLINK_REFUSED', `${from} became a symbolic link during the move; cws refuses to move links. ${outcome === 'returned' ? 'It was put back.' : 'Its old place was taken again meanwhile, so the link was removed (what it pointed to was not touched).'}`, {
				hint: 'Replace the link with the real folder, then try again.',
			});
		}
	} finally {
		await Promise.all(handles.map(async handle => handle.close()));
	}
}

/**
 * Takes a symbolic link a move carried to `moved` back to `source`; when
 * that name was taken again meanwhile (a folder, a file, another link),
 * removes the link instead, so that it never stays in a stage as a project
 * and never replaces what is at `source`. unlink removes a link itself, never what it points to, and fails
 * on a folder, so a real project put at `moved` meanwhile is left alone.
 */
export async function returnLink(moved: string, source: string): Promise<'returned' | 'removed'> {
	// rename would replace a file or link at `source`: only onto a free name.
	const taken = await fs.lstat(source).then(() => true, () => false);
	if (!taken) {
		try {
			await fs.rename(moved, source);
			return 'returned';
		} catch {
			// Taken in the meantime: remove the link below.
		}
	}

	await fs.unlink(moved);
	return 'removed';
}

function renameError(error: unknown, request: RelocateRequest): unknown {
	const code = errnoCode(error);
	if (code === 'EXDEV') {
		return new CwsError('CROSS_DEVICE', `Cannot move "${request.name}": ${request.fromDir} and ${request.toDir} are on different file systems, and cws moves a project only by an atomic rename (a copy could be left half-done by a crash).`, {
			hint: 'Keep the stage folders (and .cws) on one file system: move the mount or the workspace. Nothing was changed.',
			cause: error,
		});
	}

	if (code === 'EEXIST' || code === 'ENOTEMPTY') {
		return targetExists(request.name, request.toDir);
	}

	if (code === 'ENOENT') {
		return new CwsError('NOT_FOUND', `Project "${request.name}" is no longer at ${request.fromDir}; another process moved or removed it.`, {hint: 'Run `cws list` to see where it is now.', cause: error});
	}

	if (error instanceof CwsError) {
		return error;
	}

	return toFsError(error, request.fromDir, 'move');
}

export function targetExists(name: string, toDir: string): CwsError {
	return new CwsError('TARGET_EXISTS', `Cannot move "${name}": ${toDir} already exists.`, {
		hint: 'Rename or remove the folder in the way, then try again. Nothing was changed.',
	});
}
