import type {ShellServices} from '../../commands/types.js';
import {createQueueWatcher, readSyncConfig, syncBadge, type QueueSnapshot, type QueueWatcher, type SyncBadge} from '../../core/queue/index.js';

/** How often the feed re-reads the staleness limit of config.json. */
const CONFIG_EVERY_MS = 60_000;

const feeds = new WeakMap<ShellServices, QueueWatcher>();

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
	const watcher = createQueueWatcher({paths: services.paths, store: services.store}, options);
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
	const close = watcher.close;
	watcher.close = () => {
		clearInterval(timer);
		close();
	};

	feeds.set(services, watcher);
	return watcher;
}

/**
 * The sync badge of one board card: a job that needs attention (conflict,
 * failed for good), work in progress (queued, syncing, retrying), else the
 * age of the last successful sync, `warn` when older than the configured
 * limit or never synced. Pass the render time as `now`. Undefined until
 * the queue has been read once (no "never synced" flash at start-up).
 */
export function badgeFor(snapshot: QueueSnapshot, project: string, now: number): SyncBadge | undefined {
	if (snapshot.loadedAt === 0) return undefined;
	return syncBadge(snapshot.jobs, snapshot.stats, project, now);
}
