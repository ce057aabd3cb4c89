import {constants} from 'node:fs';
import fs from 'node:fs';
import {unlink} from 'node:fs/promises';
import path from 'node:path';
import {DEFAULT_BACKUPS, listBackups, pruneAfterCommit, removeBackups, stageBackup, type StagedBackup} from './backups.js';
import {encodeEnvelope, sniffGeneration, verifyEnvelopeText, type EnvelopeSpec} from './envelope.js';
import {CwsError, errnoCode} from './errors.js';
import {fsyncDir, readRegularFileSync, toFsError} from './file-ops.js';
import {LockManager, type LockHandle, type LockTiming} from './lock.js';
import {publishFile} from './publish-file.js';
import {recoverLocked, inspectState, type Inspection} from './recovery.js';

export {SchemaError} from './envelope.js';
export {atomicWriteFile} from './atomic-write.js';
export {appendJsonl, readJsonl} from './jsonl.js';
export type {Inspection} from './recovery.js';

/** Describes one state file kept under .cws/ . */
export type StateSpec<T> = EnvelopeSpec<T> & {
	/** Path relative to .cws/, e.g. 'state.json' or 'queue/abc.json'. */
	name: string;
	/** Payload of a file that does not exist yet. */
	initial(): T;
	/** Generations kept under .cws/backups/<name>/ (default 10, 0 = none). */
	backups?: number;
};

/** A state file's verified content. */
export type Loaded<T> = {data: T; generation: number; recovered?: RecoveryReport};

/** What the store did about a state file that failed verification. */
export type RecoveryReport = {
	/** Absolute path of the state file. */
	file: string;
	/** What was wrong, e.g. 'checksum mismatch (…)' or 'schema: projects.x.stage: …'. */
	fault: string;
	/** Absolute path of the byte-for-byte copy of the bad file ('' when the file was missing). */
	quarantinedTo: string;
	/** The backup generation whose content was restored. */
	restoredGeneration: number;
	/** One line for the user. */
	message: string;
};

export type StoreOptions = {
	/** Lock timing (tests shorten `stale`; the default is 10 s). */
	lock?: Partial<LockTiming>;
	/** Clock for quarantine names. */
	now?: () => Date;
};

/** Bytes of a state file plus the identity of the inode they were read from. */
export type Snapshot = {bytes: Buffer; identity: string} | {bytes: undefined; identity: 'missing'};

type LoadedLocked<T> = Loaded<T> & {identity: string};

/** A state file this process verified (read or wrote), by the identity of its inode. */
type Verified = {identity: string; generation: number; version: number; payload: string};

/** How many verified files a store remembers (a queue has one file per job). */
const VERIFIED_LIMIT = 512;

/**
 * The verified store of the state files under <root>/.cws. Every write goes
 * lock → read → verify → fn → stage and verify → fence → publish; reads
 * take no lock and see the old or the new file, never a mix.
 */
export class Store {
	readonly meta: string;
	readonly locks: LockManager;
	private readonly now: () => Date;
	private readonly listeners = new Set<(report: RecoveryReport) => void>();
	/**
	 * Files whose bytes this process verified, by path. While a file's
	 * identity (device, inode, size, modification and change times) is the
	 * one recorded, its bytes are the ones verified: cws replaces a state file
	 * by renaming a new inode over it, and an edit in place changes the
	 * times. A read or update then skips reading, parsing and hashing it
	 * again. `inspect` (cws verify) always reads the bytes.
	 */
	private readonly verified = new Map<string, Verified>();

	constructor(meta: string, options: StoreOptions = {}) {
		this.meta = path.resolve(meta);
		this.locks = new LockManager(path.join(this.meta, 'locks'), options.lock);
		this.now = options.now ?? (() => new Date());
	}

	/** Absolute path of a state file. */
	filePath(spec: {name: string}): string {
		const normal = path.normalize(spec.name);
		if (path.isAbsolute(normal) || normal.startsWith('..') || normal === '.' || normal.includes('\0')) {
			throw new Error(`State file name ${JSON.stringify(spec.name)} must be a path inside .cws`);
		}

		return path.join(this.meta, normal);
	}

