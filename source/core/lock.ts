import {AsyncLocalStorage} from 'node:async_hooks';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import {CwsError, errnoCode} from './errors.js';
import {ensurePrivateDir, toFsError} from './file-ops.js';
import {createLockFs, readOwner, readOwnerSync, removeLockIfSync, type LockOwner} from './lock-fs.js';
import {isProcessAlive} from './process-info.js';

export type {LockOwner} from './lock-fs.js';

/** Timing of workspace locks. */
export type LockTiming = {
	/** A lock whose folder was not refreshed for this long is taken over (ms, at least 2000). */
	stale: number;
	/** How often a holder refreshes its lock (ms, at most stale/2). */
	update: number;
	/** How long to wait for a lock before LOCK_TIMEOUT (ms). */
	wait: number;
};

export const DEFAULT_LOCK_TIMING: LockTiming = {stale: 10_000, update: 2500, wait: 30_000};

/** How often a waiter checks whether the holder of its lock has died. */
const HOLDER_CHECK_INTERVAL = 250;

/** A held lock. */
export type LockHandle = {
	readonly name: string;
	/** True once the lock was released or lost. */
	readonly released: boolean;
	/** True once another process took the lock over (this one stalled past the stale time). */
	readonly compromised: boolean;
	readonly compromisedReason: string | undefined;
	/**
	 * Throws STATE_STALE_WRITER unless this process still holds the lock: not
	 * marked compromised, and the lock folder still carries this acquisition's
	 * token (a takeover replaces the folder).
	 */
	verifyHeld(): Promise<void>;
};

type InternalHandle = LockHandle & {released: boolean; compromised: boolean; compromisedReason: string | undefined};

/** Locks held along the current async call chain, by lock folder. */
const heldInContext = new AsyncLocalStorage<Map<string, InternalHandle>>();
/**
 * Per lock folder, the promise the next in-process caller waits for. Module
 * wide, so that two Store objects on one workspace also queue in-process.
 */
const tails = new Map<string, Promise<void>>();

/** The lock folder for a lock name (a state file name like 'queue/abc.json' or a word like 'workspace'). */
export function lockDirFor(locksDir: string, name: string): string {
	return path.join(locksDir, `${encodeURIComponent(name)}.lock`);
}

/**
 * Named cross-process locks under one folder (<root>/.cws/locks): a
 * proper-lockfile lock per name (see lock-fs.ts for how its folder is
 * made), retried with backoff and jitter up to `wait`, plus an in-process
 * queue per name so that concurrent callers in one process wait their turn
 * instead of spinning on the file system. Reentrant along one async call
 * chain. A lock whose holder died on this host is taken over at once;
 * one whose holder hangs, after `stale`.
 */
export class LockManager {
	readonly locksDir: string;
	readonly timing: LockTiming;
	private readonly lockFs: ReturnType<typeof createLockFs>;

	constructor(locksDir: string, timing: Partial<LockTiming> = {}) {
		this.locksDir = locksDir;
		const stale = Math.max(timing.stale ?? DEFAULT_LOCK_TIMING.stale, 2000);
		this.timing = {
			stale,
			update: Math.max(Math.min(timing.update ?? stale / 4, stale / 2), 1000),
			wait: timing.wait ?? DEFAULT_LOCK_TIMING.wait,
		};
		this.lockFs = createLockFs(stale);
	}

	/** Runs `fn` while holding lock `name`; released whatever `fn` does. */
	async withLock<R>(name: string, fn: (handle: LockHandle) => Promise<R>): Promise<R> {
		const lockDir = lockDirFor(this.locksDir, name);
		const outer = heldInContext.getStore();
		const already = outer?.get(lockDir);
		if (already?.compromised) {
			throw staleWriter(name, `its lock was taken over by another process (${already.compromisedReason ?? 'not refreshed in time'})`);
		}

		if (already && !already.released) {
			return fn(already);
		}

		const deadline = Date.now() + this.timing.wait;
		return this.queued(name, lockDir, deadline, async () => {
			const {handle, release} = await this.acquire(name, lockDir, deadline);
			let result: R;
			try {
				const held = new Map(outer ?? []);
				held.set(lockDir, handle);
				result = await heldInContext.run(held, async () => fn(handle));
			} catch (error) {
				// The operation's own error matters more than a failed release.
				await release().catch(() => undefined);
				throw error;
			}

			await release();
			return result;
		});
	}

	private async queued<R>(name: string, lockDir: string, deadline: number, task: () => Promise<R>): Promise<R> {
		const previous = tails.get(lockDir) ?? Promise.resolve();
		let leave!: () => void;
		const mine = new Promise<void>(resolve => {
			leave = resolve;
		});
		// The next caller waits for both, so leaving early on a timeout keeps the order.
		const tail = previous.then(async () => mine);
		tails.set(lockDir, tail);
		try {
			let timer: NodeJS.Timeout | undefined;
			const timedOut = new Promise<'timeout'>(resolve => {
				timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
			});
			const outcome = await Promise.race([previous.then(() => 'ready' as const), timedOut]);
			clearTimeout(timer);
			if (outcome === 'timeout') {
				throw this.timeoutError(name, 'another operation of this cws process');
			}

			return await task();
		} finally {
			leave();
			if (tails.get(lockDir) === tail) {
				tails.delete(lockDir);
			}
		}
	}

