import fs from 'node:fs';
import {open, readdir, readFile, rm, stat, unlink} from 'node:fs/promises';
import path from 'node:path';
import {createExclusive, ensurePrivateDir, inFlightStaged, PRIVATE_FILE_MODE, stagedName, toFsError, unlinkQuietly, writeAll} from './file-ops.js';
import {removeLater} from './publish-file.js';
import {errnoCode} from './errors.js';

/** Generations kept per state file unless its spec says otherwise. */
export const DEFAULT_BACKUPS = 10;

const BACKUP_NAME = /^(\d{12,})\.json$/;

/** One kept generation of a state file. */
export type Backup = {generation: number; file: string};

/** <meta>/backups/<name>/ : the folder of a state file's backups. */
export function backupDir(meta: string, name: string): string {
	return path.join(meta, 'backups', name);
}

/** The backup file of one generation; zero-padded so names sort by generation. */
export function backupFile(meta: string, name: string, generation: number): string {
	return path.join(backupDir(meta, name), `${String(generation).padStart(12, '0')}.json`);
}

/** The kept generations of a state file, newest first ([] when there are none). */
export async function listBackups(meta: string, name: string): Promise<Backup[]> {
	const dir = backupDir(meta, name);
	let entries: string[];
	try {
		entries = await readdir(dir);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
			return [];
		}

		throw toFsError(error, dir, 'list the backups in');
	}

	const backups: Backup[] = [];
	for (const entry of entries) {
		const match = BACKUP_NAME.exec(entry);
		if (match) {
			backups.push({generation: Number(match[1]), file: path.join(dir, entry)});
		}
	}

	return backups.sort((a, b) => b.generation - a.generation);
}

/** A backup written under a staged name, published by `commit`. */
export type StagedBackup = {commit(): Promise<void>; discard(): Promise<void>};

/**
 * Writes the bytes of generation `generation` as a staged backup. The store
 * does this before publishing the state file, so a full disk fails the
 * update with nothing published, and commits it (one rename) after. The
 * calls are synchronous for the reason given at atomicWriteFile.
 *
 * Backups are copies, not hard links of the published file: a tool that
 * rewrites state.json in place (`>` in a shell, some editors) would
 * otherwise destroy the newest backup along with the file, and a link of
 * the outgoing file instead would leave the newest generation without a
 * backup, so a damaged file would lose its last change.
 */
export async function stageBackup(meta: string, name: string, generation: number, bytes: Buffer): Promise<StagedBackup> {
	const final = backupFile(meta, name, generation);
	const staged = stagedName(final);
	inFlightStaged.add(staged);
	try {
		const fd = await createExclusive(staged, PRIVATE_FILE_MODE, true);
		try {
			writeAll(fd, bytes);
			fs.fchmodSync(fd, PRIVATE_FILE_MODE);
		} finally {
			fs.closeSync(fd);
		}
	} catch (error) {
		unlinkQuietly(staged);
		inFlightStaged.delete(staged);
		throw toFsError(error, final, 'write the backup');
	}

	return {
		async commit() {
			try {
				fs.renameSync(staged, final);
			} catch (error) {
				unlinkQuietly(staged);
				throw toFsError(error, final, 'keep the backup');
			} finally {
				inFlightStaged.delete(staged);
			}
		},
		async discard() {
			unlinkQuietly(staged);
			inFlightStaged.delete(staged);
		},
	};
}

/** Every this many generations the prune lists the folder instead of removing one file. */
const FULL_PRUNE_EVERY = 16;

/**
 * Removes the backups beyond the newest `keep` after generation `generation`
 * was kept. Generations are consecutive, so usually exactly one file falls
 * out (generation − keep): it is renamed aside by name, without listing the
 * folder, and the returned step removes it; the store runs that step while
 * the folder's fsync waits for the disk (still under its lock), since
 * freeing a file is the slow part and the rename is not. Every FULL_PRUNE_EVERY generations the folder is listed so that
 * what a gap left behind (a recovery skips generations, a kill between
 * commit and prune, a lowered `keep`) goes too. Each removal is one rename
 * or unlink, so a kill in the middle leaves complete backups only (and a
 * staged name, which the sweep removes).
 */
