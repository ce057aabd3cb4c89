import path from 'node:path';
import {isCwsError} from '../errors.js';
import {runCommand, type CommandRunner} from './exec.js';
import {changeJob} from './job-write.js';
import {jobSpec, queueDirs, type QueueWorkspace} from './jobs.js';
import {leaseFile, recordLeaseChild, touchLease, type WorkerIdentity} from './lease.js';
import {appendJobLog} from './log.js';
import {findProject, findProjectSettled} from './project.js';
import {createRunContext, type CommandRecorder} from './run-context.js';
import type {RunnerTable} from './runners/index.js';
import type {Runner} from './runners/types.js';
import type {Job, RunOutcome, Target} from './types.js';
import {ownValue} from '../own-key.js';

/** A job being run by this process. */
export type RunningEntry = {
	job: Job;
	startedAt: number;
	/** The command running now, if any. */
	command: readonly string[] | undefined;
	/** 'requeue': the worker stops (job goes back, attempt not counted); 'cancel': the user cancelled. */
	stop(reason: 'requeue' | 'cancel'): void;
	finished: Promise<{job?: Job; requeued?: boolean; error?: string}>;
	/**
	 * Resolves once the run is over: the runner has returned (or thrown) and
	 * its heartbeat stopped, so the job runs nothing any more, while its end
	 * is still being written and made durable (or with `finished`, whichever
	 * comes first). The worker's concurrency limits runs, so the slot is free
	 * from then on: the next job's claim shares the disk's time with this
	 * end's fsyncs instead of queueing behind them (the disk's journal commits
	 * concurrent fsyncs together). `finished` (and every report of the end)
	 * still waits for the end to be durable.
	 */
	ran: Promise<void>;
};

export type RunJobOptions = {
	ws: QueueWorkspace;
	job: Job;
	identity: WorkerIdentity;
	runners: RunnerTable;
	timeoutMs: number;
	heartbeatMs: number;
	backoff: (attempt: number) => number;
	now: () => number;
	exec?: CommandRunner;
	env?: NodeJS.ProcessEnv;
	commandLog?: CommandRecorder;
	/** A problem that does not end the run but that the worker must report (a failing heartbeat). */
	onProblem?: (message: string) => void;
};

/**
 * Runs a job this worker has claimed and records how it ended, by a
 * compare-and-set that requires the job to still be running under this
 * claim. While it runs, the lease's heartbeat is refreshed and the job file
 * is checked for a cancel request.
 */
export function runClaimedJob(options: RunJobOptions): RunningEntry {
	const {ws, job} = options;
	const controller = new AbortController();
	let stopReason: 'requeue' | 'cancel' | undefined;
	const entry: RunningEntry = {
		job,
		startedAt: options.now(),
		command: undefined,
		stop(reason) {
			stopReason ??= reason;
			controller.abort();
		},
		finished: Promise.resolve({}),
		ran: Promise.resolve(),
	};
	let markRan!: () => void;
	entry.ran = new Promise<void>(resolve => {
		markRan = resolve;
	});
	const file = leaseFile(ws, job.id, job.claim);
	const report = (what: string, error: unknown) =>
		options.onProblem?.(`${what} (job ${job.id}): ${error instanceof Error ? error.message : String(error)}`);
	let heartbeatFailing = false;
	const heartbeat = setInterval(() => {
		void touchLease(file, options.now()).then(() => {
			heartbeatFailing = false;
		}, (error: unknown) => {
			// Once per run of failures, not every beat: a stale lease lets another host's worker take the job over.
			if (!heartbeatFailing) report('The lease heartbeat could not be refreshed; if it stays stale another worker may take the job over', error);
			heartbeatFailing = true;
		});
		void ws.store.read(jobSpec(job.id)).then(({data}) => {
			if (data?.cancelRequested) {
				entry.stop('cancel');
			}
		}, () => undefined);
	}, options.heartbeatMs);
	heartbeat.unref();

	entry.finished = (async () => {
		try {
			return await finish();
		} finally {
			markRan();
		}
	})();
	return entry;

	async function finish(): Promise<{job?: Job; requeued?: boolean; error?: string}> {
		const log = async (message: string, to: Job['state'], from: Job['state'] | undefined, attempt: number) =>
			appendJobLog(ws, job.id, {type: 'state', at: options.now(), attempt, from, to, message, worker: options.identity.worker});
		let outcome: RunOutcome;
		try {
			outcome = await execute(options, controller.signal, entry, file);
		} catch (error) {
			outcome = {status: 'retry', error: {code: isCwsError(error) ? error.code : 'RUNNER_ERROR', message: error instanceof Error ? error.message : String(error)}};
		} finally {
			clearInterval(heartbeat);
			markRan();
		}

		try {
			const finished = await finalize(options, outcome, stopReason);
			if (!finished) {
				await appendJobLog(ws, job.id, {type: 'note', at: options.now(), attempt: job.attempt, message: 'the result of this run was discarded: the job was taken over meanwhile'});
				return {};
			}

			const message = stopReason === 'requeue' && finished.state === 'pending'
				? 'the worker stopped; back in the queue (this attempt does not count)'
				: describeOutcome(outcome, finished);
			await log(message, finished.state, 'running', finished.attempt);
			return {job: finished, requeued: stopReason === 'requeue' && finished.state === 'pending'};
		} catch (error) {
			// The job stays running under our lease; once this process is gone the recovery puts it back.
			return {error: `Could not record the end of job ${job.id}: ${error instanceof Error ? error.message : String(error)}`};
		}
	}
}