	/**
	 * Reads and verifies a state file without locking. A missing file is
	 * `initial()` at generation 0; a bad one is recovered from its newest
	 * valid backup under the lock (see RecoveryReport), or STATE_CORRUPT.
	 */
	async read<T>(spec: StateSpec<T>): Promise<Loaded<T>> {
		const file = this.filePath(spec);
		const known = this.known(spec, file, currentIdentity(file));
		if (known) {
			return {data: known.data, generation: known.generation};
		}

		const snapshot = await this.snapshot(spec);
		if (snapshot.bytes) {
			const verified = verifyEnvelopeText(snapshot.bytes, spec);
			if (verified.ok) {
				this.remember(file, snapshot.identity, verified);
				return {data: verified.data, generation: verified.generation};
			}
		} else if ((await listBackups(this.meta, spec.name)).length === 0) {
			return {data: spec.initial(), generation: 0};
		}

		const loaded = await this.locks.withLock(spec.name, async handle => this.loadLocked(spec, handle));
		if (!loaded.recovered) {
			return {data: loaded.data, generation: loaded.generation};
		}

		this.emit(loaded.recovered);
		return {data: loaded.data, generation: loaded.generation, recovered: loaded.recovered};
	}

	/**
	 * Applies `fn` to the current content and publishes the result as the
	 * next generation, under the file's lock. Right before publishing it
	 * checks, under the lock, that the file on disk is still the one it
	 * read (same inode and generation) and that the lock was not taken over;
	 * otherwise it publishes nothing and throws STATE_STALE_WRITER.
	 */
	async update<T>(spec: StateSpec<T>, fn: (current: T) => T | Promise<T>): Promise<Loaded<T>> {
		const file = this.filePath(spec);
		let recovered: RecoveryReport | undefined;
		try {
			return await this.locks.withLock(spec.name, async handle => {
				const current = await this.loadLocked(spec, handle);
				recovered = current.recovered;
				const next = await fn(current.data);
				const data = this.validated(spec, file, next);
				const generation = current.generation + 1;
				const finish = await this.publish(spec, data, generation, current, handle);
				// The folder's fsync, started at the rename, is awaited under the lock. Released
				// before it, the lock went to a next writer whose own fsync then queued behind
				// this one in the file system's journal: measured slower than waiting here.
				await finish();
				return recovered ? {data, generation, recovered} : {data, generation};
			});
		} finally {
			// A recovery happened even if the change then failed; tell listeners once the lock is free.
			if (recovered) {
				this.emit(recovered);
			}
		}
	}

	/** Runs `fn` holding the named workspace lock (reentrant along one async call chain). */
	async withLock<R>(lockName: string, fn: (handle: LockHandle) => Promise<R>): Promise<R> {
		return this.locks.withLock(lockName, fn);
	}

