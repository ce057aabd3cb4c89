import {randomBytes} from 'node:crypto';
import {statSync} from 'node:fs';
import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {CwsError, errnoCode} from '../errors.js';
import {ensurePrivateDir} from '../file-ops.js';
import type {WorkspacePaths} from '../paths.js';
import type {StateSpec, Store} from '../store.js';
import {parseJob} from './job-schema.js';
import type {Job} from './types.js';

/** What the queue needs of an opened workspace (openWorkspace's result fits). */
export type QueueWorkspace = {paths: WorkspacePaths; store: Store};

/** Job ids: a base-36 time (sorts by creation) and a random part. */
const JOB_ID = /^[0-9a-z]{9}-[0-9a-f]{8}$/;
const JOB_FILE = /^([0-9a-z]{9}-[0-9a-f]{8})\.json$/;

export function newJobId(now: number): string {
	return `${now.toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

export function isJobId(value: string): boolean {
	return JOB_ID.test(value);
}

/** Folders under .cws/queue/. */
export function queueDirs(paths: WorkspacePaths): {jobs: string; leases: string; logs: string; keys: string; exports: string} {
	return {
		jobs: paths.queue,
		leases: path.join(paths.queue, 'leases'),
		logs: path.join(paths.queue, 'logs'),
		keys: path.join(paths.queue, 'keys'),
		exports: path.join(paths.meta, 'exports'),
	};
}

const ensured = new WeakMap<Store, Promise<void>>();

/** Creates .cws/queue and its folders (0700) once per store in this process. */
export async function ensureQueueDirs(ws: QueueWorkspace): Promise<void> {
	let pending = ensured.get(ws.store);
	if (!pending) {
		const dirs = queueDirs(ws.paths);
		pending = (async () => {
			for (const dir of [dirs.jobs, dirs.leases, dirs.logs, dirs.keys]) {
				await ensurePrivateDir(dir);
			}
		})();
		ensured.set(ws.store, pending);
		pending.catch(() => ensured.delete(ws.store));
	}

	await pending;
}

/**
 * One state file per job, `queue/<id>.json`, through the store: each write is
 * atomic, fsynced and checksummed, and a read-modify-write is serialised by
 * the job's own lock and fenced by its generation, which is what makes a
 * claim or a cancel a compare-and-set across processes. No backups: a job is
 * rewritten a handful of times and its history is its log, so backups would
 * only multiply files; a job file that fails verification is quarantined and
 * listed as unreadable instead of stopping the queue.
 */
export function jobSpec(id: string): StateSpec<Job | null> {
	return {
		name: `queue/${id}.json`,
		version: 1,
		backups: 0,
		parse: payload => parseJob(payload, id),
		initial: () => null,
	};
}

/** Reads one job; JOB_NOT_FOUND when there is none with that id. */
export async function readJob(ws: QueueWorkspace, id: string): Promise<Job> {
	const {data} = await ws.store.read(jobSpec(id));
	if (data === null) {
		throw notFound(ws, id);
	}

	return data;
}

export function notFound(ws: QueueWorkspace, id: string): CwsError {
	return new CwsError('JOB_NOT_FOUND', `There is no job ${id} in ${ws.paths.queue}.`, {
		hint: 'Run `cws queue` to see the jobs (finished jobs are removed after their retention time).',
	});
}

/** Thrown from a mutation to leave the job as it is; `mutateJob` returns undefined. */
class Unchanged extends Error {}

/**
 * Compare-and-set on one job: `fn` sees the current job under its lock and
 * returns the next one, or undefined to change nothing.
 */
export async function mutateJob(ws: QueueWorkspace, id: string, fn: (job: Job) => Job | undefined): Promise<Job | undefined> {
	try {
		const {data} = await ws.store.update(jobSpec(id), current => {
			if (current === null) {
				throw notFound(ws, id);
			}

			const next = fn(current);
			if (next === undefined) {
				throw new Unchanged();
			}

			return next;
		});
		return data ?? undefined;
	} catch (error) {
		if (error instanceof Unchanged) {
			return undefined;
		}

		throw error;
	}
}

/** A job file the listing could not read: shown, never silently dropped. */
export type UnreadableJob = {id: string; file: string; error: string};

export type JobListing = {jobs: Job[]; unreadable: UnreadableJob[]};

/** A job as last read, or why it could not be read (a damaged file is read, and quarantined, once per change). */
type CacheEntry = {identity: string; job: Job; error?: undefined} | {identity: string; job?: undefined; error: string};

/** What the last listing of a store's queue folder saw. */
type ListingCache = {
	entries: Map<string, CacheEntry>;
	/** The folder's change stamp when it was listed, if it can be trusted to move on the next change. */
	stamp: string | undefined;
	listing: JobListing | undefined;
	listedAt: number;
};

const caches = new WeakMap<Store, ListingCache>();

/** Files checked between two yields to the event loop (the checks are synchronous). */
const CHUNK = 200;

/**
 * A folder's modification time only moves when the clock has moved: the
 * kernel stamps it with a coarse clock (ticks of up to 10 ms), so a change
 * in the same tick as the listing would leave the stamp as it was. A stamp
 * at least this old when read cannot be repeated by a later change.
 */
const SETTLED_MS = 50;

/**
 * However still the folder looks, its files are checked again after this
 * long: a clock stepped back or a file system with coarse or cached times
 * could hide a change from the stamp, and this bounds how long.
 */
const TRUST_STAMP_MS = 30_000;

/**
 * Every job in .cws/queue/, oldest first. Cheap when warm: if the folder's
 * change stamp is the one of the last listing in this process, no job file
 * can have changed (every job write renames a new file into the folder,
 * every removal unlinks one) and that listing is returned without touching
 * the files; otherwise only files whose inode and times changed are read
 * again. Cold, the files are read with synchronous calls in chunks, yielding
 * between chunks so that an interface stays responsive.
 */
export async function listJobs(ws: QueueWorkspace): Promise<JobListing> {
	let cache = caches.get(ws.store);
	if (!cache) {
		cache = {entries: new Map(), stamp: undefined, listing: undefined, listedAt: 0};
		caches.set(ws.store, cache);
	}

	const startedAt = Date.now();
	const before = folderStampSync(ws.paths.queue);
	if (before.stamp === 'missing') {
		cache.entries.clear();
		cache.listing = undefined;
		cache.stamp = undefined;
		return {jobs: [], unreadable: []};
	}

	if (cache.listing && cache.stamp === before.stamp && startedAt - cache.listedAt < TRUST_STAMP_MS) {
		return {jobs: [...cache.listing.jobs], unreadable: [...cache.listing.unreadable]};
	}

	let names: string[];
	try {
		names = await readdir(ws.paths.queue);
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') {
			return {jobs: [], unreadable: []};
		}

		throw error;
	}

	const jobs: Job[] = [];
	const unreadable: UnreadableJob[] = [];
	const seen = new Set<string>();
	let checked = 0;
	for (const name of names.sort()) {
		const id = JOB_FILE.exec(name)?.[1];
		if (id === undefined) {
			continue;
		}

		if (++checked % CHUNK === 0) {
			await new Promise(resolve => setImmediate(resolve));
		}

		const file = path.join(ws.paths.queue, name);
		seen.add(id);
		try {
			const identity = fileIdentity(file);
			if (identity === undefined) {
				continue;
			}

			const cached = cache.entries.get(id);
			if (cached?.identity === identity) {
				if (cached.job) {
					jobs.push(cached.job);
				} else {
					unreadable.push({id, file, error: cached.error});
				}

				continue;
			}

			try {
				const job = (await ws.store.read(jobSpec(id))).data;
				if (job) {
					cache.entries.set(id, {identity, job});
					jobs.push(job);
				}
			} catch (error) {
				const message = error instanceof Error ? error.message : String(error);
				cache.entries.set(id, {identity, error: message});
				unreadable.push({id, file, error: message});
			}
		} catch (error) {
			cache.entries.delete(id);
			unreadable.push({id, file, error: error instanceof Error ? error.message : String(error)});
		}
	}

	for (const id of cache.entries.keys()) {
		if (!seen.has(id)) {
			cache.entries.delete(id);
		}
	}

	// Reused next time only if a change after the first stat must move the stamp.
	cache.stamp = startedAt - before.mtimeMs >= SETTLED_MS ? before.stamp : undefined;
	cache.listing = {jobs: [...jobs], unreadable: [...unreadable]};
	cache.listedAt = startedAt;
	return {jobs, unreadable};
}

function fileIdentity(file: string): string | undefined {
	const stats = statSync(file, {bigint: true, throwIfNoEntry: false});
	return stats ? `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}` : undefined;
}

function folderStampSync(dir: string): {stamp: string; mtimeMs: number} {
	try {
		const stats = statSync(dir, {bigint: true, throwIfNoEntry: false});
		return stats ? {stamp: `${stats.ino}:${stats.mtimeNs}:${stats.ctimeNs}`, mtimeMs: Number(stats.mtimeNs / 1_000_000n)} : {stamp: 'missing', mtimeMs: 0};
	} catch {
		return {stamp: 'missing', mtimeMs: 0};
	}
}

/** Finds a job by its id or a unique prefix of it (as printed by `cws queue`). */
export async function resolveJobId(ws: QueueWorkspace, idOrPrefix: string): Promise<string> {
	if (isJobId(idOrPrefix)) {
		return idOrPrefix;
	}

	if (!/^[0-9a-z-]{4,}$/.test(idOrPrefix)) {
		throw notFound(ws, idOrPrefix);
	}

	const {jobs} = await listJobs(ws);
	const matches = jobs.filter(job => job.id.startsWith(idOrPrefix));
	if (matches.length === 1) {
		return matches[0]!.id;
	}

	if (matches.length > 1) {
		throw new CwsError('JOB_AMBIGUOUS', `${idOrPrefix} matches ${matches.length} jobs.`, {hint: 'Give more characters of the job id.'});
	}

	throw notFound(ws, idOrPrefix);
}

/**
 * A cheap change stamp of a folder: writing or removing any job file in it
 * changes it. One synchronous stat (microseconds; the worker takes one per
 * turn of its loop, where a thread-pool round trip cost more than the stat).
 */
export async function folderStamp(dir: string): Promise<string> {
	const {stamp} = folderStampSync(dir);
	return stamp;
}
