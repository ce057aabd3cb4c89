import fs from 'node:fs';
import path from 'node:path';

type Watch = {
	watcher: fs.FSWatcher | undefined;
	/** Each waiter's wake-up function and the lock folder name it waits for. */
	waiters: Map<() => void, string>;
	linger: NodeJS.Timeout | undefined;
};

/** One watcher per locks folder, shared by every waiter of this process. */
const watches = new Map<string, Watch>();

/** How long a watcher outlives its last waiter (a busy lock has a new waiter at once). */
const LINGER_MS = 1000;

function watchFor(locksDir: string): Watch {
	const existing = watches.get(locksDir);
	if (existing) {
		clearTimeout(existing.linger);
		existing.linger = undefined;
		return existing;
	}

	const watch: Watch = {watcher: undefined, waiters: new Map(), linger: undefined};
	try {
		watch.watcher = fs.watch(locksDir, {persistent: false}, (_event, name) => {
			for (const [wake, lockName] of [...watch.waiters]) {
				// Without a name (some platforms) every waiter looks again.
				if (name === null || name === lockName) {
					wake();
				}
			}
		});
		// A watcher that fails later (folder removed) just stops waking anyone early.
		watch.watcher.on('error', () => {
			watch.watcher?.close();
			watch.watcher = undefined;
			if (watches.get(locksDir) === watch) {
				watches.delete(locksDir);
			}
		});
	} catch {
		// No watcher (not kept, so the next wait tries again): the timeout alone paces the retries.
		return watch;
	}

	watches.set(locksDir, watch);
	return watch;
}

/**
 * Waits up to `ms` for the lock folder `lockDir` to appear or go (released,
 * or taken over), so that a waiter retries as soon as the holder lets go
 * instead of at its next backoff step: with several processes queued on
 * one lock, sleeping through the release is where the time went. fs.watch
 * can be missing or miss events (some network file systems), so the
 * timeout is always there as the poll it falls back to.
 */
export async function waitForLockChange(lockDir: string, ms: number): Promise<void> {
	const locksDir = path.dirname(lockDir);
	const watch = watchFor(locksDir);
	await new Promise<void>(resolve => {
		const done = () => {
			clearTimeout(timer);
			watch.waiters.delete(done);
			if (watch.waiters.size === 0 && watches.get(locksDir) === watch) {
				watch.linger = setTimeout(() => {
					if (watch.waiters.size === 0 && watches.get(locksDir) === watch) {
						watches.delete(locksDir);
						watch.watcher?.close();
					}
				}, LINGER_MS);
				watch.linger.unref();
			}

			resolve();
		};

		const timer = setTimeout(done, ms);
		watch.waiters.set(done, path.basename(lockDir));
	});
}
