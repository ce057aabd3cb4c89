// The steps of atomicWriteFile (atomic-write.ts) up to the rename, for
// callers that run the last one, the folder's fsync, themselves: the store
// overlaps it with keeping the backup, the queue shares it between writes.
import fs from 'node:fs';
import path from 'node:path';
import {CwsError} from './errors.js';
import {createExclusive, fsyncDir, fsyncFd, inFlightStaged, PRIVATE_FILE_MODE, stagedName, toFsError, unlinkQuietly, writeAll} from './file-ops.js';

/** Options of publishFile and atomicWriteFile. */
export type AtomicWriteOptions = {
	/** Mode of the published file (default 0600), applied whatever the umask. */
	mode?: number;
	/**
	 * Called after the staged file is written and verified, right before it
	 * is renamed onto the target. Throwing aborts the write with nothing
	 * published: the store checks its fencing token here.
	 */
	beforePublish?: () => Promise<void>;
	/** Create the file's folder (0700) if it is missing. */
	createDir?: boolean;
	/** Called right after the rename, before the folder is fsynced (the store records the new inode's identity). */
	afterRename?: () => void;
	/**
	 * Runs while the staged file's fsync waits for the disk (the store writes
	 * its backup then). Throwing aborts the write with nothing published.
	 */
	whileSyncing?: () => Promise<void>;
	/**
	 * Keeps the file being replaced alive under a staged name until the
	 * returned step runs: the rename then only drops a name, and freeing the
	 * old file's blocks (on ext4 the slowest call of a write, about 0.1 ms)
	 * happens in that step, on the thread pool while the folder's fsync waits.
	 */
	deferReplacedRemoval?: boolean;
	/**
	 * Starts the folder's fsync right after the rename instead of in the
	 * returned step (which then waits for it), so that it overlaps what the
	 * caller does meanwhile (the store keeps the backup).
	 */
	earlyFolderSync?: boolean;
};

/**
 * atomicWriteFile up to and including the rename; returns the last step,
 * the folder's fsync (and the removal of the replaced file, with
 * `deferReplacedRemoval`), for the caller to run and await before it
 * reports the write as done.
 */
export async function publishFile(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): Promise<() => Promise<void>> {
	const mode = options.mode ?? PRIVATE_FILE_MODE;
	const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
	refuseSymlink(file);
	const staged = stagedName(file);
	inFlightStaged.add(staged);
	let fd: number | undefined;
	let replaced: string | undefined;
	try {
		fd = await createExclusive(staged, mode, options.createDir === true);
		writeAll(fd, bytes);
		fs.fchmodSync(fd, mode);
		await fsyncWhile(fd, options.whileSyncing);
		verifyStaged(fd, bytes, file);
		fs.closeSync(fd);
		fd = undefined;
		await options.beforePublish?.();
		replaced = options.deferReplacedRemoval ? keepAlive(file) : undefined;
		fs.renameSync(staged, file);
	} catch (error) {
		if (fd !== undefined) {
			closeQuietly(fd);
		}

		unlinkQuietly(staged);
		if (replaced !== undefined) {
			// A second name of the file still in place: dropping it changes nothing.
			unlinkQuietly(replaced);
			inFlightStaged.delete(replaced);
		}

		throw toFsError(error, file, 'write');
	} finally {
		inFlightStaged.delete(staged);
	}

	options.afterRename?.();
	// Settled into a value at once: a failure is reported by the returned step, never unhandled.
	const early = options.earlyFolderSync ? fsyncDir(path.dirname(file)).then(() => undefined, (error: unknown) => ({error})) : undefined;
	return async () => {
		// The replaced file goes on the thread pool while the folder's fsync waits for the disk.
		const removal = replaced === undefined ? undefined : removeLater(replaced);
		try {
			if (early) {
				const failed = await early;
				if (failed) {
					throw failed.error;
				}
			} else {
				await fsyncDir(path.dirname(file));
			}
		} catch (error) {
			throw new CwsError('IO_ERROR', `${file} was written, but syncing its folder to disk failed: ${error instanceof Error ? error.message : String(error)}`, {
				hint: `The new content is in place but may not survive a power cut; check the disk holding ${path.dirname(file)}.`,
				cause: error,
			});
		} finally {
			await removal;
		}
	};
}

