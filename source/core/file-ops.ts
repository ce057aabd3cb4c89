// The file operations cws's durable writes are made of (atomic-write.ts,
// publish-file.ts, backups, the queue's job files, locks): staged names and
// the set of those being written, exclusive creation, whole writes, fsync of
// a file or a folder, private folders, reading a regular file, and errors
// turned into messages that say what to do.
import {randomBytes} from 'node:crypto';
import fs, {constants} from 'node:fs';
import {chmod, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from './errors.js';

// Node ignores SIGXFSZ, so a write past `ulimit -f` returns short or EFBIG
// and surfaces as DISK_FULL. But signal-exit (loaded by proper-lockfile)
// listens for SIGXFSZ and re-raises it with the default action, which kills
// the process, whenever its own listeners are the only ones. One listener of
// ours keeps the signal harmless.
const SIGXFSZ_GUARD = Symbol.for('cws.sigxfsz-guard');
if (process.platform !== 'win32' && !(SIGXFSZ_GUARD in globalThis)) {
	Object.defineProperty(globalThis, SIGXFSZ_GUARD, {value: true});
	process.on('SIGXFSZ', () => undefined);
}

/** Mode of every file the store writes, whatever the umask. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder the store creates, whatever the umask. */
export const PRIVATE_DIR_MODE = 0o700;

/** Marks a staged file: `.<base>.cws-tmp-<pid>-<token>` next to its target (see uniqueToken). */
export const STAGED_MARK = '.cws-tmp-';
// Earlier versions wrote through write-file-atomic, which appended `.<uint32>` to the staged name.
const STAGED_PATTERN = /^\.(.+)\.cws-tmp-(\d+)-([0-9a-f]+)(?:\.\d+)?$/;

/** Staged files this process is writing right now; the sweep leaves them alone. */
export const inFlightStaged = new Set<string>();

const TOKEN_BASE = randomBytes(6).toString('hex');
let tokenCount = 0;

/**
 * A hex token no other call returns: unique within this process by a
 * counter, and across processes (pid reuse included) by a random base drawn
 * once per process. A random draw per call cost about 5% of an update's CPU
 * (an update names half a dozen files).
 */
export function uniqueToken(): string {
	tokenCount++;
	return `${TOKEN_BASE}${tokenCount.toString(16)}`;
}

/** A fresh staged name next to `file`, naming this process. */
export function stagedName(file: string): string {
	return path.join(path.dirname(file), `.${path.basename(file)}${STAGED_MARK}${process.pid}-${uniqueToken()}`);
}

/**
 * Parses a directory entry name made by stagedName (or write-file-atomic's
 * temp of one): the target's base name, the writer's pid, and the staged
 * name itself (without write-file-atomic's suffix).
 */
export function parseStagedName(name: string): {target: string; pid: number; staged: string} | undefined {
	const match = STAGED_PATTERN.exec(name);
	if (!match) {
		return undefined;
	}

	return {target: match[1]!, pid: Number(match[2]), staged: `.${match[1]!}${STAGED_MARK}${match[2]!}-${match[3]!}`};
}

/**
 * Opens a new file exclusively for reading and writing (0600 or `mode`,
 * never through a symlink).
 * With `createDir`, a missing folder is created (0700) and the open retried:
 * callers that write to the same folders over and over skip a mkdir per write.
 */
export async function createExclusive(file: string, mode: number, createDir: boolean): Promise<number> {
	const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
	try {
		return fs.openSync(file, flags, mode);
	} catch (error) {
		if (!createDir || errnoCode(error) !== 'ENOENT') {
			throw error;
		}
	}

	await ensurePrivateDir(path.dirname(file));
	return fs.openSync(file, flags, mode);
}

/** Writes every byte or throws (a write that makes no progress is a full disk). */
export function writeAll(fd: number, bytes: Buffer): void {
	let offset = 0;
	while (offset < bytes.length) {
		const written = fs.writeSync(fd, bytes, offset, bytes.length - offset, offset);
		if (written <= 0) {
			throw Object.assign(new Error(`only ${offset} of ${bytes.length} bytes could be written`), {code: 'ENOSPC'});
		}

		offset += written;
	}
}

/** fsyncs an open descriptor (on the thread pool). */
export async function fsyncFd(fd: number): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		fs.fsync(fd, error => {
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		});
	});
}

