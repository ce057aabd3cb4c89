import path from 'node:path';
import {CwsError} from '../errors.js';
import type {Stage} from '../paths.js';
import {readSyncConfig, type SyncConfig} from './config.js';
import {enqueueJob, type EnqueueResult} from './enqueue.js';
import type {QueueWorkspace} from './jobs.js';
import {findProject} from './project.js';
import {resolveTargets} from './targets.js';
import type {Job, JobReason, Target} from './types.js';

export type SyncOptions = {
	/** Only this target (by name); any stage may use its export targets this way. */
	target?: string;
	reason?: JobReason;
	/** Policy (default: read from .cws/config.json). */
	config?: SyncConfig;
	now?: number;
};

export type SyncResult = {project: string; stage: Stage; results: EnqueueResult[]};

/**
 * `cws sync <name> [--target T]` and the board's sync key: enqueues one job
 * per target of the project at its stage (or the one target asked for).
 * Targets with a job already waiting return that job instead of a new one.
 */
export async function syncProject(ws: QueueWorkspace, name: string, options: SyncOptions = {}): Promise<SyncResult> {
	const location = await findProject(ws.paths, name);
	const config = options.config ?? await readSyncConfig(ws.paths, ws.store);
	let targets = await resolveTargets({config, project: name, stage: location.stage, projectDir: location.dir, includeAllExports: options.target !== undefined});
	if (options.target !== undefined) {
		const wanted = targets.filter(target => target.name === options.target);
		if (wanted.length === 0) {
			throw new CwsError('NO_SUCH_TARGET', `Project ${name} (${location.stage}) has no sync target named ${JSON.stringify(options.target)}.`, {
				hint: targets.length > 0
					? `Its targets: ${targets.map(target => target.name).join(', ')}.`
					: noTargetsHint(name, location.stage),
			});
		}

		targets = wanted;
	}

	if (targets.length === 0) {
		throw new CwsError('NO_TARGETS', `Project ${name} (${location.stage}) has nowhere to sync to.`, {hint: noTargetsHint(name, location.stage)});
	}

	return {project: name, stage: location.stage, results: await enqueueAll(ws, name, location.stage, targets, config, options)};
}

/**
 * The board's hook after a stage change: enqueues the targets of the new
 * stage (none for Sandbox by default). Never throws for "no targets".
 */
export async function enqueueForStage(ws: QueueWorkspace, project: string, stage: Stage, options: Omit<SyncOptions, 'target'> = {}): Promise<EnqueueResult[]> {
	const config = options.config ?? await readSyncConfig(ws.paths, ws.store);
	const projectDir = path.join(ws.paths.stageDir[stage], project);
	const targets = await resolveTargets({config, project, stage, projectDir});
	return enqueueAll(ws, project, stage, targets, config, {reason: 'stage', ...options});
}

/**
 * The target a retried job should use: as configured now for its project
 * (so a fixed config takes effect), or undefined to keep the job's own.
 */
export async function currentTarget(ws: QueueWorkspace, job: Job, config?: SyncConfig): Promise<Target | undefined> {
	try {
		const location = await findProject(ws.paths, job.project);
		const targets = await resolveTargets({
			config: config ?? await readSyncConfig(ws.paths, ws.store),
			project: job.project,
			stage: location.stage,
			projectDir: location.dir,
			includeAllExports: true,
		});
		return targets.find(target => target.name === job.target.name && target.kind === job.target.kind);
	} catch {
		return undefined;
	}
}

/**
 * Enqueues every target at once: each pair has its own lock, and enqueues
 * that finish together share their folder's fsync (see syncFolder), so a
 * project with several targets pays about one folder fsync, not one each.
 * Every enqueue is allowed to end before an error is reported, so nothing is
 * still being written when the caller hears of the failure.
 */
async function enqueueAll(ws: QueueWorkspace, project: string, stage: Stage, targets: Target[], config: SyncConfig, options: SyncOptions): Promise<EnqueueResult[]> {
	const settled = await Promise.allSettled(targets.map(async target => enqueueJob(ws, {
		project,
		target,
		stage,
		reason: options.reason ?? 'manual',
		maxAttempts: config.retry.attempts,
		...(options.now === undefined ? {} : {now: options.now}),
	})));
	const failed = settled.find(result => result.status === 'rejected');
	if (failed) {
		throw failed.reason;
	}

	return settled.map(result => (result as PromiseFulfilledResult<EnqueueResult>).value);
}

function noTargetsHint(name: string, stage: Stage): string {
	return stage === 'sandbox'
		? `Sandbox projects sync nowhere by default. Add targets under "sync": {"projects": {"${name}": {"targets": [...]}}} in .cws/config.json.`
		: `Set "sync": {"backupRoot": "/path/or/host:path"} in .cws/config.json for backups, add a git remote named origin (Stable and Public push to it), or add targets under "sync": {"projects": {"${name}": ...}}.`;
}
