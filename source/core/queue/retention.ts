import {readdir, rm, unlink} from 'node:fs/promises';
import path from 'node:path';
import type {StateSpec} from '../store.js';
import {SchemaError} from '../store.js';
import type {RetentionPolicy} from './config.js';
import {jobSpec, queueDirs, type QueueWorkspace} from './jobs.js';
import {jobLogFile} from './log.js';
import {isRecord} from './validate.js';
import type {Job} from './types.js';
import {ownValue} from '../own-key.js';

const DAY = 24 * 3600_000;

/** Last successful sync per project and target, kept when the done jobs themselves are pruned. */
export type SyncHistory = {lastSuccess: Record<string, Record<string, {at: number; jobId: string; head?: string}>>};

export const syncHistorySpec: StateSpec<SyncHistory> = {
	name: 'queue/history.json',
	version: 1,
	backups: 2,
	parse(payload) {
		if (!isRecord(payload) || !isRecord(payload['lastSuccess'])) {
			throw new SchemaError('history: must be {lastSuccess: {project: {target: {at, jobId}}}}');
		}

		for (const [project, targets] of Object.entries(payload['lastSuccess'])) {
			if (!isRecord(targets) || Object.values(targets).some(entry => !isRecord(entry) || typeof entry['at'] !== 'number' || typeof entry['jobId'] !== 'string')) {
				throw new SchemaError(`history.lastSuccess.${project}: must map target names to {at, jobId}`);
			}
		}

		return payload as SyncHistory;
	},
	initial: () => ({lastSuccess: {}}),
};

/**
 * Which finished jobs have outlived the retention policy: done and cancelled
 * jobs older than doneDays or beyond the newest doneKeep; dead and conflict
 * jobs older than deadDays. Waiting and running jobs are never pruned.
 */
export function jobsToPrune(jobs: readonly Job[], policy: RetentionPolicy, now: number): Job[] {
	const finished = (job: Job) => job.finishedAt ?? job.updatedAt;
	const done = jobs.filter(job => job.state === 'done' || job.state === 'cancelled').sort((a, b) => finished(b) - finished(a));
	const prune = done.filter((job, index) => index >= policy.doneKeep || now - finished(job) > policy.doneDays * DAY);
	prune.push(...jobs.filter(job => (job.state === 'dead' || job.state === 'conflict') && now - finished(job) > policy.deadDays * DAY));
	return prune;
}

/**
 * Removes finished jobs past their retention with their logs and leases. The
 * last success of each project and target is first folded into
 * queue/history.json so that the board's "last synced" survives the pruning.
 * Each removal re-checks the job under its lock (it may have been retried).
 */
export async function pruneJobs(ws: QueueWorkspace, jobs: readonly Job[], policy: RetentionPolicy, now = Date.now()): Promise<number> {
	const victims = jobsToPrune(jobs, policy, now);
	if (victims.length === 0) {
		return 0;
	}

	await ws.store.update(syncHistorySpec, history => {
		const lastSuccess = {...history.lastSuccess};
		for (const job of victims) {
			if (job.state !== 'done' || job.finishedAt === undefined) {
				continue;
			}

			// Own keys only: "constructor" is a valid project and target name, and Object.prototype has one.
			const mine = ownValue(lastSuccess, job.project);
			const known = mine ? ownValue(mine, job.target.name) : undefined;
			if (!known || known.at < job.finishedAt) {
				lastSuccess[job.project] = {...mine, [job.target.name]: {at: job.finishedAt, jobId: job.id, ...(job.result?.head ? {head: job.result.head} : {})}};
			}
		}

		return {lastSuccess};
	});

	let removed = 0;
	const leases = await readdir(queueDirs(ws.paths).leases).catch(() => [] as string[]);
	for (const job of victims) {
		const spec = jobSpec(job.id);
		const gone = await ws.store.withLock(spec.name, async () => {
			const current = (await ws.store.read(spec)).data;
			if (current?.state !== job.state || current.updatedAt !== job.updatedAt) {
				return false;
			}

			await ws.store.remove(spec);
			return true;
		});
		if (!gone) {
			continue;
		}

		await unlink(jobLogFile(ws, job.id)).catch(() => undefined);
		for (const name of leases.filter(name => name.startsWith(`${job.id}.`))) {
			await rm(path.join(queueDirs(ws.paths).leases, name), {force: true});
		}

		removed++;
	}

	return removed;
}
