import {CwsError} from '../errors.js';
import {keyLockName, waitingJobForKey, writeKey} from './enqueue.js';
import {mutateJob, readJob, type QueueWorkspace} from './jobs.js';
import {appendJobLog} from './log.js';
import type {Job, JobState, Target} from './types.js';

/** What a cancel or retry did, in a sentence for the user. */
export type ActionResult = {job: Job; changed: boolean; message: string};

/**
 * Cancels a job. A waiting job is cancelled at once; a running one is asked
 * to stop (its worker kills the command and marks it cancelled, or the
 * recovery does if that worker is gone). A finished job cannot be cancelled.
 */
export async function cancelJob(ws: QueueWorkspace, id: string, now = Date.now()): Promise<ActionResult> {
	let from: JobState | undefined;
	const job = await mutateJob(ws, id, current => {
		from = current.state;
		switch (current.state) {
			case 'pending':
			case 'failed': {
				return {...current, state: 'cancelled', finishedAt: now, updatedAt: now};
			}

			case 'running': {
				return current.cancelRequested ? undefined : {...current, cancelRequested: true, updatedAt: now};
			}

			default: {
				return undefined;
			}
		}
	});
	if (!job) {
		const current = await readJob(ws, id);
		if (current.state === 'running') {
			return {job: current, changed: false, message: `Job ${id} is already being stopped.`};
		}

		throw new CwsError('JOB_FINISHED', `Job ${id} (${current.project} → ${current.target.name}) is ${current.state}; there is nothing to cancel.`, {
			hint: current.state === 'done' ? 'It already finished successfully.' : `Run \`cws queue retry ${id}\` to run it again.`,
		});
	}

	if (job.state === 'cancelled') {
		await appendJobLog(ws, id, {type: 'state', at: now, attempt: job.attempt, from, to: 'cancelled', message: 'cancelled by the user'});
		return {job, changed: true, message: `Cancelled job ${id} (${job.project} → ${job.target.name}).`};
	}

	await appendJobLog(ws, id, {type: 'note', at: now, attempt: job.attempt, message: 'cancel requested while running'});
	return {job, changed: true, message: `Job ${id} is running; its worker stops it and marks it cancelled.`};
}

export type RetryOptions = {
	now?: number;
	/** The target as configured now (a retry picks up a fixed config); undefined keeps the job's own. */
	refreshTarget?: (job: Job) => Promise<Target | undefined>;
};

/**
 * Runs a job again as soon as a worker is free. A failed job keeps its
 * attempt count; a dead, conflicting or cancelled job starts a new round of
 * attempts (refused if another job for the same project and target already
 * waits). A running, waiting or done job is left as it is, with a message.
 */
export async function retryJob(ws: QueueWorkspace, id: string, options: RetryOptions = {}): Promise<ActionResult> {
	const now = options.now ?? Date.now();
	const before = await readJob(ws, id);
	switch (before.state) {
		case 'running': {
			throw new CwsError('JOB_RUNNING', `Job ${id} (${before.project} → ${before.target.name}) is running (attempt ${before.attempt} of ${before.maxAttempts}).`, {
				hint: `Wait for it, or cancel it with \`cws queue cancel ${id}\`.`,
			});
		}

		case 'pending': {
			return {job: before, changed: false, message: `Job ${id} is already waiting; it runs as soon as a worker is free.`};
		}

		case 'done': {
			throw new CwsError('JOB_DONE', `Job ${id} (${before.project} → ${before.target.name}) already finished successfully.`, {
				hint: `Run \`cws sync ${before.project} --target ${before.target.name}\` to sync again.`,
			});
		}

		case 'failed': {
			const job = await mutateJob(ws, id, current => current.state === 'failed' ? {...current, state: 'pending', dueAt: now, updatedAt: now} : undefined);
			if (!job) {
				return retryJob(ws, id, options);
			}

			await appendJobLog(ws, id, {type: 'state', at: now, attempt: job.attempt, from: 'failed', to: 'pending', message: 'retry now, asked by the user'});
			return {job, changed: true, message: `Job ${id} will run now (attempt ${job.attempt + 1} of ${job.maxAttempts}).`};
		}

		default: {
			return restart(ws, before, options, now);
		}
	}
}

async function restart(ws: QueueWorkspace, before: Job, options: RetryOptions, now: number): Promise<ActionResult> {
	const {id} = before;
	const target = (await options.refreshTarget?.(before)) ?? before.target;
	return ws.store.withLock(keyLockName(before.project, before.target.name), async () => {
		const other = await waitingJobForKey(ws, before.project, before.target.name);
		if (other && other.id !== id) {
			throw new CwsError('JOB_DUPLICATE', `${before.project} → ${before.target.name} already has job ${other.id} waiting.`, {
				hint: `That job will do the same work; cancel it first (\`cws queue cancel ${other.id}\`) if you want this one instead.`,
			});
		}

		// The key first: killed in between, it names a job that does not wait yet ("none waiting"), never misses one that does.
		await writeKey(ws, before.project, before.target.name, id);
		let from: JobState | undefined;
		const job = await mutateJob(ws, id, current => {
			if (current.state !== before.state) {
				return undefined;
			}

			from = current.state;
			const {lastError: _e, resolution: _r, finishedAt: _f, cancelRequested: _c, result: _s, ...rest} = current;
			return {...rest, target, state: 'pending', attempt: 0, dueAt: now, updatedAt: now};
		});
		if (!job) {
			throw new CwsError('JOB_CHANGED', `Job ${id} changed while it was being retried.`, {hint: 'Look at `cws queue` and try again.'});
		}

		await appendJobLog(ws, id, {type: 'state', at: now, attempt: 0, from, to: 'pending', message: 'retried by the user: a new round of attempts'});
		return {job, changed: true, message: `Job ${id} (${job.project} → ${job.target.name}) is queued again.`};
	});
}

