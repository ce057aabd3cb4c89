import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';

/** Folders whose contents say nothing about the author's own activity. */
export const ACTIVITY_SKIP = new Set(['.git', 'node_modules']);

/** When a project's content last changed, as far as a bounded walk could tell. */
export type Activity = {
	/** Newest modification time of a file inside (not of the folders), ms since epoch. */
	newestMs: number;
	/** Path of that file relative to the project, null when the project has no files. */
	newestPath: string | null;
	/** Files looked at. */
	files: number;
	/** The walk stopped at its entry or depth bound; newestMs is a lower bound. */
	truncated: boolean;
};

export type ActivityOptions = {
	/** Entries (files and folders) to look at before stopping; default 5000. */
	maxEntries?: number;
	/** Folder depth below the project; default 8. */
	maxDepth?: number;
};

/** What the cache keeps to tell later whether a walk can be reused. */
export type ActivityProbe = {
	activity: Activity;
	/** Every folder walked with its mtime: a file created, deleted or renamed in one changes it. */
	dirs: Array<[string, number]>;
};

/**
 * Walks `dir` breadth-first (skipping .git and node_modules, never following
 * links) and returns the newest file modification time. Bounded so that a
 * project with a huge tree costs at most `maxEntries` stats.
 */
export async function probeActivity(dir: string, options: ActivityOptions = {}): Promise<ActivityProbe> {
	const maxEntries = options.maxEntries ?? 5000;
	const maxDepth = options.maxDepth ?? 8;
	let newestMs = 0;
	let newestPath: string | null = null;
	let files = 0;
	let entries = 0;
	let truncated = false;
	const dirs: Array<[string, number]> = [];
	let level: string[] = [''];
	for (let depth = 0; level.length > 0; depth++) {
		const next: string[] = [];
		for (const relative of level) {
			const absolute = path.join(dir, relative);
			let listing;
			try {
				const [stat, items] = await Promise.all([fs.lstat(absolute), fs.readdir(absolute, {withFileTypes: true})]);
				dirs.push([relative, stat.mtimeMs]);
				listing = items;
			} catch (error) {
				// A folder that vanished or cannot be read mid-walk is not an error for a heuristic.
				if (relative === '' || !isTransient(error)) {
					throw error;
				}

				continue;
			}

			const fileStats = [];
			for (const item of listing) {
				if (entries >= maxEntries) {
					truncated = true;
					break;
				}

				entries++;
				const child = relative === '' ? item.name : `${relative}/${item.name}`;
				if (item.isDirectory()) {
					if (ACTIVITY_SKIP.has(item.name)) {
						continue;
					}

					if (depth + 1 > maxDepth) {
						truncated = true;
					} else {
						next.push(child);
					}
				} else {
					fileStats.push(child);
				}
			}

			const stats = await Promise.all(fileStats.map(async child => {
				try {
					return [child, (await fs.lstat(path.join(dir, child))).mtimeMs] as const;
				} catch (error) {
					if (!isTransient(error)) {
						throw error;
					}

					return undefined;
				}
			}));
			for (const entry of stats) {
				if (entry === undefined) {
					continue;
				}

				files++;
				if (entry[1] > newestMs) {
					newestMs = entry[1];
					newestPath = entry[0];
				}
			}

			if (truncated) {
				break;
			}
		}

		if (truncated && entries >= maxEntries) {
			break;
		}

		level = next;
	}

	if (newestPath === null) {
		// An empty project: its folder's own time is all there is.
		newestMs = dirs[0]?.[1] ?? 0;
	}

	return {activity: {newestMs, newestPath, files, truncated}, dirs};
}

/**
 * Whether a cached probe still holds: every walked folder has the same mtime
 * (so no file was added, removed or renamed, which is how most editors save)
 * and the newest file was not touched. An in-place write to another file
 * changes no folder; the caller's time-to-live covers that case.
 * Synchronous on purpose: a few lstat calls cost microseconds each, while an
 * async one costs a trip through libuv's four-thread pool; callers yield to
 * the event loop between batches.
 */
export function probeStillValid(dir: string, probe: ActivityProbe): boolean {
	for (const [relative, mtimeMs] of probe.dirs) {
		if (fsSync.lstatSync(path.join(dir, relative), {throwIfNoEntry: false})?.mtimeMs !== mtimeMs) {
			return false;
		}
	}

	const {newestPath, newestMs} = probe.activity;
	return newestPath === null || fsSync.lstatSync(path.join(dir, newestPath), {throwIfNoEntry: false})?.mtimeMs === newestMs;
}

function isTransient(error: unknown): boolean {
	const code = errnoCode(error);
	return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM';
}
