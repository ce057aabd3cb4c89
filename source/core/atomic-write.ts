import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {chmod, lstat, mkdir, open, readFile, rename, unlink} from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import {CwsError, errnoCode} from './errors.js';

// Node ignores SIGXFSZ, so a write past `ulimit -f` returns short or EFBIG
// and surfaces as DISK_FULL. But signal-exit (loaded by write-file-atomic
// and proper-lockfile) listens for SIGXFSZ and re-raises it with the default
// action, which kills the process, whenever its own listeners are the only
// ones. One listener of ours keeps the signal harmless.
const SIGXFSZ_GUARD = Symbol.for('cws.sigxfsz-guard');
if (process.platform !== 'win32' && !(SIGXFSZ_GUARD in globalThis)) {
	Object.defineProperty(globalThis, SIGXFSZ_GUARD, {value: true});
	process.on('SIGXFSZ', () => undefined);
}

/** Mode of every file the store writes, whatever the umask. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder the store creates, whatever the umask. */
export const PRIVATE_DIR_MODE = 0o700;

/** Marks a staged file: `.<base>.cws-tmp-<pid>-<random>` next to its target. */
export const STAGED_MARK = '.cws-tmp-';
// write-file-atomic appends `.<uint32>` to the name it is given for its own temp.
const STAGED_PATTERN = /^\.(.+)\.cws-tmp-(\d+)-([0-9a-f]+)(?:\.\d+)?$/;

/** Staged files this process is writing right now; the sweep leaves them alone. */
export const inFlightStaged = new Set<string>();

/** A fresh staged name next to `file`, naming this process. */
export function stagedName(file: string): string {
	return path.join(path.dirname(file), `.${path.basename(file)}${STAGED_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
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

export type AtomicWriteOptions = {
	/** Mode of the published file (default 0600), applied whatever the umask. */
	mode?: number;
	/**
	 * Called after the staged file is written and verified, right before it
	 * is renamed onto the target. Throwing aborts the write with nothing
	 * published: the store checks its fencing token here.
	 */
	beforePublish?: () => Promise<void>;
};

/**
 * Replaces `file` with `data` so that a reader sees the old or the new
 * content, never a mix, and so that a failure leaves the old content
 * byte-identical. write-file-atomic stages the bytes next to the target
 * (fsynced); the staged file is then read back and compared byte for byte
 * with what was meant, because write-file-atomic ignores short writes (a full disk or
 * `ulimit -f` would otherwise publish a truncated file); then it is renamed
 * onto the target and the folder is fsynced so the rename survives a crash.
 * A symlink at `file` is refused rather than replaced.
 */
export async function atomicWriteFile(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): Promise<void> {
	const mode = options.mode ?? PRIVATE_FILE_MODE;
	const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
	await refuseSymlink(file);
	const staged = stagedName(file);
	inFlightStaged.add(staged);
	let published = false;
	try {
		await writeFileAtomic(staged, bytes, {mode, fsync: true});
		await verifyStaged(staged, bytes, file);
		await options.beforePublish?.();
		await rename(staged, file);
		published = true;
		await fsyncDir(path.dirname(file));
	} catch (error) {
		if (!published) {
			await unlink(staged).catch(() => undefined);
		}

		if (published && !(error instanceof CwsError)) {
			throw new CwsError('IO_ERROR', `${file} was written, but syncing its folder to disk failed: ${error instanceof Error ? error.message : String(error)}`, {
				hint: `The new content is in place but may not survive a power cut; check the disk holding ${path.dirname(file)}.`,
				cause: error,
			});
		}

		throw toFsError(error, file, 'write');
	} finally {
		inFlightStaged.delete(staged);
	}
}

async function refuseSymlink(file: string): Promise<void> {
	let stats;
	try {
		stats = await lstat(file);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return;
		}

		throw toFsError(error, file, 'inspect');
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

async function verifyStaged(staged: string, expected: Buffer, file: string): Promise<void> {
	const actual = await readFile(staged);
	if (actual.length < expected.length) {
		throw new CwsError('DISK_FULL', `Cannot write ${file}: only ${actual.length} of ${expected.length} bytes reached the disk (disk full or file size limit).`, {
			hint: `Free some space on the disk holding ${path.dirname(file)} (or raise the file size limit) and retry; ${file} was not changed.`,
		});
	}

	// A byte-for-byte comparison: stronger than comparing hashes, and cheaper.
	if (!actual.equals(expected)) {
		throw new CwsError('WRITE_VERIFY_FAILED', `Cannot write ${file}: the bytes read back differ from the bytes written.`, {
			hint: `Check the disk holding ${path.dirname(file)} for errors; ${file} was not changed.`,
		});
	}
}

/** fsyncs a folder so that a rename or unlink in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
	const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
	try {
		await handle.sync();
	} finally {
		await handle.close();
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
