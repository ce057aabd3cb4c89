import {AsyncLocalStorage} from 'node:async_hooks';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {readFile, stat, unlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import {ensurePrivateDir, PRIVATE_FILE_MODE, toFsError} from './atomic-write.js';
import {CwsError, errnoCode} from './errors.js';

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

/** Who holds (or last held) a lock, as its holder recorded it. */
export type LockOwner = {pid: number; host: string; start?: string; since: string; ino: string; birth: string};

/** A held lock. */
export type LockHandle = {
	readonly name: string;
	/** True once the lock was lost (another process took it over) or released. */
	readonly released: boolean;
	readonly compromised: boolean;
	/** Why the lock was lost, when it was. */
	readonly compromisedReason: string | undefined;
	/**
	 * Throws STATE_STALE_WRITER unless this process still holds the lock: the
	 * handle was not marked compromised and the lock folder is still the one
	 * it created (a takeover removes it and makes a new one).
	 */
	verifyHeld(): Promise<void>;
};

type InternalHandle = LockHandle & {released: boolean; compromised: boolean; compromisedReason: string | undefined};

const heldInContext = new AsyncLocalStorage<Map<string, InternalHandle>>();

/** Lock file names for a lock name (a state file name like 'queue/abc.json' or a word like 'workspace'). */
export function lockPaths(locksDir: string, name: string): {target: string; lockDir: string; owner: string} {
	const base = encodeURIComponent(name);
	return {
		target: path.join(locksDir, base),
		lockDir: path.join(locksDir, `${base}.lock`),
		owner: path.join(locksDir, `${base}.owner`),
	};
}

/**
 * Named cross-process locks under one folder (<root>/.cws/locks): a
 * proper-lockfile mkdir lock per name, plus an in-process queue per name so
 * that concurrent callers in one process wait their turn instead of
 * spinning on mkdir. Locks are reentrant along one async call chain.
 */
export class LockManager {
	readonly locksDir: string;
	readonly timing: LockTiming;
	private readonly tails = new Map<string, Promise<void>>();

	constructor(locksDir: string, timing: Partial<LockTiming> = {}) {
		this.locksDir = locksDir;
		const stale = Math.max(timing.stale ?? DEFAULT_LOCK_TIMING.stale, 2000);
		this.timing = {
			stale,
			update: Math.max(Math.min(timing.update ?? stale / 4, stale / 2), 1000),
			wait: timing.wait ?? DEFAULT_LOCK_TIMING.wait,
		};
	}

	/** Runs `fn` while holding lock `name`; released whatever `fn` does. */
	async withLock<R>(name: string, fn: (handle: LockHandle) => Promise<R>): Promise<R> {
		const outer = heldInContext.getStore();
		const already = outer?.get(name);
		if (already?.compromised) {
			throw staleWriter(name, `its lock was taken over by another process (${already.compromisedReason ?? 'not refreshed in time'})`);
		}

		if (already && !already.released) {
			return fn(already);
		}

		const deadline = Date.now() + this.timing.wait;
		return this.queued(name, deadline, async () => {
			const {handle, release} = await this.acquire(name, deadline);
			let result: R;
			try {
				const held = new Map(outer ?? []);
				held.set(name, handle);
				result = await heldInContext.run(held, async () => fn(handle));
			} catch (error) {
				await release().catch(() => undefined);
				throw error;
			}

			await release();
			return result;
		});
	}

	private async queued<R>(name: string, deadline: number, task: () => Promise<R>): Promise<R> {
		const previous = this.tails.get(name) ?? Promise.resolve();
		let leave!: () => void;
		const mine = new Promise<void>(resolve => {
			leave = resolve;
		});
		// The next caller waits for both: leaving early on a timeout keeps the order.
		const tail = previous.then(async () => mine);
		this.tails.set(name, tail);
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
			if (this.tails.get(name) === tail) {
				this.tails.delete(name);
			}
		}
	}

	private async acquire(name: string, deadline: number): Promise<{handle: InternalHandle; release: () => Promise<void>}> {
		const paths = lockPaths(this.locksDir, name);
		const handle: InternalHandle = {
			name,
			released: false,
			compromised: false,
			compromisedReason: undefined,
			verifyHeld: async () => verifyHeld(handle, paths.lockDir, identity),
		};
		let identity = '';
		let delay = 2;
		let ensured = false;
		for (;;) {
			try {
				const release = await lockfile.lock(paths.target, {
					realpath: false,
					lockfilePath: paths.lockDir,
					stale: this.timing.stale,
					update: this.timing.update,
					retries: 0,
					// proper-lockfile's default throws inside a timer and kills the process.
					onCompromised(error) {
						handle.compromised = true;
						handle.released = true;
						handle.compromisedReason = error.message;
					},
				});
				identity = await this.recordOwner(paths);
				return {
					handle,
					release: async () => {
						if (handle.released) {
							return;
						}

						handle.released = true;
						await unlink(paths.owner).catch(() => undefined);
						try {
							await release();
						} catch (error) {
							if (errnoCode(error) !== 'ERELEASED') {
								throw new CwsError('LOCK_RELEASE_FAILED', `The operation completed, but releasing lock ${paths.lockDir} failed: ${error instanceof Error ? error.message : String(error)}`, {
									hint: `Other cws processes will take the lock over within ${Math.round(this.timing.stale / 1000)} s; \`cws verify --repair\` removes it.`,
									cause: error,
								});
							}
						}
					},
				};
			} catch (error) {
				const code = errnoCode(error);
				if (code === 'ENOENT' && !ensured) {
					ensured = true;
					await ensurePrivateDir(this.locksDir);
					continue;
				}

				if (code !== 'ELOCKED') {
					throw toFsError(error, paths.lockDir, 'take the lock');
				}
			}

			const remaining = deadline - Date.now();
			if (remaining <= 0) {
				throw this.timeoutError(name, await describeHolder(paths));
			}

			// Exponential backoff with jitter so that waiting processes do not retry in step.
			await sleep(Math.min(remaining, (delay / 2) + (Math.random() * delay / 2)));
			delay = Math.min(delay * 2, 100);
		}
	}

	private async recordOwner(paths: ReturnType<typeof lockPaths>): Promise<string> {
		const stats = await stat(paths.lockDir, {bigint: true});
		const owner: LockOwner = {
			pid: process.pid,
			host: os.hostname(),
			start: processStartTime(process.pid),
			since: new Date().toISOString(),
			ino: String(stats.ino),
			birth: String(stats.birthtimeNs),
		};
		// Informational (names the holder in errors, lets the sweep free a dead
		// holder's lock at once): a torn read of it only means "holder unknown".
		await writeFile(paths.owner, JSON.stringify(owner), {mode: PRIVATE_FILE_MODE}).catch(() => undefined);
		return `${owner.ino}:${owner.birth}`;
	}

	private timeoutError(name: string, holder: string): CwsError {
		return new CwsError('LOCK_TIMEOUT', `Gave up waiting for lock "${name}" after ${Math.round(this.timing.wait / 1000)} s: it is held by ${holder}.`, {
			hint: `Retry when that operation has finished. A lock left by a killed process is taken over after ${Math.round(this.timing.stale / 1000)} s, or removed by \`cws verify --repair\`.`,
		});
	}
}

