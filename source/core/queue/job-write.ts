import fs from 'node:fs';
import path from 'node:path';
import {fsyncDir} from '../file-ops.js';
import {publishFile} from '../publish-file.js';
import {encodeEnvelope, verifyEnvelope} from '../envelope.js';
import {CwsError} from '../errors.js';
import {jobSpec, notFound, type QueueWorkspace} from './jobs.js';
import type {Job} from './types.js';

/**
 * How much of a job write must reach the disk before the write returns.
 *
 * - 'durable': the file's bytes and its name (file fsync, then the folder's
 *   fsync, shared with other writes that finish close together: see
 *   syncFolder). For what is reported to a person or acted upon: a new job
 *   ("queued"), an end of a run ("done", "failed", "dead"), a requeue.
 * - 'data': the file's bytes are fsynced before the rename, the folder is
 *   not. A crash of the machine may undo the rename, leaving the job as it
 *   was before this write, never a torn or empty file (the bytes a surviving
 *   name points to were on disk before the name was). Only for a claim: if a
 *   crash undoes it, the job is waiting again at its previous claim number
 *   and is simply claimed again; nobody was told anything about it but the
 *   log (which is evidence, not state). A worker killed without the machine
 *   going down loses nothing either way: a rename that returned is in the
 *   kernel's cache, which outlives the process.
 */
export type JobDurability = 'durable' | 'data';

/** Thrown from inside the lock when the file needs the store's recovery path. */
class NeedsStore extends Error {}

/**
 * Read-modify-write of one job file under the job's lock, compare-and-set
 * like Store.update (the same lock name, the same envelope, the same fence:
 * the file must still be the inode that was read), but with the folder's
 * fsync left out ('data') or shared between writes ('durable'). A file that
 * fails verification goes through Store.update, which quarantines it.
 * Returns the job written, or what `fn` throws.
 */
export async function writeJob(ws: QueueWorkspace, id: string, fn: (current: Job | null) => Job, durability: JobDurability): Promise<Job> {
	const spec = jobSpec(id);
	const file = ws.store.filePath(spec);
	let written: Job;
	try {
		written = await ws.store.withLock(spec.name, async handle => {
			const {current, generation, identity} = await readUnderLock(ws, spec, file);
			const next = validated(spec, file, fn(current));
			const bytes = Buffer.from(encodeEnvelope(next, {version: spec.version, generation: generation + 1}), 'utf8');
			// publishFile fsyncs the staged bytes before the rename; its folder fsync is returned, not run.
			known.delete(file);
			await publishFile(file, bytes, {
				createDir: true,
				beforePublish: async () => {
					if (identityOf(file) !== identity) {
						throw new CwsError('STATE_STALE_WRITER', `Refused to write ${file}: the file was replaced or modified by something else while this writer was working, so publishing would lose that change.`, {
							hint: 'Nothing was written by this operation. Retry it: it will start from the current state.',
						});
					}

					await handle.verifyHeld();
				},
				afterRename() {
					remember(file, bytes.length, generation + 1, next);
				},
			});
			return next;
		});
	} catch (error) {
		if (!(error instanceof NeedsStore)) {
			throw error;
		}

		// Damaged: the store quarantines it and answers as for a missing file (jobs keep no backups).
		const {data} = await ws.store.update(spec, current => fn(current));
		return data!;
	}

	if (durability === 'durable') {
		await syncFolder(path.dirname(file));
	}

	return written;
}

/**
 * Jobs this process wrote, by file, with the identity (device, inode, size,
 * times) of the inode it renamed into place. While a job file still has that
 * identity its bytes are the ones written (every job write renames a new
 * inode into place, an edit in place changes the times), so the next write
 * under the job's lock need not read, parse and hash it again: a worker's
 * end of a run follows its own claim. Bounded; the oldest go first.
 */
const known = new Map<string, {identity: string; generation: number; payload: string}>();
const KNOWN_LIMIT = 256;

function remember(file: string, size: number, generation: number, job: Job): void {
	known.delete(file);
	const identity = identityOf(file);
	// Another size: not the inode just renamed (replaced meanwhile); not remembered.
	if (identity.split(':')[2] !== String(size)) {
		return;
	}

	if (known.size >= KNOWN_LIMIT) {
		known.delete(known.keys().next().value!);
	}

	known.set(file, {identity, generation, payload: JSON.stringify(job)});
}

/**
 * The job as it is now, with its generation and the identity the fence will
 * require, read under the job's lock. Without reading the file when its
 * identity is one this process verified: written here (see `known`), or read
 * and verified by the store (a worker's claim follows its own listing's read
 * of the job). The store's answer is taken only if the file kept its identity
 * around that read, so the data are those of the inode the fence checks.
 */