	private async acquire(name: string, lockDir: string, deadline: number): Promise<{handle: InternalHandle; release: () => Promise<void>}> {
		const {fs, held} = this.lockFs;
		let token = '';
		const handle: InternalHandle = {
			name,
			released: false,
			compromised: false,
			compromisedReason: undefined,
			async verifyHeld() {
				if (handle.compromised) {
					throw staleWriter(name, `its lock was taken over by another process (${handle.compromisedReason ?? 'not refreshed in time'})`);
				}

				if (readOwnerSync(lockDir)?.token !== token) {
					throw staleWriter(name, 'its lock was taken over by another process');
				}
			},
		};
		let delay = 2;
		let ensured = false;
		let lastHolderCheck = 0;
		for (;;) {
			try {
				const release = await lockfile.lock(lockDir, {
					realpath: false,
					lockfilePath: lockDir,
					stale: this.timing.stale,
					update: this.timing.update,
					retries: 0,
					fs,
					// proper-lockfile's default throws inside a timer and kills the process.
					onCompromised(error) {
						handle.compromised = true;
						handle.released = true;
						handle.compromisedReason = error.message;
						if (held.get(lockDir) === token) {
							held.delete(lockDir);
						}
					},
				});
				token = held.get(lockDir) ?? '';
				return {handle, release: async () => this.release(handle, lockDir, release)};
			} catch (error) {
				const code = errnoCode(error);
				if (code === 'ENOENT' && !ensured) {
					ensured = true;
					await ensurePrivateDir(this.locksDir);
					continue;
				}

				if (code !== 'ELOCKED' && code !== 'EEXIST') {
					throw toFsError(error, lockDir, 'take the lock');
				}
			}

			// Checking the holder costs a read and a /proc lookup: not on every poll.
			if (Date.now() - lastHolderCheck >= HOLDER_CHECK_INTERVAL) {
				lastHolderCheck = Date.now();
				if (await takeOverDeadHolder(lockDir)) {
					continue;
				}
			}

			const remaining = deadline - Date.now();
			if (remaining <= 0) {
				throw this.timeoutError(name, await describeHolder(lockDir));
			}

			// Exponential backoff with jitter so that waiting processes do not retry in step.
			// (Waking every waiter on each change of the folder, with fs.watch, was measured
			// slower: with several processes queued they all woke for each hand-over. So was
			// one waiter watching the holder's lock file: it took the lock at once, but its
			// fsync then queued behind the previous holder's folder fsync in the journal, and
			// the time saved between holders came back, and more, inside the lock. A state
			// update costs two flushes of the disk either way, and the store now holds the
			// lock through both.)
			await sleep(Math.min(remaining, (delay / 2) + (Math.random() * delay / 2)));
			delay = Math.min(delay * 2, 100);
		}
	}

	private async release(handle: InternalHandle, lockDir: string, release: () => Promise<void>): Promise<void> {
		if (handle.released) {
			return;
		}

		handle.released = true;
		try {
			await release();
		} catch (error) {
			if (errnoCode(error) !== 'ERELEASED') {
				throw new CwsError('LOCK_RELEASE_FAILED', `The operation completed, but releasing lock ${lockDir} failed: ${error instanceof Error ? error.message : String(error)}`, {
					hint: `Other cws processes will take the lock over within ${Math.round(this.timing.stale / 1000)} s; \`cws verify --repair\` removes it.`,
					cause: error,
				});
			}
		}
	}

	private timeoutError(name: string, holder: string): CwsError {
		return new CwsError('LOCK_TIMEOUT', `Gave up waiting for lock "${name}" after ${Math.round(this.timing.wait / 1000)} s: it is held by ${holder}.`, {
			hint: `Retry when that operation has finished. A lock whose holder hangs is taken over after ${Math.round(this.timing.stale / 1000)} s, or removed by \`cws verify --repair\`.`,
		});
	}
}

/** Whether a lock's recorded holder is a process of this host that is gone. */
export function isDeadHolder(owner: LockOwner | undefined): owner is LockOwner {
	return owner !== undefined && owner.host === os.hostname() && !isProcessAlive(owner.pid, owner.start);
}

/**
 * Removes a lock whose holder died (SIGKILL, crash) so it need not wait
 * for the stale time; only if the folder still names that holder.
 */
export async function takeOverDeadHolder(lockDir: string): Promise<boolean> {
	// Synchronous from the read to the removal: a holder that released and
	// exited meanwhile must not get its successor's lock moved aside.
	const owner = readOwnerSync(lockDir);
	if (!isDeadHolder(owner)) {
		return false;
	}

	const outcome = removeLockIfSync(lockDir, aside => readOwnerSync(aside)?.token !== owner.token);
	return outcome !== 'kept';
}

function staleWriter(name: string, why: string): CwsError {
	return new CwsError('STATE_STALE_WRITER', `Refused to write "${name}": ${why} while this operation was stalled, so another writer may have changed it.`, {
		hint: 'Nothing was written by this operation. Retry it: it will start from the current state.',
	});
}

async function describeHolder(lockDir: string): Promise<string> {
	const owner = await readOwner(lockDir);
	if (!owner) {
		return 'an unknown process';
	}

	const where = owner.host === os.hostname() ? '' : ` on ${owner.host}`;
	return `process ${owner.pid}${where} since ${owner.since}`;
}
