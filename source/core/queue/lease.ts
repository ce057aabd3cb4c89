import {randomBytes} from 'node:crypto';
import {closeSync, constants, openSync} from 'node:fs';
import {readFile, rename, stat, unlink, utimes, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import {stagedName, unlinkQuietly, writeAll} from '../file-ops.js';
import {changeJob} from './job-write.js';
import {mutateJob, queueDirs, type QueueWorkspace} from './jobs.js';
import {appendJobLog} from './log.js';
import {hostName, isProcessAlive, killProcessGroup, processStartTimeSync} from './proc.js';
import {WAITING_STATES, type Job, type Lease} from './types.js';
import type {SpawnedCommand} from './exec.js';

/** Who a worker is: its lease names it so that others can tell whether it still lives. */
export type WorkerIdentity = {worker: string; host: string; pid: number; startTime: string};

/** A lease file: the lease plus the command group it is running, if any. */
export type LeaseRecord = Lease & {child?: SpawnedCommand};

/** Workers alive in this process (a pid check cannot tell two workers of one process apart). */
const liveWorkers = new Set<string>();

/** A new identity for a worker of this process; `release` when the worker stops. */
export function newWorkerIdentity(): WorkerIdentity & {release(): void} {
	const identity = {
		worker: `${hostName()}:${process.pid}:${randomBytes(4).toString('hex')}`,
		host: hostName(),
		pid: process.pid,
		startTime: processStartTimeSync(process.pid) ?? 'unknown',
	};
	liveWorkers.add(identity.worker);
	return {...identity, release: () => liveWorkers.delete(identity.worker)};
}

/** .cws/queue/leases/<id>.<claim>: created once, exclusively, by the worker that claims. */
export function leaseFile(ws: QueueWorkspace, id: string, claim: number): string {
	return path.join(queueDirs(ws.paths).leases, `${id}.${claim}`);
}

/**
 * Whether the worker holding `lease` still runs. On this host: its pid still
 * names the process that started at the recorded time (and, for this very
 * process, that worker has not stopped). Elsewhere, where a pid means
 * nothing: its heartbeat (the lease file's mtime) is younger than `ttlMs`.
 */
export async function holderAlive(lease: Lease, options: {heartbeatAt?: number; ttlMs: number; now: number}): Promise<boolean> {
	if (lease.host !== hostName()) {
		return options.heartbeatAt !== undefined && options.now - options.heartbeatAt < options.ttlMs;
	}

	if (lease.pid === process.pid) {
		return liveWorkers.has(lease.worker);
	}

	return isProcessAlive(lease.pid, lease.startTime);
}

/**
 * Creates the lease file exclusively (O_EXCL: one creator per claim number)
 * and writes the record into it; false when it exists already. One name
 * created, where writing a private file and hard-linking it into place cost
 * three (a create, a link, an unlink), each waiting on the disk's journal
 * while other fsyncs run. For the instant between the create and the write
 * (or for good, if the worker is killed there) the file is empty: every
 * reader takes a lease it cannot parse for a live one until its mtime is
 * 10 s old (see reapAbandonedClaim), and the job file, not the lease, says
 * who runs a job once it is claimed. The calls are synchronous (small local
 * files; see atomicWriteFile for why).
 */
async function createLeaseFile(file: string, record: LeaseRecord): Promise<boolean> {
	let fd: number;
	try {
		fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
	} catch (error) {
		if (errnoCode(error) === 'EEXIST') {
			return false;
		}

		throw error;
	}

	try {
		writeAll(fd, Buffer.from(JSON.stringify(record), 'utf8'));
	} catch (error) {
		// Not a claim after all (a full disk): free the number. The write's error
		// is the one to report; a lease that cannot be closed or removed is left
		// unreadable, which holds its number for 10 s only (see reapAbandonedClaim).
		try {
			closeSync(fd);
		} catch {
			// Reported through the write's error.
		}

		unlinkQuietly(file);
		throw error;
	}

	closeSync(fd);
	return true;
}

export async function readLease(file: string): Promise<{record: LeaseRecord | undefined; heartbeatAt: number | undefined}> {
	try {
		const [text, stats] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
		return {record: JSON.parse(text) as LeaseRecord, heartbeatAt: stats.mtimeMs};
	} catch {
		return {record: undefined, heartbeatAt: await stat(file).then(stats => stats.mtimeMs, () => undefined)};
	}
}

/**
 * Claims a waiting job for this worker, or returns undefined when it is not
 * ours to run (someone else claimed it, it was cancelled, it is not due).
 *
 * Two steps, each exclusive on its own: the lease file `<id>.<claim+1>` is
 * created with O_EXCL semantics (one creator per claim number, and claim
 * numbers are never reused), then the job is switched to running by a
 * compare-and-set under the job's lock that requires it to be still waiting
 * at claim number `claim`. Either step failing means another worker won.
 *
 * Neither step waits for the folder to reach the disk (the job file's bytes
 * do, so a name that survives a crash never points to a torn file). A claim
 * is told to nobody: if a crash of the machine undoes it, the job reads as
 * waiting at the previous claim number, and the next claim either creates
 * the same lease name again or finds the old lease file, whose holder is
 * dead, and moves past it (reapAbandonedClaim). A process killed without
 * the machine going down loses nothing that returned. Saves the two fsyncs
 * of a store update per run.
 */
export async function claimJob(ws: QueueWorkspace, job: Job, identity: WorkerIdentity, now: number): Promise<Job | undefined> {
	const claim = job.claim + 1;
	const file = leaseFile(ws, job.id, claim);
	const lease: Lease = {worker: identity.worker, host: identity.host, pid: identity.pid, startTime: identity.startTime, claimedAt: now};
	if (!(await createLeaseFile(file, lease))) {
		await reapAbandonedClaim(ws, job, claim, now);
		return undefined;
	}

	let claimed: Job | undefined;
	let from: Job['state'] = 'pending';
	try {
		claimed = await changeJob(ws, job.id, current => {
			if (!WAITING_STATES.includes(current.state) || current.claim !== claim - 1 || current.dueAt > now || current.cancelRequested) {
				return undefined;
			}

			from = current.state;
			return {
				...current,
				state: 'running',
				claim,
				attempt: current.attempt + 1,
				lease,
				startedAt: now,
				firstStartedAt: current.firstStartedAt ?? now,
				updatedAt: now,
			};
		}, 'data');
	} finally {
		if (!claimed) {
			// Ours, and the job never ran under it: free the number for the rightful claimer.
			await unlink(file).catch(() => undefined);
		}
	}

	if (!claimed) {
		return undefined;
	}

	await appendJobLog(ws, job.id, {type: 'state', at: now, attempt: claimed.attempt, from, to: 'running',
		message: `started by worker ${identity.pid} on ${identity.host} (attempt ${claimed.attempt} of ${claimed.maxAttempts})`, worker: identity.worker});
	return claimed;
}

/**
 * A lease file exists for claim number `claim` but the job still waits at
 * `claim − 1`: a worker is between its two claim steps, or died there. If it
 * died, move the job past that number (the run never started, so no attempt
 * is counted) so that the next claim can proceed.
 */
async function reapAbandonedClaim(ws: QueueWorkspace, job: Job, claim: number, now: number): Promise<void> {
	const {record, heartbeatAt} = await readLease(leaseFile(ws, job.id, claim));
	const alive = record
		? await holderAlive(record, {...(heartbeatAt === undefined ? {} : {heartbeatAt}), ttlMs: 60_000, now})
		: heartbeatAt !== undefined && now - heartbeatAt < 10_000;
	if (alive) {
		return;
	}

	const moved = await mutateJob(ws, job.id, current =>
		WAITING_STATES.includes(current.state) && current.claim === claim - 1 ? {...current, claim, updatedAt: now} : undefined);
	if (moved) {
		await appendJobLog(ws, job.id, {type: 'note', at: now, attempt: moved.attempt, message: `claim ${claim} was abandoned by a worker that died before starting the job`});
	}
}

/**
 * Refreshes the heartbeat (mtime) of a lease this worker holds. Rejects when
 * it cannot: a heartbeat that keeps failing lets a worker on another host
 * take the job over once the lease's time-to-live has passed.
 */
export async function touchLease(file: string, now: number): Promise<void> {
	const time = new Date(now);
	await utimes(file, time, time);
}

/**
 * Records (or clears) the command group a lease's job is running, for
 * clean-up if the worker dies. Rejects when the record cannot be written:
 * a worker that then dies leaves a command group nobody knows to stop.
 */
export async function recordLeaseChild(file: string, lease: Lease, child: SpawnedCommand | undefined): Promise<void> {
	const record: LeaseRecord = child ? {...lease, child} : lease;
	const temporary = stagedName(file);
	try {
		await writeFile(temporary, JSON.stringify(record), {mode: 0o600});
		await rename(temporary, file);
	} catch (error) {
		// The temp file may never have been created; the write's own error is the one to report.
		await unlink(temporary).catch(() => undefined);
		throw error;
	}
}

export type RecoverOptions = {now: number; ttlMs: number; identity?: WorkerIdentity};

/**
 * Puts the running jobs of dead workers back: pending with the attempt
 * counted (dead once the attempts are used up, cancelled if a cancel was
 * asked for). A command group the dead worker left behind is killed first,
 * so the job never runs twice at the same time. Returns the jobs it moved.
 */
export async function recoverDeadWorkers(ws: QueueWorkspace, jobs: readonly Job[], options: RecoverOptions): Promise<Job[]> {
	const moved: Job[] = [];
	for (const job of jobs) {
		if (job.state !== 'running') {
			continue;
		}

		const file = leaseFile(ws, job.id, job.claim);
		const {record, heartbeatAt} = await readLease(file);
		const lease = job.lease ?? record;
		if (lease && (await holderAlive(lease, {...(heartbeatAt === undefined ? {} : {heartbeatAt}), ttlMs: options.ttlMs, now: options.now}))) {
			continue;
		}

		if (record?.child && lease?.host === hostName()) {
			await killProcessGroup(record.child.pid, record.child.startTime);
		}

		const who = lease ? `worker ${lease.pid} on ${lease.host}` : 'an unknown worker';
		const next = await mutateJob(ws, job.id, current => {
			if (current.state !== 'running' || current.claim !== job.claim) {
				return undefined;
			}

			const {lease: _dropped, ...rest} = current;
			const error = {code: 'WORKER_DIED', message: `The ${who} running this job stopped before it finished.`};
			if (current.cancelRequested) {
				return {...rest, state: 'cancelled', finishedAt: options.now, updatedAt: options.now, lastError: error};
			}

			return current.attempt >= current.maxAttempts
				? {...rest, state: 'dead', finishedAt: options.now, updatedAt: options.now, lastError: {...error, hint: 'Run `cws queue retry <id>` to try again.'}}
				: {...rest, state: 'pending', dueAt: options.now, updatedAt: options.now, lastError: error};
		});
		if (next) {
			moved.push(next);
			await appendJobLog(ws, job.id, {type: 'state', at: options.now, attempt: next.attempt, from: 'running', to: next.state,
				message: `the ${who} holding it is gone; ${next.state === 'pending' ? 'back in the queue (the attempt counts)' : next.state}`,
				...(options.identity ? {worker: options.identity.worker} : {})});
		}
	}

	return moved;
}
