// Runs a classic script (the bundled full-screen workspace, dist/tui.cjs, a
// CommonJS module written as the function expression Node wraps one in)
// with V8's compiled code of an earlier start, so that a start deserializes
// the code of Ink, React and the interface instead of compiling it again.
// Node 20 has no compile cache for ES modules; vm.Script takes cachedData.
//
// V8 checks only that a cache matches the source's length and its own
// version and flags, not the source's content: a cache someone else could
// write is code run in this process. So the cache lives in the user's own
// cache folder (and every folder above it is owned by the user or root and
// writable by no one else, unless sticky as /tmp is), is read only from a
// regular file owned by the user that no one else may write (never through
// a symlink, never waiting on a FIFO), carries the hash of the exact source
// it was made from and a checksum of its bytes, and anything else is
// ignored and replaced. Failing to read or write it is never an
// error: the script then compiles as it would without one.
import {isAscii} from 'node:buffer';
import {createHash, randomBytes} from 'node:crypto';
import {chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeSync, type Stats} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {Script} from 'node:vm';

const MAGIC = Buffer.from('cws-v8c1');
const HASH_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 2 * HASH_BYTES;
/** `tui-<script hash>-<V8 version>-<arch>-<flavour>.cache` (see loadCachedScript); group 1 is the script's hash. */
const CACHE_NAME = /^tui-([0-9a-f]{24})-\d+(?:\.\d+)*(?:-[a-z]+\.\d+)?-[a-z0-9]+-[a-z0-9]+\.cache$/;

/** A cache larger than this is not ours (the interface's is a few MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** What happened to the cache on this start, for tests and measurements. */
export type CacheOutcome = 'used' | 'missing' | 'rejected' | 'unsafe' | 'disabled';

/** A script that ran; `save()` writes its compiled code for the next start when that is needed (idempotent, never throws). */
export type LoadedScript<T> = {exports: T; outcome: CacheOutcome; cacheFile: string | undefined; save(): boolean};

export type LoadOptions = {
	/** The user's cache folder for cws (see cwsCacheDir); undefined runs without a cache. */
	cacheDir: string | undefined;
	/** Part of the cache's name: a start with other V8 flags needs a cache of its own. */
	flavour: string;
};

/**
 * $XDG_CACHE_HOME/cws, else ~/.cache/cws; undefined when the environment
 * names no usable home or CWS_CODE_CACHE=0 asks for no cache.
 */
export function cwsCacheDir(env: NodeJS.ProcessEnv): string | undefined {
	if (env['CWS_CODE_CACHE'] === '0') return undefined;
	const xdg = env['XDG_CACHE_HOME'];
	if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'cws');
	let home = env['HOME'];
	if (!home) {
		try {
			home = os.homedir();
		} catch {
			// No home directory for this user (a bare container): run without a cache.
			return undefined;
		}
	}

	return home && path.isAbsolute(home) ? path.join(home, '.cache', 'cws') : undefined;
}

const uid = (): number | undefined => process.getuid?.();

/** The sticky bit (not in fs.constants): in such a folder only an entry's owner may rename or remove it. */
const STICKY = 0o1000;

/** The part of a cache's name that tells scripts apart. */
const scriptId = (key: Buffer): string => key.toString('hex').slice(0, 24);

/** Owned by this user and not writable by anyone else. */
function private_(stats: Stats): boolean {
	const user = uid();
	return (user === undefined || stats.uid === user) && (stats.mode & 0o022) === 0;
}

/**
 * Whether no one but this user and root can change what the folders above
 * `dir` lead to (as OpenSSH's StrictModes checks a key's folders): the
 * nearest existing one and each folder above it, symlinks resolved, is
 * owned by this user or root and writable by neither group nor others
 * unless sticky (as /tmp is, where no one may rename another's entries).
 */
function ancestorsSafe(dir: string): boolean {
	const user = uid();
	let current = path.dirname(dir);
	try {
		for (;;) {
			try {
				current = realpathSync.native(current);
				break;
			} catch (error) {
				const parent = path.dirname(current);
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) return false;
				current = parent;
			}
		}

		for (;;) {
			const stats = statSync(current);
			if (!stats.isDirectory() || (user !== undefined && stats.uid !== user && stats.uid !== 0)) return false;
			if ((stats.mode & 0o022) !== 0 && (stats.mode & STICKY) === 0) return false;
			const parent = path.dirname(current);
			if (parent === current) return true;
			current = parent;
		}
	} catch {
		return false;
	}
}

/** Whether the folder is a real folder of this user that no one else may write to, below safe folders (or is not there yet). */
function dirState(dir: string): 'safe' | 'missing' | 'unsafe' {
	if (!ancestorsSafe(dir)) return 'unsafe';
	try {
		const stats = lstatSync(dir);
		return stats.isDirectory() && private_(stats) ? 'safe' : 'unsafe';
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unsafe';
	}
}