/** Removes a file, ignoring every error (clean-up after a failure that is being reported). */
export function unlinkQuietly(file: string): void {
	try {
		fs.unlinkSync(file);
	} catch {
		// Absent or not removable: the sweep finds it later.
	}
}

/**
 * Reads a whole file synchronously, with its stats, refusing anything but a
 * regular file: opened with O_NONBLOCK, so a FIFO put in a state file's
 * place cannot block the process (the read is synchronous, see
 * atomicWriteFile). With `noFollow` a symlink in its place fails with
 * ELOOP instead of being read through. Errors are the file system's, with
 * the code `EFTYPE` for a FIFO, socket or device.
 */
export function readRegularFileSync(file: string, options: {noFollow?: boolean} = {}): {bytes: Buffer; stats: fs.BigIntStats} {
	const fd = fs.openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
	try {
		const stats = fs.fstatSync(fd, {bigint: true});
		if (!stats.isFile()) {
			throw Object.assign(new Error(`${file} is not a regular file`), {code: stats.isDirectory() ? 'EISDIR' : 'EFTYPE'});
		}

		return {bytes: fs.readFileSync(fd), stats};
	} finally {
		fs.closeSync(fd);
	}
}

/** fsyncs a folder so that a rename or unlink in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
	const fd = fs.openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
	try {
		await fsyncFd(fd);
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Creates `dir` and its missing parents as 0700 whatever the umask (mkdir's
 * mode is masked by the umask, so each created folder is chmodded after).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
	let first: string | undefined;
	try {
		first = await mkdir(dir, {recursive: true, mode: PRIVATE_DIR_MODE});
	} catch (error) {
		throw toFsError(error, dir, 'create the folder');
	}

	if (first === undefined) {
		return;
	}

	// mkdir returns the topmost folder it created; chmod it and everything below.
	const relative = path.relative(first, dir);
	let current = first;
	await chmod(current, PRIVATE_DIR_MODE);
	for (const part of relative === '' ? [] : relative.split(path.sep)) {
		current = path.join(current, part);
		await chmod(current, PRIVATE_DIR_MODE);
	}
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Turns a file system error into a CwsError naming the file: DISK_FULL,
 * READ_ONLY (a write refused), PERMISSION_DENIED (a read refused), or
 * IO_ERROR for anything else. CwsErrors pass through.
 */
export function toFsError(error: unknown, file: string, action = 'write'): CwsError {
	if (error instanceof CwsError) {
		return error;
	}

	const code = errnoCode(error);
	const reason = error instanceof Error ? error.message : String(error);
	if (code && DISK_FULL_CODES.has(code)) {
		return new CwsError('DISK_FULL', `Cannot ${action} ${file}: the disk is full or a size limit was reached (${code}).`, {
			hint: `Free some space on the disk holding ${path.dirname(file)} and retry; ${file} was not changed.`,
			cause: error,
		});
	}

	if (code && READ_ONLY_CODES.has(code) && (action === 'read' || action === 'inspect')) {
		return new CwsError('PERMISSION_DENIED', `Cannot ${action} ${file}: permission denied (${code}).`, {
			hint: `Make ${file} readable by you (check its owner and mode, and those of its folders).`,
			cause: error,
		});
	}

	if (code && READ_ONLY_CODES.has(code)) {
		return new CwsError('READ_ONLY', `Cannot ${action} ${file}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'} (${code}).`, {
			hint: `Make ${path.dirname(file)} writable by you (remount it read-write or fix its owner and mode) and retry; nothing was changed.`,
			cause: error,
		});
	}

	return new CwsError('IO_ERROR', `Cannot ${action} ${file}: ${reason}`, {
		hint: `Check that ${path.dirname(file)} exists and its disk is healthy, then retry.`,
		cause: error,
	});
}
