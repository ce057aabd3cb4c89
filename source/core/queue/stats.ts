import type {QueueWorkspace} from './jobs.js';
import {listJobs} from './jobs.js';
import {syncHistorySpec, type SyncHistory} from './retention.js';
import type {Job} from './types.js';
import {ownValue} from '../own-key.js';

const DAY = 24 * 3600_000;

/** The last successful sync of one project. */
export type LastSync = {
	/** When its most recent successful sync (any target) finished. */
	at: number;
	ageMs: number;
	/** Older than the configured limit (the board's badge warns). */
	stale: boolean;
	/** Per target: when it last succeeded. */
	targets: Record<string, number>;
};

/** "Is my work safe?" in numbers. */
export type QueueStats = {
	/** Jobs not finished: pending + failed (waiting to retry) + running. */
	depth: number;
	pending: number;
	failed: number;
	running: number;
	dead: number;
	conflict: number;
	/** Time from enqueue to first start, over jobs started in the last 24 h. */
	waitP50Ms: number | undefined;
	waitP95Ms: number | undefined;
	/** done / (done + dead + conflict) over jobs that ended in the last 24 h; undefined when none did. */
	successRate24h: number | undefined;
	finished24h: number;
	lastSync: Record<string, LastSync>;
};

/** Computes the statistics of a job list (pure; the pane recomputes on each change). */
export function computeStats(jobs: readonly Job[], history: SyncHistory, options: {now: number; staleAfterMs: number}): QueueStats {
	const {now} = options;
	const count = (state: Job['state']) => jobs.filter(job => job.state === state).length;
	const waits = jobs
		.filter(job => job.firstStartedAt !== undefined && now - job.firstStartedAt! <= DAY)
		.map(job => job.firstStartedAt! - job.createdAt)
		.sort((a, b) => a - b);
	const ended = jobs.filter(job => ['done', 'dead', 'conflict'].includes(job.state) && job.finishedAt !== undefined && now - job.finishedAt <= DAY);
	const lastSync: Record<string, LastSync> = {};
	const note = (project: string, target: string, at: number) => {
		// Own keys only: "constructor" is a valid project and target name, and Object.prototype has one.
		const entry = ownValue(lastSync, project) ?? {at: 0, ageMs: 0, stale: false, targets: {}};
		entry.targets[target] = Math.max(ownValue(entry.targets, target) ?? 0, at);
		entry.at = Math.max(entry.at, at);
		lastSync[project] = entry;
	};

	for (const [project, targets] of Object.entries(history.lastSuccess)) {
		for (const [target, record] of Object.entries(targets)) {
			note(project, target, record.at);
		}
	}

	for (const job of jobs) {
		if (job.state === 'done' && job.finishedAt !== undefined) {
			note(job.project, job.target.name, job.finishedAt);
		}
	}

	for (const entry of Object.values(lastSync)) {
		entry.ageMs = Math.max(0, now - entry.at);
		entry.stale = entry.ageMs > options.staleAfterMs;
	}

	const pending = count('pending');
	const failed = count('failed');
	const running = count('running');
	return {
		depth: pending + failed + running,
		pending,
		failed,
		running,
		dead: count('dead'),
		conflict: count('conflict'),
		waitP50Ms: percentile(waits, 0.5),
		waitP95Ms: percentile(waits, 0.95),
		successRate24h: ended.length === 0 ? undefined : ended.filter(job => job.state === 'done').length / ended.length,
		finished24h: ended.length,
		lastSync,
	};
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
	if (sorted.length === 0) {
		return undefined;
	}

	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Reads the queue and its history and computes the statistics. */
export async function readQueueStats(ws: QueueWorkspace, options: {now?: number; staleAfterHours?: number} = {}): Promise<QueueStats> {
	const [{jobs}, {data: history}] = await Promise.all([listJobs(ws), ws.store.read(syncHistorySpec)]);
	return computeStats(jobs, history, {now: options.now ?? Date.now(), staleAfterMs: (options.staleAfterHours ?? 24) * 3600_000});
}

/** A compact age for a badge: 45s, 12m, 3h, 5d. */
export function formatAge(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) {
		return `${seconds}s`;
	}

	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m`;
	}

	if (seconds < DAY / 1000) {
		return `${Math.floor(seconds / 3600)}h`;
	}

	return `${Math.floor(seconds / 86_400)}d`;
}

/** What the board's card shows about a project's syncs. */
export type SyncBadge = {
	/** 'synced 3h ago', 'syncing', 'retrying', 'conflict', 'never synced' … */
	label: string;
	/** ok: recent success; warn: stale or never; error: dead or conflict; busy: queued or running. */
	tone: 'ok' | 'warn' | 'error' | 'busy';
};

/**
 * What the project's jobs say on their own: one that needs attention
 * (conflict, failed for good), else work in progress (syncing, retrying,
 * queued); undefined when its latest jobs are all finished.
 */
export function jobBadge(jobs: readonly Job[], project: string): SyncBadge | undefined {
	const latestByTarget = new Map<string, Job>();
	for (const job of jobs) {
		if (job.project !== project) {
			continue;
		}

		const known = latestByTarget.get(job.target.name);
		if (!known || known.createdAt < job.createdAt) {
			latestByTarget.set(job.target.name, job);
		}
	}

	const latest = [...latestByTarget.values()];
	if (latest.some(job => job.state === 'conflict')) {
		return {label: 'conflict', tone: 'error'};
	}

	if (latest.some(job => job.state === 'dead')) {
		return {label: 'sync failed', tone: 'error'};
	}

	if (latest.some(job => job.state === 'running')) {
		return {label: 'syncing', tone: 'busy'};
	}

	if (latest.some(job => job.state === 'failed')) {
		return {label: 'retrying', tone: 'warn'};
	}

	if (latest.some(job => job.state === 'pending')) {
		return {label: 'queued', tone: 'busy'};
	}

	return undefined;
}

/**
 * The badge of one project that has sync targets: a job that needs
 * attention wins, then work in progress, then the age of the last success
 * (warn when stale or never). For a project without targets, jobBadge alone.
 */
export function syncBadge(jobs: readonly Job[], stats: QueueStats, project: string, now: number): SyncBadge {
	const fromJobs = jobBadge(jobs, project);
	if (fromJobs) {
		return fromJobs;
	}

	const last = ownValue(stats.lastSync, project);
	if (!last) {
		return {label: 'never synced', tone: 'warn'};
	}

	return {label: `synced ${formatAge(Math.max(0, now - last.at))} ago`, tone: last.stale ? 'warn' : 'ok'};
}
