import type {ShellServices} from '../../commands/types.js';
import {createQueueWatcher, createSyncTargetIndex, jobBadge, readSyncConfig, syncBadge, type QueueSnapshot, type QueueWatcher, type SyncBadge, type SyncTargetIndex} from '../../core/queue/index.js';

/** How often the feed re-reads the staleness limit of config.json. */
const CONFIG_EVERY_MS = 60_000;

const feeds = new WeakMap<ShellServices, QueueWatcher>();
/** The target index behind each snapshot this feed hands out (badgeFor asks it). */
const indexes = new WeakMap<QueueSnapshot, SyncTargetIndex>();

/**
 * The one queue watcher of a running interface: the queue pane and the
 * board's card badges share it, so the queue folder is polled once however
 * many views show it. Polling runs only while someone is subscribed.
 *
 * The badge's staleness limit (`sync.staleAfterHours`) is re-read from
 * config.json every minute; a broken config keeps the last good limit (the
 * worker reports the problem).
 */
export function queueFeedFor(services: ShellServices): QueueWatcher {
	const known = feeds.get(services);
	if (known) return known;
	let staleAfterHours: number | undefined;
	// The watcher reads this option at every load, so a getter lets the limit follow the config.
	const options = {
		get staleAfterHours() {
			return staleAfterHours;
		},
	};
	const inner = createQueueWatcher({paths: services.paths, store: services.store}, options);
	const targets = createSyncTargetIndex({paths: services.paths, store: services.store});
	// A new snapshot object when the jobs or an answer about targets change, so views re-render.
	let source = inner.getSnapshot();
	let version = targets.version;
	let current = withIndex(source);
	function withIndex(snapshot: QueueSnapshot): QueueSnapshot {
		const copy = {...snapshot};
		indexes.set(copy, targets);
		return copy;
	}

	const watcher: QueueWatcher = {
		subscribe(listener) {
			const stops = [inner.subscribe(listener), targets.subscribe(listener)];
			return () => {
				for (const stop of stops) stop();
			};
		},
		getSnapshot() {
			const latest = inner.getSnapshot();
			if (latest !== source || targets.version !== version) {
				source = latest;
				version = targets.version;
				current = withIndex(latest);
			}

			return current;
		},
		refresh: async () => inner.refresh(),
		close() {
			clearInterval(timer);
			targets.close();
			inner.close();
		},
	};
	const readLimit = async () => {
		try {
			const config = await readSyncConfig(services.paths, services.store);
			if (config.staleAfterHours !== staleAfterHours) {
				staleAfterHours = config.staleAfterHours;
				await watcher.refresh();
			}
		} catch {
			// The worker reports a broken config; the badge keeps the last good limit.
		}
	};

	void readLimit();
	const timer = setInterval(() => void readLimit(), CONFIG_EVERY_MS);
	timer.unref();
	feeds.set(services, watcher);
	return watcher;
}

/**
 * The sync badge of one board card: a job that needs attention (conflict,
 * failed for good), work in progress (queued, syncing, retrying), else the
 * age of the last successful sync, `warn` when older than the configured
 * limit or never synced. A project with no sync target under the current
 * policy (Sandbox by default) has nothing to sync: only its jobs, if any,
 * give it a badge. Pass the render time as `now`. Undefined until the queue
 * has been read once, and the age part until the project's targets are
 * known (no "never synced" flash at start-up).
 */
export function badgeFor(snapshot: QueueSnapshot, project: string, now: number): SyncBadge | undefined {
	if (snapshot.loadedAt === 0) return undefined;
	const targets = indexes.get(snapshot);
	// A snapshot not handed out by queueFeedFor carries no target answers: judged as before.
	if (targets && targets.has(project) !== true) return jobBadge(snapshot.jobs, project);
	return syncBadge(snapshot.jobs, snapshot.stats, project, now);
}