async function verifyHeld(handle: InternalHandle, lockDir: string, identity: string): Promise<void> {
	if (handle.compromised) {
		throw staleWriter(handle.name, `its lock was taken over by another process (${handle.compromisedReason ?? 'not refreshed in time'})`);
	}

	let current: string;
	try {
		const stats = await stat(lockDir, {bigint: true});
		current = `${stats.ino}:${stats.birthtimeNs}`;
	} catch (error) {
		throw staleWriter(handle.name, `its lock folder is gone (${errnoCode(error) ?? String(error)})`);
	}

	if (current !== identity) {
		throw staleWriter(handle.name, 'its lock was taken over by another process');
	}
}

function staleWriter(name: string, why: string): CwsError {
	return new CwsError('STATE_STALE_WRITER', `Refused to write "${name}": ${why} while this operation was stalled, so another writer may have changed it.`, {
		hint: 'Nothing was written by this operation. Retry it: it will start from the current state.',
	});
}

/** Reads a lock's owner record; undefined when absent or unreadable. */
export async function readLockOwner(ownerFile: string): Promise<LockOwner | undefined> {
	try {
		const parsed = JSON.parse(await readFile(ownerFile, 'utf8')) as Partial<LockOwner>;
		if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.ino === 'string') {
			return parsed as LockOwner;
		}
	} catch {
		// Absent or torn: the holder is unknown, which callers say.
	}

	return undefined;
}

async function describeHolder(paths: ReturnType<typeof lockPaths>): Promise<string> {
	const owner = await readLockOwner(paths.owner);
	if (!owner) {
		return 'an unknown process';
	}

	const where = owner.host === os.hostname() ? '' : ` on ${owner.host}`;
	const alive = owner.host === os.hostname() && !isProcessAlive(owner.pid, owner.start) ? ' (which is no longer running)' : '';
	return `process ${owner.pid}${where}${alive} since ${owner.since}`;
}

/**
 * The start time of a process (field 22 of /proc/<pid>/stat, in clock
 * ticks since boot), which tells a process from a later one that reused its
 * pid. Undefined where /proc is not available.
 */
export function processStartTime(pid: number): string | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces and parentheses: split after its last ')'.
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return fields[19];
	} catch {
		return undefined;
	}
}

/**
 * Whether a process of this host is running: it exists, is not a zombie, and
 * (when `start` is given and /proc is available) is the one that recorded it.
 */
export function isProcessAlive(pid: number, start?: string): boolean {
	if (!Number.isSafeInteger(pid) || pid <= 0) {
		return false;
	}

	try {
		process.kill(pid, 0);
	} catch (error) {
		// EPERM: it exists but belongs to another user.
		return errnoCode(error) === 'EPERM';
	}

	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		if (fields[0] === 'Z' || fields[0] === 'X') {
			return false;
		}

		return start === undefined || fields[19] === start;
	} catch {
		return true;
	}
}

/** A short random token, for names that must not collide between processes. */
export function randomToken(): string {
	return randomBytes(6).toString('hex');
}
