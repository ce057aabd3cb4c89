import fs from 'node:fs';
import {readFile, rename, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {readRegularFileSync, uniqueToken} from './file-ops.js';
import {processStartTime} from './process-info.js';

/** The record inside every lock folder: who holds it, and a token unique to this acquisition. */
export type LockOwner = {pid: number; host: string; start?: string; since: string; token: string};

/** Name of the owner record inside a lock folder (locks made by older versions; a lock is now a file holding the record). */
export const OWNER_FILE = 'owner.json';

const OWN_START = processStartTime(process.pid);
const HOST = os.hostname();

type Callback = (error: NodeJS.ErrnoException | null) => void;

function lockedError(lockDir: string): NodeJS.ErrnoException {
	return Object.assign(new Error(`Lock ${lockDir} is already held`), {code: 'ELOCKED'});
}

/** Reads the owner record of a lock folder; undefined when absent or unreadable. */
export async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
	try {
		const text = await readFile(lockDir, 'utf8').catch(async (error: unknown) => {
			// A lock folder (as older versions made) holds its record inside.
			if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
				return readFile(path.join(lockDir, OWNER_FILE), 'utf8');
			}

			throw error;
		});
		const parsed = JSON.parse(text) as Partial<LockOwner>;
		if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') {
			return parsed as LockOwner;
		}
	} catch {
		// Absent (no such lock) or unreadable: the holder is unknown, which callers say.
	}

	return undefined;
}

/** readOwner without the thread pool, for the holder's own checks (see atomicWriteFile). */
export function readOwnerSync(lockDir: string): LockOwner | undefined {
	try {
		let bytes: Buffer;
		try {
			bytes = readRegularFileSync(lockDir).bytes;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EISDIR') {
				throw error;
			}

			bytes = readRegularFileSync(path.join(lockDir, OWNER_FILE)).bytes;
		}

		const parsed = JSON.parse(bytes.toString('utf8')) as Partial<LockOwner>;
		if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') {
			return parsed as LockOwner;
		}
	} catch {
		// Absent or unreadable, as for readOwner.
	}

	return undefined;
}

/**
 * Removes a lock folder only if it is still the one the caller judged: it
 * is first renamed aside (atomic, so no other process can take the name
 * meanwhile) and `keep` looks at what was actually moved; a folder to keep
 * (someone acquired the lock since) is renamed back.
 */
export async function removeLockIf(lockDir: string, keep: (aside: string) => Promise<boolean>): Promise<'removed' | 'absent' | 'kept'> {
	const aside = `${lockDir}.old-${process.pid}-${uniqueToken()}`;
	try {
		await rename(lockDir, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return 'absent';
		}

		throw error;
	}

	if (await keep(aside)) {
		// Someone else's live lock: put it back. If the name was taken meanwhile
		// that holder lost its lock; its refresh notices and the fencing check
		// stops its write.
		putBack(aside, lockDir);
		return 'kept';
	}

	await rm(aside, {recursive: true, force: true});
	return 'removed';
}

/**
 * removeLockIf with synchronous calls, for the lock's own paths (a dead
 * holder's or a stale lock's removal): the window in which the folder is
 * aside, and another process could create a new lock in its place before
 * a folder to keep is put back, shrinks from event-loop turns to the time
 * of two system calls.
 */
export function removeLockIfSync(lockDir: string, keep: (aside: string) => boolean): 'removed' | 'absent' | 'kept' {
	const aside = `${lockDir}.old-${process.pid}-${uniqueToken()}`;
	try {
		fs.renameSync(lockDir, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return 'absent';
		}

		throw error;
	}

	if (keep(aside)) {
		putBack(aside, lockDir);
		return 'kept';
	}

	fs.rmSync(aside, {recursive: true, force: true});
	return 'removed';
}

/**
 * The file system proper-lockfile is given. Its lock is a bare mkdir; here
 * the lock is a file holding the owner record, written under a private name
 * and hard-linked into place (link() fails if anything holds the name, so it
 * is as exclusive as mkdir), so a lock never exists without its owner and a
 * dead holder can be recognised at once. Creating and removing a file costs
 * a tenth of what a folder with a file in it did on ext4. proper-lockfile's
 * refresh (utimes) and staleness check (mtime) work on a file as on a
 * folder. A lock folder left by an older version still reads as held
 * (readOwner looks inside it) and excludes this version: link() fails on it.
 * Removal of a stale lock renames it aside and re-checks staleness on what
 * it actually moved, which closes most of proper-lockfile's takeover race
 * (its issue #121); removal on release only touches a lock that still holds
 * this acquisition's token.
 */
