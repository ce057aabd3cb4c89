import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {atomicWriteFile} from '../store.js';
import type {Stage} from '../paths.js';
import {ensureQueueDirs, jobSpec, newJobId, queueDirs, type QueueWorkspace} from './jobs.js';
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

/** .cws/queue/keys/<project>+<target>: the id of the job waiting for that pair. */
export function keyFile(ws: QueueWorkspace, project: string, target: string): string {
	// '+' is in neither name's alphabet, so two pairs never share a key.
	return path.join(queueDirs(ws.paths).keys, `${project}+${target}`);
}

/** The waiting job the key file names, if that job still waits. */
export async function waitingJobForKey(ws: QueueWorkspace, project: string, target: string): Promise<Job | undefined> {
	let id: unknown;
	try {
		id = (JSON.parse(await readFile(keyFile(ws, project, target), 'utf8')) as {jobId?: unknown}).jobId;
	} catch {
		// Missing or unreadable: no job is known to wait.
		return undefined;
	}

	if (typeof id !== 'string' || !/^[0-9a-z]{9}-[0-9a-f]{8}$/.test(id)) {
		return undefined;
	}

	const job = (await ws.store.read(jobSpec(id))).data;
	return job && WAITING_STATES.includes(job.state) && !job.cancelRequested ? job : undefined;
}

/** Points the key of (project, target) at `jobId`; durable on return. */
export async function writeKey(ws: QueueWorkspace, project: string, target: string, jobId: string): Promise<void> {
	await atomicWriteFile(keyFile(ws, project, target), JSON.stringify({jobId}), {mode: 0o600});
}

/**
 * Adds a sync job, or returns the job already waiting for the same project
 * and target. Durable when it returns: the job file is written, fsynced and
 * its folder fsynced. Under the pair's lock the key is written before the
 * job, so a crash in between leaves a key naming a job that does not exist
 * (read as "none waiting"), never a second waiting job.
 */
export async function enqueueJob(ws: QueueWorkspace, request: EnqueueRequest): Promise<EnqueueResult> {
	const {project, target} = request;
	assertProjectName(project);

	await ensureQueueDirs(ws);
	return ws.store.withLock(keyLockName(project, target.name), async () => {
		const existing = await waitingJobForKey(ws, project, target.name);
		if (existing) {
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
		const {data} = await ws.store.update(jobSpec(job.id), current => {
			if (current !== null) {
				throw new Error(`job id ${job.id} is already taken`);
			}

			return job;
		});
		await appendJobLog(ws, job.id, {type: 'state', at: now, attempt: 0, from: undefined, to: 'pending', message: `queued (${job.reason}) for ${target.kind} target ${target.name}`});
		return {job: data ?? job, created: true};
	});
}