/**
 * Gives the file at `file` a second, staged name (a hard link), so that the
 * rename over it does not free it; undefined when there is none or links
 * are not possible there (the rename then frees it, as without this).
 */
function keepAlive(file: string): string | undefined {
	const aside = stagedName(file);
	try {
		fs.linkSync(file, aside);
	} catch {
		return undefined;
	}

	inFlightStaged.add(aside);
	return aside;
}

/** Removes a file kept alive by keepAlive; a failure leaves it to the sweep (a staged name). */
export async function removeLater(file: string): Promise<void> {
	await fs.promises.unlink(file).catch(() => undefined);
	inFlightStaged.delete(file);
}

/**
 * fsyncs `fd` and runs `work` meanwhile. The fsync is always awaited before
 * this returns or throws, so the descriptor is never closed under it; its
 * own failure is reported first.
 */
async function fsyncWhile(fd: number, work: (() => Promise<void>) | undefined): Promise<void> {
	if (!work) {
		await fsyncFd(fd);
		return;
	}

	const syncing = fsyncFd(fd).then(() => ({ok: true as const}), (error: unknown) => ({ok: false as const, error}));
	let failed = false;
	let failure: unknown;
	try {
		await work();
	} catch (error) {
		failed = true;
		failure = error;
	}

	const synced = await syncing;
	if (!synced.ok) {
		throw synced.error;
	}

	if (failed) {
		throw failure;
	}
}

function closeQuietly(fd: number): void {
	try {
		fs.closeSync(fd);
	} catch {
		// Already failing: the write's own error is the one to report.
	}
}

function refuseSymlink(file: string): void {
	let stats;
	try {
		stats = fs.lstatSync(file, {throwIfNoEntry: false});
	} catch (error) {
		throw toFsError(error, file, 'inspect');
	}

	if (stats === undefined) {
		return;
	}

	if (stats.isSymbolicLink()) {
		throw new CwsError('SYMLINK_REFUSED', `Refusing to write ${file}: it is a symbolic link.`, {
			hint: 'cws only writes its own regular files; replace the link with the file it points to, or remove it.',
		});
	}

	if (!stats.isFile()) {
		throw new CwsError('NOT_A_FILE', `Cannot write ${file}: something other than a regular file is in the way.`, {
			hint: `Move ${file} aside and retry.`,
		});
	}
}

/** Reads the staged file back through its descriptor (after the fsync) and compares it byte for byte. */
function verifyStaged(fd: number, expected: Buffer, file: string): void {
	// One byte more than expected: a longer file is a mismatch too.
	const actual = Buffer.allocUnsafe(expected.length + 1);
	let length = 0;
	for (;;) {
		const read = fs.readSync(fd, actual, length, actual.length - length, length);
		if (read === 0) {
			break;
		}

		length += read;
		if (length === actual.length) {
			break;
		}
	}

	if (length < expected.length) {
		throw new CwsError('DISK_FULL', `Cannot write ${file}: only ${length} of ${expected.length} bytes reached the disk (disk full or file size limit).`, {
			hint: `Free some space on the disk holding ${path.dirname(file)} (or raise the file size limit) and retry; ${file} was not changed.`,
		});
	}

	// A byte-for-byte comparison: stronger than comparing hashes, and cheaper.
	if (length !== expected.length || !actual.subarray(0, length).equals(expected)) {
		throw new CwsError('WRITE_VERIFY_FAILED', `Cannot write ${file}: the bytes read back differ from the bytes written.`, {
			hint: `Check the disk holding ${path.dirname(file)} for errors; ${file} was not changed.`,
		});
	}
}