export async function pruneAfterCommit(meta: string, name: string, keep: number, generation: number): Promise<() => Promise<void>> {
	if (generation % FULL_PRUNE_EVERY === 0) {
		await pruneBackups(meta, name, keep);
		return nothingLeft;
	}

	const outgoing = generation - keep;
	if (outgoing < 1) {
		return nothingLeft;
	}

	const file = backupFile(meta, name, outgoing);
	const aside = stagedName(file);
	inFlightStaged.add(aside);
	try {
		fs.renameSync(file, aside);
	} catch (error) {
		inFlightStaged.delete(aside);
		if (errnoCode(error) !== 'ENOENT') {
			throw toFsError(error, file, 'remove the old backup');
		}

		return nothingLeft;
	}

	return async () => removeLater(aside);
}

async function nothingLeft(): Promise<void> {
	// Nothing was set aside.
}

/**
 * Removes the oldest backups beyond `keep`. Each removal is one unlink, so
 * a kill in the middle leaves complete backups only; the next prune finishes.
 */
export async function pruneBackups(meta: string, name: string, keep: number): Promise<number> {
	const backups = await listBackups(meta, name);
	let removed = 0;
	for (const backup of backups.slice(Math.max(keep, 0))) {
		try {
			await unlink(backup.file);
			removed++;
		} catch (error) {
			if (errnoCode(error) !== 'ENOENT') {
				throw toFsError(error, backup.file, 'remove the old backup');
			}
		}
	}

	return removed;
}

/** Removes every backup of a state file (when the file itself is removed). */
export async function removeBackups(meta: string, name: string): Promise<void> {
	const dir = backupDir(meta, name);
	try {
		await rm(dir, {recursive: true, force: true});
	} catch (error) {
		throw toFsError(error, dir, 'remove the backups in');
	}
}

/**
 * Copies the bytes of a file that failed verification to
 * <meta>/quarantine/<name>.<timestamp>.bad (0600), never over an existing
 * copy. When a copy of this file already holds the same bytes (a
 * bad file read again before it could be repaired) that copy is reused
 * rather than piling up duplicates. Returns the copy's path.
 */
export async function quarantineCopy(meta: string, name: string, bytes: Buffer, now: Date): Promise<string> {
	const dir = path.dirname(path.join(meta, 'quarantine', name));
	const base = path.basename(name);
	await ensurePrivateDir(dir);
	const existing = (await readdir(dir)).filter(entry => entry.startsWith(`${base}.`) && entry.endsWith('.bad'));
	for (const entry of existing) {
		const copy = path.join(dir, entry);
		if ((await stat(copy).catch(() => undefined))?.size === bytes.length && (await readFile(copy)).equals(bytes)) {
			return copy;
		}
	}

	const stamp = now.toISOString().replaceAll(':', '-');
	for (let attempt = 0; ; attempt++) {
		const target = path.join(dir, `${base}.${stamp}${attempt === 0 ? '' : `-${attempt}`}.bad`);
		let handle;
		try {
			handle = await open(target, 'wx', PRIVATE_FILE_MODE);
		} catch (error) {
			if (errnoCode(error) === 'EEXIST') {
				continue;
			}

			throw toFsError(error, target, 'save a copy of the damaged file to');
		}

		try {
			await handle.writeFile(bytes);
			await handle.chmod(PRIVATE_FILE_MODE);
			await handle.sync();
		} catch (error) {
			await handle.close().catch(() => undefined);
			await unlink(target).catch(() => undefined);
			throw toFsError(error, target, 'save a copy of the damaged file to');
		}

		await handle.close();
		return target;
	}
}
