import {watch, type FSWatcher} from 'node:fs';
import {folderStamp, listJobs, queueDirs, type QueueWorkspace, type UnreadableJob} from './jobs.js';
import {syncHistorySpec} from './retention.js';
import {computeStats, type QueueStats} from './stats.js';
import type {Job} from './types.js';

/** What the queue pane renders. Replaced (new object) on every change, so it can be compared by identity. */
export type QueueSnapshot = {
	/** Newest first. */
	jobs: readonly Job[];
	unreadable: readonly UnreadableJob[];
	stats: QueueStats;
	/** When this snapshot was read (countdowns and ages are relative to it). */
	loadedAt: number;
	/** The last error reading the queue, if the last refresh failed (the previous jobs are kept). */
	error: string | undefined;
};

export type QueueWatcher = {
	/** useSyncExternalStore's subscribe: polling runs only while someone listens. */
	subscribe(listener: () => void): () => void;
	/** useSyncExternalStore's getSnapshot: the same object until something changed. */
	getSnapshot(): QueueSnapshot;
	/** Reads the queue now (e.g. right after an action in this process). */
	refresh(): Promise<void>;
	close(): void;
};

export type WatchOptions = {
	/**
	 * How often the queue folder's change stamp is checked when the folder
	 * cannot be watched (ms, default 500). While it is watched the stamp is
	 * still checked, every `fallbackMs` (default 10000), in case an event is missed.
	 */
	intervalMs?: number;
	fallbackMs?: number;
	/** The board's "last sync" badge warns after this many hours (default 24). */
	staleAfterHours?: number;
	now?: () => number;
};

const EMPTY_STATS: QueueStats = {depth: 0, pending: 0, failed: 0, running: 0, dead: 0, conflict: 0, waitP50Ms: undefined, waitP95Ms: undefined, successRate24h: undefined, finished24h: 0, lastSync: {}};

/** Changes closer together than this are read as one. */
const SETTLE_MS = 40;

/**
 * Watches .cws/queue for the pane: fs.watch on the folder (any job written
 * or removed is a rename or unlink in it) wakes a re-read of the jobs (only
 * those that changed, see listJobs), a few tens of ms after the first event
 * so that a burst of writes is read once. fs.watch can be unavailable or
 * miss events (network file systems, a folder made later), so the folder's
 * change stamp is also checked on a timer: every `fallbackMs` while the
 * watch works, every `intervalMs` when it does not. Idle, that is one stat
 * every ten seconds. Works the same whether the change came from this
 * process, another TUI or `cws queue work`.
 */
export function createQueueWatcher(ws: QueueWorkspace, options: WatchOptions = {}): QueueWatcher {
	const now = options.now ?? Date.now;
	const listeners = new Set<() => void>();
	let snapshot: QueueSnapshot = {jobs: [], unreadable: [], stats: EMPTY_STATS, loadedAt: 0, error: undefined};
	let stamp = '';
	let timer: NodeJS.Timeout | undefined;
	let settle: NodeJS.Timeout | undefined;
	let watcher: FSWatcher | undefined;
	let loading: Promise<void> | undefined;
	let closed = false;
	const dir = queueDirs(ws.paths).jobs;

	const load = async () => {
		try {
			const [listing, {data: history}] = await Promise.all([listJobs(ws), ws.store.read(syncHistorySpec)]);
			const loadedAt = now();
			snapshot = {
				jobs: [...listing.jobs].reverse(),
				unreadable: listing.unreadable,
				stats: computeStats(listing.jobs, history, {now: loadedAt, staleAfterMs: (options.staleAfterHours ?? 24) * 3600_000}),
				loadedAt,
				error: undefined,
			};
		} catch (error) {
			snapshot = {...snapshot, error: error instanceof Error ? error.message : String(error)};
		}

		for (const listener of listeners) {
			listener();
		}
	};

	const refresh = async () => {
		loading ??= (async () => {
			try {
				stamp = await folderStamp(dir);
				await load();
			} finally {
				loading = undefined;
			}
		})();
		return loading;
	};

	const active = () => !closed && listeners.size > 0;

	const startWatch = () => {
		if (watcher || !active()) {
			return;
		}

		try {
			watcher = watch(dir, {persistent: false}, () => {
				settle ??= setTimeout(() => {
					settle = undefined;
					if (active()) {
						void refresh();
					}
				}, SETTLE_MS);
			});
			watcher.on('error', stopWatch);
		} catch {
			// Not watchable (yet): the timer checks the stamp more often meanwhile.
			watcher = undefined;
		}
	};

	function stopWatch(): void {
		watcher?.close();
		watcher = undefined;
		clearTimeout(settle);
		settle = undefined;
	}

	const tick = async () => {
		if (!active()) {
			return;
		}

		// A folder created after the pane opened (the first enqueue) is watched from then on.
		startWatch();
		const current = await folderStamp(dir);
		if (current !== stamp) {
			await refresh();
		}

		if (active()) {
			timer = setTimeout(() => void tick(), watcher ? (options.fallbackMs ?? 10_000) : (options.intervalMs ?? 500));
			timer.unref();
		}
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			if (listeners.size === 1 && !closed) {
				stamp = '';
				void tick();
			}

			return () => {
				listeners.delete(listener);
				if (listeners.size === 0) {
					clearTimeout(timer);
					stopWatch();
				}
			};
		},
		getSnapshot: () => snapshot,
		refresh,
		close() {
			closed = true;
			clearTimeout(timer);
			stopWatch();
			listeners.clear();
		},
	};
}
