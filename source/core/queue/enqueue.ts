import {readFile} from 'node:fs/promises';
import type {Stage} from '../paths.js';
import {createJob, syncFolder} from './job-write.js';
import {ensureQueueDirs, isJobId, jobSpec, newJobId, type QueueWorkspace} from './jobs.js';
import {keyFile, trustKeys, writeKey} from './keys.js';
import {appendJobLog} from './log.js';
import {WAITING_STATES, type Job, type JobReason, type Target} from './types.js';
import {assertProjectName} from '../board/index.js';

export type EnqueueRequest = {
	project: string;
	target: Target;
	stage?: Stage;
	reason?: JobReason;
	/** Attempts before the job is dead (default 5, the config's retry.attempts). */
	maxAttempts?: number;
	now?: number;
};

export type EnqueueResult = {
	job: Job;
	/** False when a job for the same project and target was already waiting: that job is returned. */
	created: boolean;
};

/** Lock serialising enqueues (and manual retries) of one (project, target). */
export function keyLockName(project: string, target: string): string {
	return `queue-key:${project}:${target}`;
}

export {keyFile, writeKey} from './keys.js';

/** The waiting job the key file names, if that job still waits. */
export async function waitingJobForKey(ws: QueueWorkspace, project: string, target: string): Promise<Job | undefined> {
	await trustKeys(ws);
	let id: unknown;
	try {
		id = (JSON.parse(await readFile(keyFile(ws, project, target), 'utf8')) as {jobId?: unknown}).jobId;
	} catch {
		// Missing or unreadable: no job is known to wait.
		return undefined;
	}

	if (typeof id !== 'string' || !isJobId(id)) {
		return undefined;
	}

	const job = (await ws.store.read(jobSpec(id))).data;
	return job && job.project === project && job.target.name === target && WAITING_STATES.includes(job.state) && !job.cancelRequested ? job : undefined;
}

/**
 * Adds a sync job, or returns the job already waiting for the same project
 * and target. Durable when it returns: the job file is written, fsynced and
 * its folder fsynced, all before the pair's lock is released, so that an
 * enqueue of the same pair that finds this job (and says "queued") finds a
 * durable one. Two fsyncs in all: the key is not fsynced (see keys.ts), and
 * the folder's fsync is shared with enqueues of other pairs that finish at
 * the same time in this process (see syncFolder; `cws sync` of a project
 * enqueues its targets together). Under the pair's lock the key is written
 * before the job, so a process killed in between leaves a key naming a job
 * that does not exist (read as "none waiting"), never a second waiting job.
 */
export async function enqueueJob(ws: QueueWorkspace, request: EnqueueRequest): Promise<EnqueueResult> {
	const {project, target} = request;
	assertProjectName(project);

	await ensureQueueDirs(ws);
	return ws.store.withLock(keyLockName(project, target.name), async () => {
		const existing = await waitingJobForKey(ws, project, target.name);
		if (existing) {
			// Its writer may have been killed between the rename and the folder's
			// fsync: this caller is about to say "queued", so make it durable first.
			await syncFolder(ws.paths.queue);
			return {job: existing, created: false};
		}

		const now = request.now ?? Date.now();
		const job: Job = {
			id: newJobId(now),
			project,
			stage: request.stage,
			target,
			reason: request.reason ?? 'manual',
			state: 'pending',
			attempt: 0,
			maxAttempts: request.maxAttempts ?? 5,
			claim: 0,
			createdAt: now,
			updatedAt: now,
			dueAt: now,
		};
		await writeKey(ws, project, target.name, job.id);
		const data = await createJob(ws, job);
		await appendJobLog(ws, job.id, {type: 'state', at: now, attempt: 0, from: undefined, to: 'pending', message: `queued (${job.reason}) for ${target.kind} target ${target.name}`});
		return {job: data, created: true};
	});
}
