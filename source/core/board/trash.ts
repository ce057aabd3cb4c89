import fs from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {toFsError} from '../file-ops.js';
import {fromRelative, toRelative, type BoardWorkspace} from './context.js';
import type {TrashRecord} from './model.js';
import {WORKSPACE_LOCK} from './reconcile.js';
import {boardStateSpec} from './schema.js';

/** One thing in the trash: a removed project (with its record) or a folder nobody recorded. */
export type TrashItem = {
	name: string;
	/** Relative to the root; null for a record whose folder was already missing. */
	folder: string | null;
	/** When it was removed (ISO); for an unrecorded folder, its mtime. */
	at: string;
	recorded: boolean;
};

/** Everything in .cws/trash, oldest first. */
export async function listTrash(ws: BoardWorkspace): Promise<TrashItem[]> {
	const {data} = await ws.store.read(boardStateSpec);
	const items: TrashItem[] = data.trash.map(record => ({name: record.name, folder: record.folder, at: record.at, recorded: true}));
	const known = new Set(data.trash.map(record => record.folder).filter(folder => folder !== null));
	for (const entry of await readTrashDir(ws.paths.trash)) {
		const folder = toRelative(ws.paths, path.join(ws.paths.trash, entry));
		if (!known.has(folder)) {
			const stat = await fs.lstat(path.join(ws.paths.trash, entry));
			items.push({name: entry, folder, at: new Date(stat.mtimeMs).toISOString(), recorded: false});
		}
	}

	return items.sort((a, b) => a.at.localeCompare(b.at));
}

export type EmptyTrashResult = {removed: TrashItem[]; kept: number; dryRun: boolean};

/**
 * Deletes trash entries removed more than `olderThanDays` days ago: the
 * folder first, then its record, so a crash in between leaves a record
 * whose folder is gone, which the next run drops.
 */
export async function emptyTrash(ws: BoardWorkspace, options: {olderThanDays: number; dryRun?: boolean; now?: () => Date}): Promise<EmptyTrashResult> {
	if (!Number.isFinite(options.olderThanDays) || options.olderThanDays < 0) {
		throw new CwsError('BAD_AGE', `--older-than must be a number of days (0 or more), not ${String(options.olderThanDays)}.`, {hint: 'For example: cws trash empty --older-than 30'});
	}

	const cutoff = (options.now ?? (() => new Date()))().getTime() - options.olderThanDays * 86_400_000;
	return ws.store.withLock(WORKSPACE_LOCK, async () => {
		const items = await listTrash(ws);
		const due = items.filter(item => Date.parse(item.at) <= cutoff);
		if (options.dryRun) {
			return {removed: due, kept: items.length - due.length, dryRun: true};
		}

		for (const item of due) {
			if (item.folder !== null) {
				const dir = fromRelative(ws.paths, item.folder);
				// Only ever a direct child of the trash folder, whatever a record says.
				if (path.dirname(dir) !== ws.paths.trash) {
					throw new CwsError('STATE_CORRUPT', `A trash record points at ${item.folder}, outside .cws/trash; refusing to delete it.`, {hint: 'Run `cws verify`.'});
				}

				try {
					await fs.rm(dir, {recursive: true, force: true, maxRetries: 2});
				} catch (error) {
					throw toFsError(error, dir, 'delete');
				}
			}

			if (item.recorded) {
				await ws.store.update(boardStateSpec, state => ({...state, trash: state.trash.filter(record => !sameRecord(record, item))}));
			}
		}

		return {removed: due, kept: items.length - due.length, dryRun: false};
	});
}

function sameRecord(record: TrashRecord, item: TrashItem): boolean {
	return record.name === item.name && record.folder === item.folder && record.at === item.at;
}

async function readTrashDir(dir: string): Promise<string[]> {
	try {
		return (await fs.readdir(dir)).filter(name => !name.startsWith('.')).sort();
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return [];
		}

		throw error;
	}
}
