import {formatAge, type QueueStats} from './stats.js';
import type {Job} from './types.js';

/** One line about where a job stands, relative to `now`. */
export function describeJob(job: Job, now: number): string {
	switch (job.state) {
		case 'running': {
			return `running for ${formatAge(now - (job.startedAt ?? now))}`;
		}

		case 'failed': {
			return `retry in ${formatAge(Math.max(0, job.dueAt - now))}: ${job.lastError?.message ?? ''}`;
		}

		case 'pending': {
			return job.dueAt > now ? `due in ${formatAge(job.dueAt - now)}` : `waiting ${formatAge(now - job.createdAt)}`;
		}

		case 'done': {
			return `${formatAge(now - (job.finishedAt ?? now))} ago: ${job.result?.message ?? ''}`;
		}

		default: {
			return `${formatAge(now - (job.finishedAt ?? job.updatedAt))} ago: ${job.lastError?.message ?? job.state}`;
		}
	}
}

/** The stats line of `cws queue` and the pane. */
export function describeStats(stats: QueueStats): string {
	const wait = stats.waitP50Ms === undefined ? 'no waits in 24 h' : `wait p50 ${formatAge(stats.waitP50Ms)} p95 ${formatAge(stats.waitP95Ms ?? 0)}`;
	const rate = stats.successRate24h === undefined ? 'no syncs in 24 h' : `${Math.round(stats.successRate24h * 100)}% ok of ${stats.finished24h} in 24 h`;
	return `depth ${stats.depth} (${stats.running} running, ${stats.pending} pending, ${stats.failed} retrying) · ${wait} · ${rate}`;
}