async function readUnderLock(ws: QueueWorkspace, spec: ReturnType<typeof jobSpec>, file: string): Promise<{current: Job | null; generation: number; identity: string}> {
	const identity = identityOf(file);
	const mine = known.get(file);
	if (mine && mine.identity === identity) {
		return {current: spec.parse(JSON.parse(mine.payload) as unknown), generation: mine.generation, identity};
	}

	if (identity !== 'missing') {
		// Its errors are reported as they are: a damaged file was already taken
		// through the store's recovery by this read (the job's lock is reentrant,
		// and jobs keep no backups, so that ends in STATE_CORRUPT), and a file that
		// cannot be read would fail the snapshot below the same way.
		const loaded = await ws.store.read(spec);
		if (loaded && !loaded.recovered && loaded.generation > 0 && identityOf(file) === identity) {
			return {current: loaded.data, generation: loaded.generation, identity};
		}
	}

	const snapshot = await ws.store.snapshot(spec);
	if (!snapshot.bytes) {
		return {current: null, generation: 0, identity: snapshot.identity};
	}

	const verified = verifyEnvelope(snapshot.bytes, spec);
	if (!verified.ok) {
		throw new NeedsStore();
	}

	return {current: verified.data, generation: verified.generation, identity: snapshot.identity};
}

/**
 * Writes a new job's file: bytes fsynced, renamed into place, folder fsynced
 * (shared, see syncFolder), without the job's lock. No other process can
 * touch a job before its file exists (its id is fresh: a millisecond time
 * and 32 random bits, and nothing names it yet but a key, and the key's
 * readers only read), so the lock would exclude nobody; it would cost a lock
 * file created and removed per enqueue. The id is checked free right before
 * the rename all the same.
 */
export async function createJob(ws: QueueWorkspace, job: Job): Promise<Job> {
	const spec = jobSpec(job.id);
	const file = ws.store.filePath(spec);
	const next = validated(spec, file, job);
	const bytes = Buffer.from(encodeEnvelope(next, {version: spec.version, generation: 1}), 'utf8');
	await publishFile(file, bytes, {
		createDir: true,
		beforePublish: async () => {
			if (identityOf(file) !== 'missing') {
				throw new Error(`job id ${job.id} is already taken`);
			}
		},
		afterRename: () => remember(file, bytes.length, 1, next),
	});
	await syncFolder(path.dirname(file));
	return next;
}

function validated(spec: ReturnType<typeof jobSpec>, file: string, next: Job): Job {
	try {
		// What is written must be exactly what a later read will parse.
		const job = spec.parse(JSON.parse(JSON.stringify(next)) as unknown);
		if (job === null) {
			throw new Error('a job write must leave a job');
		}

		return job;
	} catch (error) {
		throw new CwsError('STATE_INVALID', `Refused to write ${file}: the new content does not pass its own checks (${error instanceof Error ? error.message : String(error)}).`, {
			hint: 'This is a bug in cws; nothing was written. Please report it with the command you ran.',
			cause: error,
		});
	}
}

/** The store's identity of what is at `file` now (see Store): a rename or an edit changes it. */
function identityOf(file: string): string {
	const stats = fs.lstatSync(file, {bigint: true, throwIfNoEntry: false});
	return stats ? `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}` : 'missing';
}

/** Per folder: the fsync running now, and the one queued behind it. */
const folderSyncs = new Map<string, {running: Promise<void> | undefined; next: Promise<void> | undefined}>();

/**
 * Group commit of a folder's fsync: makes every rename done in `dir` before
 * the call durable. A caller needs an fsync that started after its rename:
 * if none is running, one starts now; if one is running (it may have started
 * before the rename), the caller joins the single fsync queued to start when
 * that one ends, together with everyone else who arrives meanwhile. Jobs that
 * finish close together (a worker's slots, a `cws sync` of several targets)
 * thus share one folder fsync instead of paying one each, and nobody is told
 * "durable" before an fsync that covers their rename has completed.
 */
export async function syncFolder(dir: string): Promise<void> {
	let state = folderSyncs.get(dir);
	if (!state) {
		state = {running: undefined, next: undefined};
		folderSyncs.set(dir, state);
	}

	const entry = state;
	const start = (): Promise<void> => {
		const run = fsyncDir(dir).catch((error: unknown) => {
			throw new CwsError('IO_ERROR', `Syncing ${dir} to disk failed: ${error instanceof Error ? error.message : String(error)}`, {
				hint: `The change is in place but may not survive a power cut; check the disk holding ${dir}.`,
				cause: error,
			});
		}).finally(() => {
			if (entry.running === run) {
				entry.running = undefined;
			}
		});
		entry.running = run;
		return run;
	};

	if (!entry.running) {
		return start();
	}

	entry.next ??= entry.running.catch(() => undefined).then(async () => {
		entry.next = undefined;
		return start();
	});
	return entry.next;
}

/** Thrown from a change to leave the job as it is. */
class Unchanged extends Error {}

/**
 * mutateJob with a chosen durability: `fn` sees the current job under its
 * lock and returns the next one, or undefined to change nothing (then
 * undefined is returned). JOB_NOT_FOUND when there is no such job.
 */
export async function changeJob(ws: QueueWorkspace, id: string, fn: (job: Job) => Job | undefined, durability: JobDurability): Promise<Job | undefined> {
	try {
		return await writeJob(ws, id, current => {
			if (current === null) {
				throw notFound(ws, id);
			}

			const next = fn(current);
			if (next === undefined) {
				throw new Unchanged();
			}

			return next;
		}, durability);
	} catch (error) {
		if (error instanceof Unchanged) {
			return undefined;
		}

		throw error;
	}
}
