import {enqueueJob} from './enqueue.js';
import {listJobs, readJob, type QueueWorkspace} from './jobs.js';
import {readSyncConfig} from './config.js';
import {findTargetedProjects, findUnsyncedProjects} from './unsynced.js';
import {FINAL_STATES, type Job} from './types.js';
import {QueueWorker} from './worker.js';

// These mirror the shell's shutdown participant (source/core/shutdown.ts) structurally.
type Mode = 'interactive' | 'signal';
type Question = {id: string; prompt: string; choices: ReadonlyArray<{value: string; label: string}>; defaultValue: string; unattendedValue: string};
type Step = {participant: string; title: string; details?: string[]; question?: Question};
type RunContext = {mode: Mode; force: boolean; answers: ReadonlyMap<string, string>; signal: AbortSignal; report(text: string): void};

/** The cexit participant of the sync queue: final syncs, then nothing left running. */
export type QueueShutdownParticipant = {
	name: string;
	plan(context: {mode: Mode; force: boolean}): Promise<Step[]>;
	run(context: RunContext): Promise<string[]>;
};

export type QueueShutdownOptions = {
	/** The TUI's worker: its running jobs go back to the queue when the shutdown stops waiting. */
	worker?: QueueWorker;
	/** Longest wait for the final syncs (ms, default 120 s); the person can stop waiting sooner. */
	waitLimitMs?: number;
	pollMs?: number;
};

/** Id of the question "sync before leaving?" in the shutdown dialog. */
export const FINAL_SYNC_QUESTION = 'queue.final-sync';

/**
 * What cexit (and SIGTERM/SIGHUP) does with the queue. Interactive: offer to
 * sync every project with unsynced work and wait for those jobs (bounded,
 * abortable); not asked when no project has a sync target. Always, at the
 * end: running jobs of this process go back to the queue uncounted, so
 * nothing is lost; they run at the next start or with `cws queue work`.
 */
export function queueShutdownParticipant(ws: QueueWorkspace, options: QueueShutdownOptions = {}): QueueShutdownParticipant {
	return {
		name: 'sync queue',
		async plan(context) {
			const running = options.worker?.running() ?? [];
			const details = running.map(item => `${item.job.project} → ${item.job.target.name} is running`);
			if (context.mode === 'signal' || context.force) {
				return [{participant: 'sync queue', title: running.length > 0 ? `Put ${running.length} running sync job(s) back in the queue` : 'Leave the sync queue as it is', details}];
			}

			if (!(await anyTargets(ws))) {
				return [{participant: 'sync queue', title: running.length > 0 ? `No project has a sync target; put ${running.length} running sync job(s) back in the queue` : 'No project has a sync target: nothing to sync', details}];
			}

			return [{
				participant: 'sync queue',
				title: 'Final sync of projects with unsynced work',
				details,
				question: {
					id: FINAL_SYNC_QUESTION,
					prompt: 'Sync projects with unsynced work before leaving?',
					choices: [
						{value: 'sync', label: 'Sync them and wait (you can stop waiting; nothing is lost)'},
						{value: 'leave', label: 'Leave now; queued jobs run next time'},
					],
					defaultValue: 'sync',
					unattendedValue: 'leave',
				},
			}];
		},
		async run(context) {
			const lines: string[] = [];
			try {
				if (context.mode === 'interactive' && !context.force && context.answers.get(FINAL_SYNC_QUESTION) === 'sync') {
					lines.push(...await finalSync(ws, options, context));
				}
			} finally {
				const summary = await options.worker?.stop('requeue');
				if (summary && summary.requeued > 0) {
					lines.push(`${summary.requeued} running sync job(s) went back to the queue; they run at the next start or with \`cws queue work\`.`);
				}
			}

			return lines;
		},
	};
}

/**
 * Whether some project syncs somewhere under the current policy; a config
 * that cannot be read counts as yes, so the person is still asked.
 */
async function anyTargets(ws: QueueWorkspace): Promise<boolean> {
	try {
		return (await findTargetedProjects(ws, await readSyncConfig(ws.paths, ws.store))).length > 0;
	} catch {
		// The worker and `cws verify` report a broken config; here it only means "ask".
		return true;
	}
}

async function finalSync(ws: QueueWorkspace, options: QueueShutdownOptions, context: RunContext): Promise<string[]> {
	context.report('Looking for unsynced work…');
	const config = await readSyncConfig(ws.paths, ws.store);
	const jobs: Job[] = [];
	const unsynced = await findUnsyncedProjects(ws, {config});
	// A target whose job is already waiting or running is waited for, not queued a second time.
	const open = unsynced.some(project => project.targets.some(item => item.queued))
		? (await listJobs(ws)).jobs.filter(job => !FINAL_STATES.includes(job.state))
		: [];
	for (const project of unsynced) {
		for (const {target, queued} of project.targets) {
			const existing = queued ? open.filter(job => job.project === project.project && job.target.name === target.name).at(-1) : undefined;
			const job = existing ?? (await enqueueJob(ws, {project: project.project, target, stage: project.stage, reason: 'cexit', maxAttempts: config.retry.attempts})).job;
			jobs.push(job);
		}
	}

	if (jobs.length === 0) {
		return ['Every project is synced.'];
	}

	// Without a worker in this process, run one just for the final syncs.
	const helper = options.worker ? undefined : new QueueWorker(ws, {drain: true, signal: context.signal, config});
	const helperDone = helper?.start();
	options.worker?.wake();
	const started = Date.now();
	const limit = options.waitLimitMs ?? 120_000;
	let current = jobs;
	while (!context.signal.aborted && Date.now() - started < limit) {
		current = await Promise.all(jobs.map(async job => readJob(ws, job.id).catch(() => job)));
		const open = current.filter(job => !FINAL_STATES.includes(job.state) && job.state !== 'failed');
		if (open.length === 0) {
			break;
		}

		context.report(`Waiting for ${open.map(job => `${job.project} → ${job.target.name}`).join(', ')} (${Math.round((Date.now() - started) / 1000)} s)`);
		await new Promise(resolve => setTimeout(resolve, options.pollMs ?? 250));
	}

	await helper?.stop('requeue');
	await helperDone;
	const name = (job: Job) => `${job.project} → ${job.target.name}`;
	const done = current.filter(job => job.state === 'done');
	const attention = current.filter(job => job.state === 'dead' || job.state === 'conflict');
	const queued = current.filter(job => !FINAL_STATES.includes(job.state));
	return [
		...(done.length > 0 ? [`Synced: ${done.map(name).join(', ')}.`] : []),
		...(attention.length > 0 ? [`Needs attention: ${attention.map(job => `${name(job)} (${job.state})`).join(', ')}; see \`cws queue\`.`] : []),
		...(queued.length > 0 ? [`Still queued: ${queued.map(name).join(', ')}; runs at the next start or with \`cws queue work\`.`] : []),
	];
}
