import fs from 'node:fs';
import path from 'node:path';
import {atomicWriteFile} from '../atomic-write.js';
import {inFlightStaged, stagedName, unlinkQuietly, toFsError, writeAll} from '../file-ops.js';
import {ensureQueueDirs, listJobs, queueDirs, type QueueWorkspace} from './jobs.js';
import {WAITING_STATES, type Job} from './types.js';

// Keys (.cws/queue/keys/<project>+<target>) say which job waits for a pair,
// so that enqueue finds a duplicate with one read instead of a listing. They
// are derived data: every waiting job file carries its project and target and
// is itself durable. So a key is written without fsync (the file's or the
// folder's), which saves two of the four fsyncs an enqueue used to pay, and
// the keys are rebuilt from the job files whenever they may have lost a write.
//
// When can they? A write that returned is in the kernel's page cache, which
// outlives any process: SIGKILL of the writer loses nothing. Only the machine
// going down (power cut, kernel crash) drops unwritten pages, and that starts
// a new boot with a new boot id. The keys folder holds `boot-id`, the boot in
// which they were last rebuilt; while it names the running boot, every key
// write since the rebuild is still there, so a missing or stale key truly
// means "none waiting". The first look-up in a new boot (or on a workspace
// written by an older cws) rebuilds every key from the job files under a lock
// before any key is trusted.
//
// Hosts sharing a workspace over a network file system each see the others'
// boot ids in the marker and rebuild when they do: correct, only slower.
// Where the boot id cannot be read (no /proc), keys are written durably as
// before and never rebuilt.

/** Name of the marker in the keys folder ('+' is in every key's name, not in this one). */
const MARKER = 'boot-id';
const REBUILD_LOCK = 'queue-keys-rebuild';

let bootIdCache: string | null | undefined;

/** The running boot's id (Linux), or undefined where the system does not tell. */
export function bootId(): string | undefined {
	if (bootIdCache === undefined) {
		try {
			const id = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
			bootIdCache = /^[0-9a-f-]{16,64}$/.test(id) ? id : null;
		} catch {
			bootIdCache = null;
		}
	}

	return bootIdCache ?? undefined;
}

/** .cws/queue/keys/<project>+<target>. */
export function keyFile(ws: QueueWorkspace, project: string, target: string): string {
	// '+' is in neither name's alphabet, so two pairs never share a key.
	return path.join(queueDirs(ws.paths).keys, `${project}+${target}`);
}

/**
 * Points the key of (project, target) at `jobId`. Not fsynced (see above):
 * visible to every process at once, rebuilt from the job files after a crash
 * of the machine. Write it before the job it names, so that a process killed
 * in between leaves a key naming a job that does not exist ("none waiting"),
 * never a waiting job that its key does not name.
 *
 * Written in place (truncate, one write), not staged and renamed: a key is
 * only written, and only read, under its pair's lock, and when it is written
 * no job of the pair waits (that is why it is being written), so a key torn
 * by a kill mid-write reads as "none waiting", which is then the truth. This
 * saves a file creation and a rename per enqueue, the operations that wait
 * longest on a disk busy with other processes' fsyncs.
 */
export async function writeKey(ws: QueueWorkspace, project: string, target: string, jobId: string): Promise<void> {
	const file = keyFile(ws, project, target);
	const text = JSON.stringify({jobId});
	if (bootId() === undefined) {
		await atomicWriteFile(file, text, {mode: 0o600});
		return;
	}

	writeInPlace(file, text);
}

const IN_PLACE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;

function writeInPlace(file: string, text: string): void {
	const bytes = Buffer.from(text, 'utf8');
	let fd: number | undefined;
	try {
		fd = fs.openSync(file, IN_PLACE_FLAGS, 0o600);
		writeAll(fd, bytes);
	} catch (error) {
		throw toFsError(error, file, 'write');
	} finally {
		if (fd !== undefined) fs.closeSync(fd);
	}
}

/** Staged under the store's temp name (the sweep removes one a killed writer left) and renamed into place. */
function writeQuick(file: string, text: string): void {
	const staged = stagedName(file);
	inFlightStaged.add(staged);
	try {
		fs.writeFileSync(staged, text, {mode: 0o600, flag: 'wx'});
		fs.renameSync(staged, file);
	} catch (error) {
		unlinkQuietly(staged);
		throw toFsError(error, file, 'write');
	} finally {
		inFlightStaged.delete(staged);
	}
}

function readMarker(ws: QueueWorkspace): string | undefined {
	try {
		return fs.readFileSync(path.join(queueDirs(ws.paths).keys, MARKER), 'utf8').trim();
	} catch {
		return undefined;
	}
}

/**
 * Makes the keys trustworthy for this boot: a no-op (one small read) while
 * the marker names the running boot, otherwise a rebuild from the job files.
 * Call before reading a key. Takes only the rebuild lock, never a pair's, so
 * it may be called while holding a pair's lock.
 */
export async function trustKeys(ws: QueueWorkspace): Promise<void> {
	const boot = bootId();
	if (boot === undefined || readMarker(ws) === boot) {
		return;
	}

	await ensureQueueDirs(ws);
	await ws.store.withLock(REBUILD_LOCK, async () => {
		if (readMarker(ws) === boot) {
			return;
		}

		await rebuildKeys(ws);
		// Last: once another process sees the marker, every key above is visible too.
		writeQuick(path.join(queueDirs(ws.paths).keys, MARKER), `${boot}\n`);
	});
}

/**
 * Points each pair's key at its oldest waiting job, unless the key already
 * names a waiting job of that pair. Keys naming jobs that no longer wait are
 * left: they read as "none waiting", as they should. A pair's enqueue holds
 * its own lock and waits in trustKeys for this rebuild before it reads or
 * writes its key, so nothing written here races an enqueue on this machine.
 */
export async function rebuildKeys(ws: QueueWorkspace): Promise<number> {
	const {jobs} = await listJobs(ws);
	const waiting = new Map<string, Job[]>();
	for (const job of jobs) {
		if (WAITING_STATES.includes(job.state) && !job.cancelRequested) {
			const pair = `${job.project}+${job.target.name}`;
			waiting.set(pair, [...(waiting.get(pair) ?? []), job]);
		}
	}

	let written = 0;
	for (const candidates of waiting.values()) {
		const {project, target} = candidates[0]!;
		const named = readKeyId(keyFile(ws, project, target.name));
		if (named !== undefined && candidates.some(job => job.id === named)) {
			continue;
		}

		const oldest = candidates.reduce((a, b) => (b.createdAt < a.createdAt ? b : a));
		writeQuick(keyFile(ws, project, target.name), JSON.stringify({jobId: oldest.id}));
		written++;
	}

	return written;
}

function readKeyId(file: string): string | undefined {
	try {
		const id = (JSON.parse(fs.readFileSync(file, 'utf8')) as {jobId?: unknown}).jobId;
		return typeof id === 'string' ? id : undefined;
	} catch {
		return undefined;
	}
}