	/**
	 * Calls `listener` after each recovery from backup, once the file's lock
	 * is released (so a listener may read or update). Returns the unsubscribe
	 * function. A listener must not throw: its error would reach the reader.
	 */
	onRecovery(listener: (report: RecoveryReport) => void): () => void {
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
		};
	}

	private emit(report: RecoveryReport): void {
		for (const listener of this.listeners) {
			listener(report);
		}
	}

	/** Verifies a state file and its backups without changing anything (for `cws verify`). */
	async inspect<T>(spec: StateSpec<T>): Promise<Inspection> {
		return inspectState(this.meta, spec, this.filePath(spec), await this.snapshot(spec));
	}

	/**
	 * Deletes a state file and its backups under its lock. Backups go first:
	 * a kill in between leaves a file without backups (fine), never backups
	 * without the file (which would read as damage and be restored).
	 */
	async remove(spec: {name: string}): Promise<void> {
		const file = this.filePath(spec);
		this.verified.delete(file);
		await this.locks.withLock(spec.name, async handle => {
			await handle.verifyHeld();
			await removeBackups(this.meta, spec.name);
			try {
				await unlink(file);
			} catch (error) {
				if (errnoCode(error) === 'ENOENT') {
					return;
				}

				throw toFsError(error, file, 'remove');
			}

			await fsyncDir(path.dirname(file)).catch((error: unknown) => {
				throw toFsError(error, path.dirname(file), 'sync');
			});
		});
	}

	/** The bytes of a state file and the identity of the inode read (synchronous calls: see atomicWriteFile). */
	async snapshot(spec: {name: string}): Promise<Snapshot> {
		const file = this.filePath(spec);
		try {
			// O_NOFOLLOW: a link in place of a state file is refused by name, never read through.
			const {bytes, stats} = readRegularFileSync(file, {noFollow: true});
			return {bytes, identity: identityOf(stats)};
		} catch (error) {
			if (errnoCode(error) === 'ENOENT') {
				return {bytes: undefined, identity: 'missing'};
			}

			if (errnoCode(error) === 'ELOOP') {
				throw new CwsError('SYMLINK_REFUSED', `Refusing to read ${file}: it is a symbolic link.`, {
					hint: 'cws only reads its own regular files; replace the link with the file it points to, or remove it.',
				});
			}

			if (errnoCode(error) === 'EFTYPE') {
				throw new CwsError('NOT_A_FILE', `Cannot read ${file}: it is not a regular file (a pipe, socket or device is in its place).`, {
					hint: `Move ${file} aside; cws restores it from its backup.`,
					cause: error,
				});
			}

			throw toFsError(error, file, 'read');
		}
	}

	/** Reads and verifies under the lock, recovering a bad or vanished file. */
	private async loadLocked<T>(spec: StateSpec<T>, handle: LockHandle): Promise<LoadedLocked<T>> {
		const file = this.filePath(spec);
		const identity = currentIdentity(file);
		const known = this.known(spec, file, identity);
		if (known) {
			return {data: known.data, generation: known.generation, identity};
		}

		const snapshot = await this.snapshot(spec);
		if (snapshot.bytes) {
			const verified = verifyEnvelopeText(snapshot.bytes, spec);
			if (verified.ok) {
				this.remember(file, snapshot.identity, verified);
				return {data: verified.data, generation: verified.generation, identity: snapshot.identity};
			}
		} else if ((await listBackups(this.meta, spec.name)).length === 0) {
			return {data: spec.initial(), generation: 0, identity: 'missing'};
		}

		const recovery = await recoverLocked({
			meta: this.meta,
			spec,
			file: this.filePath(spec),
			snapshot,
			now: this.now(),
			publish: async (data, generation) => {
				const syncFolder = await this.publish(spec, data, generation, {identity: snapshot.identity, generation: Number.NaN}, handle);
				await syncFolder();
			},
		});
		const after = await this.snapshot(spec);
		return {data: recovery.data, generation: recovery.generation, identity: after.identity, recovered: recovery.report};
	}

	private validated<T>(spec: StateSpec<T>, file: string, next: T): T {
		try {
			// What is written must be exactly what a later read will parse.
			return spec.parse(JSON.parse(JSON.stringify(next ?? null)) as unknown);
		} catch (error) {
			throw new CwsError('STATE_INVALID', `Refused to write ${file}: the new content does not pass its own checks (${error instanceof Error ? error.message : String(error)}).`, {
				hint: 'This is a bug in cws; nothing was written. Please report it with the command you ran.',
				cause: error,
			});
		}
	}

	/**
	 * Writes the file and stages its backup, verifies, fences, publishes,
	 * keeps the backup. Returns the last step (waiting for the folder's
	 * fsync, and the removal of what the new generation replaced), which the
	 * caller must run before it reports the update as done.
	 */
	private async publish<T>(spec: StateSpec<T>, data: T, generation: number, read: {identity: string; generation: number}, handle: LockHandle): Promise<() => Promise<void>> {
		const file = this.filePath(spec);
		const payload = JSON.stringify(data);
		const bytes = Buffer.from(encodeEnvelope(data, {version: spec.version, generation}, payload), 'utf8');
		const keep = spec.backups ?? DEFAULT_BACKUPS;
		let backup: StagedBackup | undefined;
		this.verified.delete(file);
		let syncFolder: () => Promise<void>;
		try {
			syncFolder = await publishFile(file, bytes, {
				createDir: true,
				deferReplacedRemoval: true,
				earlyFolderSync: true,
				// The backup is staged while the state file's fsync waits for the disk, still before
				// publishing: a full disk fails the update with nothing published.
				whileSyncing: keep > 0 ? async () => {
					backup = await stageBackup(this.meta, spec.name, generation, bytes);
				} : undefined,
				beforePublish: async () => {
					this.fence(spec, file, read);
					await handle.verifyHeld();
				},
				afterRename: () => {
					try {
						const identity = currentIdentity(file);
						if (identity.split(':')[2] === String(bytes.length)) {
							this.remember(file, identity, {generation, version: spec.version, payload});
						}
					} catch {
						// Not remembered: the next read reads the file.
					}
				},
			});
		} catch (error) {
			await backup?.discard();
			throw error;
		}

		if (backup) {
			try {
				await backup.commit();
				const removeOutgoing = await pruneAfterCommit(this.meta, spec.name, keep, generation);
				const published = syncFolder;
				syncFolder = async () => {
					const removal = removeOutgoing();
					try {
						await published();
					} finally {
						await removal;
					}
				};
			} catch (error) {
				await syncFolder().catch(() => undefined);
				throw new CwsError('BACKUP_FAILED', `${file} was saved (generation ${generation}), but keeping its backup failed: ${error instanceof Error ? error.message : String(error)}`, {
					hint: 'The change is in place. Free disk space or fix the permissions of .cws/backups so that later changes are backed up.',
					cause: error,
				});
			}
		}

		return syncFolder;
	}

	/** The verified content of `file` if its identity is the one this process verified. */
	private known<T>(spec: StateSpec<T>, file: string, identity: string): {data: T; generation: number} | undefined {
		const entry = this.verified.get(file);
		if (!entry || entry.identity !== identity || entry.version !== spec.version) {
			return undefined;
		}

		// Parsed afresh each time: callers may change the object they get.
		return {data: spec.parse(JSON.parse(entry.payload) as unknown), generation: entry.generation};
	}

	private remember(file: string, identity: string, verified: {generation: number; version: number; payload?: string; data?: unknown}): void {
		if (identity === 'missing') {
			return;
		}

		this.verified.delete(file);
		if (this.verified.size >= VERIFIED_LIMIT) {
			// Oldest first: a Map iterates in insertion order.
			this.verified.delete(this.verified.keys().next().value!);
		}

		this.verified.set(file, {identity, generation: verified.generation, version: verified.version, payload: verified.payload ?? JSON.stringify(verified.data)});
	}

	/** The fencing check: the file on disk must still be the one this writer read. */
	private fence(spec: {name: string}, file: string, read: {identity: string; generation: number}): void {
		const identity = currentIdentity(file);
		if (identity === read.identity) {
			return;
		}

		this.verified.delete(file);
		const now = identity === 'missing' ? 'it was deleted' : describeGeneration(file, read.generation);
		throw new CwsError('STATE_STALE_WRITER', `Refused to write ${file}: ${now} while this writer was working, so publishing would lose that change.`, {
			hint: 'Nothing was written by this operation. Retry it: it will start from the current state.',
		});
	}
}

function describeGeneration(file: string, readGeneration: number): string {
	let head: string | undefined;
	try {
		head = readRegularFileSync(file).bytes.toString('utf8', 0, 512);
	} catch {
		// Gone again or unreadable: say what is certain.
	}

	const onDisk = head === undefined ? undefined : sniffGeneration(head);
	if (onDisk !== undefined && Number.isFinite(readGeneration) && onDisk !== readGeneration) {
		return `another writer committed generation ${onDisk} after this one read generation ${readGeneration}`;
	}

	return 'the file was replaced or modified by something else';
}

/**
 * The identity of what is at `file` now ('missing' when nothing is); one
 * lstat, synchronous (see atomicWriteFile). A link has its own identity, so
 * it never passes for the file this process verified or read.
 */
function currentIdentity(file: string): string {
	let stats;
	try {
		stats = fs.lstatSync(file, {bigint: true, throwIfNoEntry: false});
	} catch (error) {
		throw toFsError(error, file, 'check');
	}

	return stats ? identityOf(stats) : 'missing';
}

function identityOf(stats: {dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint}): string {
	return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}