export function createLockFs(stale: number): {fs: object; held: Map<string, string>} {
	/** lockDir → token of the lock this process holds there. */
	const held = new Map<string, string>();

	// The calls are synchronous (see atomicWriteFile for why); proper-lockfile
	// gets its answer on the next tick, as it would from the thread pool.
	function mkdir(lockDir: string, callback: Callback): void {
		const answer = (error: NodeJS.ErrnoException | null) => process.nextTick(callback, error);
		// Waiters poll: answer "held" with one stat rather than assembling a folder to throw away.
		try {
			if (fs.statSync(lockDir, {throwIfNoEntry: false}) !== undefined) {
				answer(Object.assign(new Error(`${lockDir} exists`), {code: 'EEXIST'}));
				return;
			}
		} catch (error) {
			answer(error as NodeJS.ErrnoException);
			return;
		}

		const token = uniqueToken();
		const staging = `${lockDir}.new-${process.pid}-${token}`;
		const owner: LockOwner = {pid: process.pid, host: HOST, ...(OWN_START ? {start: OWN_START} : {}), since: new Date().toISOString(), token};
		try {
			fs.writeFileSync(staging, JSON.stringify(owner), {mode: 0o600, flag: 'wx'});
		} catch (error) {
			answer(error as NodeJS.ErrnoException);
			return;
		}

		try {
			// link() creates the name only if nothing is there, file or folder: the lock.
			fs.linkSync(staging, lockDir);
		} catch (error) {
			answer(error as NodeJS.ErrnoException);
			return;
		} finally {
			removeQuietly(staging);
		}

		held.set(lockDir, token);
		answer(null);
	}

	function stat(file: string, callback: (error: NodeJS.ErrnoException | null, stats?: fs.Stats) => void): void {
		let stats: fs.Stats;
		try {
			stats = fs.statSync(file);
		} catch (error) {
			process.nextTick(callback, error as NodeJS.ErrnoException);
			return;
		}

		process.nextTick(callback, null, stats);
	}

	function rmdir(lockDir: string, callback: Callback): void {
		const token = held.get(lockDir);
		if (token !== undefined) {
			held.delete(lockDir);
			let failure: NodeJS.ErrnoException | null = null;
			try {
				releaseIfOurs(lockDir, token);
			} catch (error) {
				failure = error as NodeJS.ErrnoException;
			}

			process.nextTick(callback, failure);
			return;
		}

		// proper-lockfile found it stale a moment ago: check what we actually move aside.
		let outcome: 'removed' | 'absent' | 'kept';
		try {
			outcome = removeLockIfSync(lockDir, aside => {
				const stats = fs.statSync(aside, {throwIfNoEntry: false});
				return stats !== undefined && stats.mtimeMs >= Date.now() - stale;
			});
		} catch (error) {
			process.nextTick(callback, error as NodeJS.ErrnoException);
			return;
		}

		process.nextTick(callback, outcome === 'kept' ? lockedError(lockDir) : null);
	}

	function rmdirSync(lockDir: string): void {
		const token = held.get(lockDir);
		held.delete(lockDir);
		if (token !== undefined && readOwnerSync(lockDir)?.token === token) {
			fs.rmSync(lockDir, {recursive: true, force: true});
		}
	}

	return {fs: {...fs, mkdir, stat, rmdir, rmdirSync}, held};
}

/**
 * Release: the folder is renamed aside whole (so the lock name is free at
 * once and never holds a folder without its owner record) and removed,
 * unless it is no longer this acquisition's (taken over meanwhile), in
 * which case it is put back.
 */
function releaseIfOurs(lockDir: string, token: string): void {
	const aside = `${lockDir}.old-${process.pid}-${uniqueToken()}`;
	try {
		fs.renameSync(lockDir, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return;
		}

		throw error;
	}

	if (readOwnerSync(aside)?.token !== token) {
		// Someone else's live lock: see removeLockIf.
		putBack(aside, lockDir);
		return;
	}

	removeQuietly(aside);
}

/**
 * Puts a lock moved aside back in place, unless the name was taken
 * meanwhile: then that holder's lock wins, and the refresh and fencing stop
 * the writes of the one put aside. A lock file goes back with link(), which
 * never replaces what is there (rename would); an older version's lock
 * folder with rename(), which fails onto a folder that is not empty.
 */
function putBack(aside: string, lockDir: string): void {
	try {
		fs.linkSync(aside, lockDir);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EPERM' || code === 'EISDIR') {
			try {
				fs.renameSync(aside, lockDir);
				return;
			} catch {
				// Taken meanwhile.
			}
		}
	}

	removeQuietly(aside);
}

/** Removes a lock file (or an older version's lock folder); errors are left to the sweep. */
function removeQuietly(entry: string): void {
	try {
		fs.unlinkSync(entry);
	} catch {
		fs.rmSync(entry, {recursive: true, force: true});
	}
}
