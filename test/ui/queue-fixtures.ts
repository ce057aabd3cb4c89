import type {Job, QueueSnapshot, QueueStats} from '../../source/core/queue/index.js';

/** A fixed clock for pane tests. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

let counter = 0;

/** A job as the queue stores it, with sensible defaults for the pane's tests. */
export function job(overrides: Partial<Job> = {}): Job {
	counter++;
	return {
		id: `${(NOW + counter).toString(36).padStart(9, '0')}-${counter.toString(16).padStart(8, '0')}`,
		project: 'web',
		stage: 'stable',
		target: {name: 'origin', kind: 'git', remote: 'origin', autoCommit: false},
		reason: 'manual',
		state: 'pending',
		attempt: 0,
		maxAttempts: 5,
		claim: 0,
		createdAt: NOW - 60_000,
		updatedAt: NOW - 60_000,
		dueAt: NOW - 60_000,
		...overrides,
	};
}

export const STATS: QueueStats = {
	depth: 0,
	pending: 0,
	failed: 0,
	running: 0,
	dead: 0,
	conflict: 0,
	waitP50Ms: 2000,
	waitP95Ms: 9000,
	successRate24h: 0.96,
	finished24h: 25,
	lastSync: {},
};

/** A feed snapshot holding `jobs` (newest first, as the feed gives them). */
export function snapshotOf(jobs: Job[], stats: Partial<QueueStats> = {}): QueueSnapshot {
	return {jobs, unreadable: [], stats: {...STATS, ...stats}, loadedAt: NOW, error: undefined};
}