/** The cached code for `key`, or why there is none. */
function readCache(file: string, key: Buffer): {data?: Buffer; outcome: CacheOutcome} {
	let fd: number;
	try {
		// Non-blocking: opening a FIFO put in the cache's place would otherwise wait for a writer.
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
	} catch (error) {
		return {outcome: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unsafe'};
	}

	try {
		const stats = fstatSync(fd);
		if (!stats.isFile() || !private_(stats) || stats.size < HEADER_BYTES || stats.size > MAX_CACHE_BYTES) return {outcome: 'unsafe'};
		const bytes = Buffer.allocUnsafe(stats.size);
		let read = 0;
		while (read < bytes.length) {
			const count = readSync(fd, bytes, read, bytes.length - read, read);
			if (count === 0) break;
			read += count;
		}

		const payload = bytes.subarray(HEADER_BYTES, read);
		const intact = read === bytes.length
			&& bytes.subarray(0, MAGIC.length).equals(MAGIC)
			&& bytes.subarray(MAGIC.length, MAGIC.length + HASH_BYTES).equals(key)
			&& bytes.subarray(MAGIC.length + HASH_BYTES, HEADER_BYTES).equals(createHash('sha256').update(payload).digest());
		return intact ? {data: payload, outcome: 'used'} : {outcome: 'rejected'};
	} catch {
		return {outcome: 'unsafe'};
	} finally {
		closeSync(fd);
	}
}

/** Writes the cache atomically (a private temp file renamed over it) and removes caches of other builds. */
function writeCache(dir: string, file: string, key: Buffer, data: Buffer): boolean {
	let temp: string | undefined;
	try {
		if (!ancestorsSafe(dir)) return false;
		mkdirSync(dir, {recursive: true, mode: 0o700});
		const stats = lstatSync(dir);
		const user = uid();
		if (!stats.isDirectory() || (user !== undefined && stats.uid !== user)) return false;
		// Ours but open to others (an old umask, a copy): close it before writing code into it.
		if ((stats.mode & 0o077) !== 0) chmodSync(dir, 0o700);
		temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
		const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
		try {
			fchmodSync(fd, 0o600);
			const header = Buffer.concat([MAGIC, key, createHash('sha256').update(data).digest()]);
			for (const part of [header, data]) {
				let written = 0;
				while (written < part.length) written += writeSync(fd, part, written, part.length - written);
			}
		} finally {
			closeSync(fd);
		}

		renameSync(temp, file);
		temp = undefined;
		// Only files named exactly as a cache of another build: anything else in the folder is not ours to remove.
		const build = scriptId(key);
		for (const name of readdirSync(dir)) {
			const other = CACHE_NAME.exec(name);
			if (other && other[1] !== build && lstatSync(path.join(dir, name)).isFile()) unlinkSync(path.join(dir, name));
		}

		return true;
	} catch {
		// A read-only or full disk, a foreign folder: the next start compiles as today.
		if (temp) rmSync(temp, {force: true});
		return false;
	}
}

/**
 * Runs the CommonJS script `file`, written as the function expression
 * `(function (exports, require, module, __filename, __dirname) {...})` (its
 * module.exports are returned), with the cached compiled code when there is
 * a valid one; `save()` stores the code compiled so far (call it once the
 * interface has drawn, so that the functions a start runs are in it) unless
 * the cache was used as it is.
 */
export function loadCachedScript<T>(file: string, options: LoadOptions): LoadedScript<T> {
	const bytes = readFileSync(file);
	const key = createHash('sha256').update(bytes).digest();
	const dir = options.cacheDir;
	const cacheFile = dir === undefined ? undefined : path.join(dir, `tui-${scriptId(key)}-${process.versions.v8}-${process.arch}-${options.flavour}.cache`);
	let outcome: CacheOutcome = 'disabled';
	let cachedData: Buffer | undefined;
	if (dir !== undefined && cacheFile !== undefined) {
		const state = dirState(dir);
		if (state === 'safe') ({data: cachedData, outcome} = readCache(cacheFile, key));
		else outcome = state;
	}

	// ASCII read as Latin-1 is the same text, made by Node as a string outside V8's heap.
	const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
	const script = new Script(source, {filename: file, ...(cachedData ? {cachedData} : {})});
	if (cachedData && script.cachedDataRejected) outcome = 'rejected';
	const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: {exports: unknown}, filename: string, dirname: string) => void;
	const module = {exports: {} as unknown};
	wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
	let saved = outcome === 'used' || outcome === 'disabled';
	return {
		exports: module.exports as T,
		outcome,
		cacheFile,
		save() {
			if (saved || dir === undefined || cacheFile === undefined) return false;
			saved = true;
			try {
				return writeCache(dir, cacheFile, key, script.createCachedData());
			} catch {
				return false;
			}
		},
	};
}