async function execute(options: RunJobOptions, signal: AbortSignal, entry: RunningEntry, file: string): Promise<RunOutcome> {
	const {ws, job} = options;
	const {target} = job;
	const runner = runnerFor(options.runners, target);
	if (!runner) {
		return {status: 'dead', error: {code: 'NO_RUNNER', message: `No runner for ${target.kind} target ${target.name}${target.kind === 'custom' ? ` (runner ${target.runner})` : ''}.`}};
	}

	let projectDir: string;
	try {
		// A custom runner may not need the folder at all (below), so only the
		// built-in runners wait out a move that hides the project for an instant.
		projectDir = (target.kind === 'custom' ? await findProject(ws.paths, job.project) : await findProjectSettled(ws.paths, job.project, signal)).dir;
	} catch (error) {
		if (target.kind !== 'custom') {
			return {status: 'dead', error: {code: isCwsError(error) ? error.code : 'NOT_FOUND', message: error instanceof Error ? error.message : String(error),
				...(isCwsError(error) && error.hint ? {hint: error.hint} : {})}};
		}

		// Custom runners may not need the folder at all.
		projectDir = path.join(ws.paths.stageDir[job.stage ?? 'sandbox'], job.project);
	}

	const exec = options.exec;
	const context = createRunContext({
		job,
		projectDir,
		exportsDir: queueDirs(ws.paths).exports,
		signal,
		timeoutMs: target.timeoutMs ?? options.timeoutMs,
		...(options.env ? {env: options.env} : {}),
		exec: async (argv, execOptions) => {
			entry.command = argv;
			try {
				return await (exec ?? runCommand)(argv, execOptions);
			} finally {
				entry.command = undefined;
			}
		},
		log: async logEntry => appendJobLog(ws, job.id, logEntry),
		...(options.commandLog ? {commandLog: options.commandLog} : {}),
		onSpawn: child => void recordLeaseChild(file, job.lease!, child).catch((error: unknown) =>
			options.onProblem?.(`The running command was not recorded in the lease (job ${job.id}); if this worker dies it is not stopped: ${error instanceof Error ? error.message : String(error)}`)),
	});
	return runner(target, context);
}

function runnerFor(runners: RunnerTable, target: Target): Runner | undefined {
	switch (target.kind) {
		case 'git': {
			return runners.git as Runner;
		}

		case 'rsync': {
			return runners.rsync as Runner;
		}

		case 'export': {
			return runners.export as Runner;
		}

		case 'custom': {
			// Own keys only: a runner named "toString" is no runner of Object.prototype's.
			return ownValue(runners.custom, target.runner) as Runner | undefined;
		}
	}
}

/**
 * Records the end of the run; undefined when the job is no longer ours.
 * Durable before it returns (file and folder fsynced), and only then is the
 * end logged and reported: a "done" that a crash could undo is never shown
 * by this worker. The folder's fsync is shared with the other jobs of this
 * process that end at the same time (a group commit, see syncFolder).
 */
async function finalize(options: RunJobOptions, outcome: RunOutcome, stopReason: 'requeue' | 'cancel' | undefined): Promise<Job | undefined> {
	const {job} = options;
	let lastError: unknown;
	for (let attempt = 0; attempt < 5; attempt++) {
		try {
			return await changeJob(options.ws, job.id, current => {
				if (current.state !== 'running' || current.claim !== job.claim) {
					return undefined;
				}

				const now = options.now();
				const {lease: _lease, ...rest} = current;
				const base = {...rest, updatedAt: now};
				if (outcome.status === 'done') {
					const {lastError: _e, resolution: _r, ...clean} = base;
					return {...clean, state: 'done', finishedAt: now, result: outcome.head ? {message: outcome.message, head: outcome.head} : {message: outcome.message}};
				}

				if (stopReason === 'requeue' && !current.cancelRequested) {
					return {...base, state: 'pending', attempt: Math.max(0, current.attempt - 1), dueAt: now};
				}

				if (stopReason === 'cancel' || current.cancelRequested) {
					return {...base, state: 'cancelled', finishedAt: now};
				}

				switch (outcome.status) {
					case 'retry': {
						return current.attempt >= current.maxAttempts
							? {...base, state: 'dead', finishedAt: now, lastError: {...outcome.error, hint: outcome.error.hint ?? `Gave up after ${current.attempt} attempts; \`cws queue retry ${job.id}\` tries again.`}}
							: {...base, state: 'failed', dueAt: now + options.backoff(current.attempt), lastError: outcome.error};
					}

					case 'dead': {
						return {...base, state: 'dead', finishedAt: now, lastError: outcome.error};
					}

					case 'conflict': {
						return {...base, state: 'conflict', finishedAt: now, lastError: outcome.error, resolution: outcome.resolution};
					}
				}
			}, 'durable');
		} catch (error) {
			lastError = error;
			await new Promise(resolve => setTimeout(resolve, 200 * (attempt + 1)));
		}
	}

	throw lastError;
}

function describeOutcome(outcome: RunOutcome, job: Job): string {
	if (job.state === 'cancelled') {
		return 'cancelled by the user; the running command was stopped';
	}

	switch (outcome.status) {
		case 'done': {
			return outcome.message;
		}

		case 'retry': {
			return job.state === 'dead'
				? `${outcome.error.message} — gave up after ${job.attempt} attempts`
				: `${outcome.error.message} — next try in ${Math.max(0, Math.round((job.dueAt - job.updatedAt) / 1000))} s`;
		}

		default: {
			return outcome.error.message;
		}
	}
}
