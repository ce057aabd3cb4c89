import {lstat, readdir} from 'node:fs/promises';
import path from 'node:path';
import {isValidProjectName} from '../board/index.js';
import {STAGES, type Stage} from '../paths.js';
import {readSyncConfig, type SyncConfig} from './config.js';
import {hardenedEnv, runCommand, succeeded} from './exec.js';
import {listJobs, type QueueWorkspace} from './jobs.js';
import {syncHistorySpec} from './retention.js';
import {resolveTargets} from './targets.js';
import {FINAL_STATES, type Job, type Target} from './types.js';
import {ownValue} from '../own-key.js';

/** A project whose work is not (known to be) safe at one or more of its targets. */
export type UnsyncedProject = {
	project: string;
	stage: Stage;
	dir: string;
	/** Targets that are behind, each with why: 'never synced', 'new commits since the last push', … */
	targets: Array<{target: Target; reason: string; queued: boolean}>;
};

/** Files looked at before a tree counts as "may have changed". */
const MTIME_WALK_LIMIT = 20_000;

/** A project folder and the targets it syncs to under the effective policy. */
export type TargetedProject = {project: string; stage: Stage; dir: string; targets: Target[]};

/** Projects whose targets are resolved at once (each is a few file reads). */
const RESOLVE_PARALLEL = 32;

/**
 * Every project that syncs somewhere under `config`, in stage then name
 * order. A project without a target has nothing to sync and is left out.
 * Starts no git: remotes are read from .git/config (see configHasRemote),
 * so 10,000 projects cost a few file reads each.
 */
export async function findTargetedProjects(ws: QueueWorkspace, config: SyncConfig): Promise<TargetedProject[]> {
	const result: TargetedProject[] = [];
	for (const stage of STAGES) {
		const names = await projectsIn(ws.paths.stageDir[stage]);
		const resolved: TargetedProject[] = Array.from({length: names.length});
		let next = 0;
		const lane = async () => {
			while (next < names.length) {
				const index = next++;
				const project = names[index]!;
				const dir = path.join(ws.paths.stageDir[stage], project);
				resolved[index] = {project, stage, dir, targets: await resolveTargets({config, project, stage, projectDir: dir})};
			}
		};

		await Promise.all(Array.from({length: Math.min(RESOLVE_PARALLEL, names.length)}, lane));
		result.push(...resolved.filter(item => item.targets.length > 0));
	}

	return result;
}

/**
 * Projects with unsynced work, for cexit: for each target of each project,
 * a job still waiting or running, a target never synced, a last sync that
 * failed for good, or changes since the last success (new commits for a
 * push, newer files for a backup or export). Projects without a target
 * are never listed: they have nothing to sync.
 */
export async function findUnsyncedProjects(ws: QueueWorkspace, options: {config?: SyncConfig} = {}): Promise<UnsyncedProject[]> {
	const config = options.config ?? await readSyncConfig(ws.paths, ws.store);
	const [{jobs}, {data: history}, targeted] = await Promise.all([listJobs(ws), ws.store.read(syncHistorySpec), findTargetedProjects(ws, config)]);
	const result: UnsyncedProject[] = [];
	for (const {project, stage, dir, targets} of targeted) {
		const behind: UnsyncedProject['targets'] = [];
		// Own keys only: "constructor" is a valid project and target name, and Object.prototype has one.
		const synced = ownValue(history.lastSuccess, project) ?? {};
		for (const target of targets) {
			const mine = jobs.filter(job => job.project === project && job.target.name === target.name).sort((a, b) => a.createdAt - b.createdAt);
			const reason = await whyBehind(target, dir, mine, ownValue(synced, target.name));
			if (reason) {
				behind.push({target, reason: reason.text, queued: reason.queued});
			}
		}

		if (behind.length > 0) {
			result.push({project, stage, dir, targets: behind});
		}
	}

	return result;
}

async function whyBehind(target: Target, dir: string, jobs: Job[], recorded: {at: number; head?: string} | undefined): Promise<{text: string; queued: boolean} | undefined> {
	const latest = jobs.at(-1);
	if (latest && !FINAL_STATES.includes(latest.state)) {
		return {text: latest.state === 'running' ? 'syncing now' : `queued (${latest.state})`, queued: true};
	}

	// A change after the successful run started may have missed the copy: compare with its start.
	const lastDone = jobs.filter(job => job.state === 'done').at(-1);
	const success = lastDone?.finishedAt !== undefined && lastDone.finishedAt > (recorded?.at ?? 0)
		? {at: lastDone.startedAt ?? lastDone.finishedAt, head: lastDone.result?.head}
		: recorded;
	if (!success) {
		return {text: 'never synced', queued: false};
	}

	if (latest && latest.state !== 'done' && (latest.finishedAt ?? latest.updatedAt) > success.at) {
		return {text: `last sync ${latest.state}`, queued: false};
	}

	if (target.kind === 'git') {
		const head = await runCommand(['git', 'rev-parse', '--verify', '--quiet', 'HEAD'], {cwd: dir, env: hardenedEnv(process.env), timeoutMs: 10_000});
		if (succeeded(head) && success.head !== undefined && head.stdoutTail.trim() !== success.head) {
			return {text: 'new commits since the last push', queued: false};
		}

		return undefined;
	}

	const newest = await newestChange(dir, MTIME_WALK_LIMIT);
	if (newest.truncated || newest.mtimeMs > success.at) {
		return {text: newest.truncated ? 'too many files to tell; may have changed' : 'changed since the last sync', queued: false};
	}

	return undefined;
}

async function projectsIn(stageDir: string): Promise<string[]> {
	const entries = await readdir(stageDir, {withFileTypes: true}).catch(() => []);
	return entries.filter(entry => entry.isDirectory() && isValidProjectName(entry.name)).map(entry => entry.name).sort();
}

/**
 * Inside .git, what records the user's work: the index (staging), HEAD, the
 * config, and local branches and tags. Remote-tracking refs, logs, FETCH_HEAD
 * and objects change on every fetch or push and say nothing about new work.
 */
const GIT_WORK = ['HEAD', 'index', 'config', 'packed-refs', 'refs/heads', 'refs/tags', 'refs/stash'];

/**
 * The newest mtime in a project (folders change when entries come or go),
 * bounded to `limit` entries; in .git only what records work (GIT_WORK).
 */
export async function newestChange(dir: string, limit: number): Promise<{mtimeMs: number; truncated: boolean}> {
	let newest = 0;
	let seen = 0;
	const gitDir = path.join(dir, '.git');
	const queue = [dir];
	while (queue.length > 0) {
		const current = queue.pop()!;
		const stats = await lstat(current).catch(() => undefined);
		if (!stats) {
			continue;
		}

		if (++seen > limit) {
			return {mtimeMs: newest, truncated: true};
		}

		if (current === gitDir && stats.isDirectory()) {
			queue.push(...GIT_WORK.map(entry => path.join(gitDir, entry)));
			continue;
		}

		newest = Math.max(newest, stats.mtimeMs);
		if (stats.isDirectory()) {
			const names = await readdir(current).catch(() => [] as string[]);
			queue.push(...names.map(name => path.join(current, name)));
		}
	}

	return {mtimeMs: newest, truncated: false};
}
