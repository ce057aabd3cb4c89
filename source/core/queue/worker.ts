import {watch, type FSWatcher} from 'node:fs';
import {enqueueAutosync} from './autosync.js';
import {backoffDelay} from './backoff.js';
import {createConfigSource, type ConfigSource, type SyncConfig} from './config.js';
import {ensureQueueDirs, folderStamp, jobSpec, listJobs, type QueueWorkspace} from './jobs.js';
import {claimJob, newWorkerIdentity, recoverDeadWorkers, type WorkerIdentity} from './lease.js';
import {pruneJobs} from './retention.js';
import {runClaimedJob, type RunningEntry} from './run-job.js';
import {DEFAULT_RUNNERS} from './runners/index.js';
import {WAITING_STATES, type Job} from './types.js';
import type {RunningJob, StopMode, WorkerEvent, WorkerOptions, WorkerSummary} from './worker-types.js';

export type {RunningJob, StopMode, WorkerEvent, WorkerOptions, WorkerSummary} from './worker-types.js';

/** How long due jobs of one listing are claimed from before the folder is listed again (ms). */
const LEFTOVER_MS = 1000;
/**
 * With the queue folder watched, how often it is still checked in case an
 * event was missed (ms): inotify loses events only when its queue overflows,
 * and each idle wake of an open interface costs CPU (a worker runs in every
 * interface), so the check is rare; jobs due at a time wake the loop then.
 */
const SAFETY_POLL_MS = 10_000;
/** Unwatched, the queue is listed at least this often even if its folder's stamp did not change (ms). */
const UNWATCHED_SCAN_MS = 5000;
/** A burst of writes in the queue folder wakes the loop once, this long after its first event (ms). */
const WATCH_SETTLE_MS = 50;

/**
 * A queue worker: claims due jobs up to its concurrency, runs them, retries
 * with backoff, recovers jobs of dead workers and prunes old ones. Any number
 * of workers (TUIs, `cws queue work`) can share a workspace.
 */
export class QueueWorker {
	private readonly ws: QueueWorkspace;
	private readonly options: WorkerOptions;
	private readonly inflight = new Map<string, RunningEntry>();
	/** Jobs whose run is over and whose end is being written and made durable: they no longer hold a slot. */
	private readonly settling = new Map<string, RunningEntry>();
	private readonly summary: WorkerSummary = {claimed: 0, done: 0, failed: 0, dead: 0, conflict: 0, cancelled: 0, requeued: 0, recovered: 0, errors: []};
	private readonly configSource: ConfigSource;
	private identity: (WorkerIdentity & {release(): void}) | undefined;
	private stopMode: StopMode | undefined;
	private wakeUp: (() => void) | undefined;
	/** A wake that came while the loop was busy: its next sleep returns at once. */
	private woken = false;
	private started: Promise<WorkerSummary> | undefined;

	constructor(ws: QueueWorkspace, options: WorkerOptions = {}) {
		this.ws = ws;
		this.options = options;
		this.configSource = options.config
			? {current: async () => options.config!, reload: async () => options.config!}
			: createConfigSource(ws.paths, ws.store, message => {
				this.summary.errors.push(message);
				this.emit({type: 'error', message});
			});
	}

	/** Runs the loop; resolves when `once` has nothing left that is due, or after stop(). */
	async start(): Promise<WorkerSummary> {
		this.started ??= this.loop();
		return this.started;
	}

	/** Stops claiming; running jobs are put back ('requeue') or allowed to end ('finish'). */
	async stop(mode: StopMode = this.options.onStop ?? 'requeue'): Promise<WorkerSummary> {
		this.stopMode ??= mode;
		this.wake();
		return this.started ?? this.summary;
	}

	/** Scan the queue now (e.g. right after enqueuing from the same process). */
	wake(): void {
		this.woken = true;
		this.wakeUp?.();
	}

	/** Jobs this worker is running right now. */
	running(): RunningJob[] {
		return [...this.inflight.values()].map(entry => ({job: entry.job, startedAt: entry.startedAt, command: entry.command}));
	}

	private now(): number {
		return (this.options.now ?? Date.now)();
	}

	private async loop(): Promise<WorkerSummary> {
		const options = this.options;
		const signal = options.signal;
		const onAbort = () => void this.stop();
		signal?.addEventListener('abort', onAbort, {once: true});
		if (signal?.aborted) {
			this.stopMode ??= options.onStop ?? 'requeue';
		}

		this.identity = newWorkerIdentity();
		const pollMs = options.pollMs ?? 250;
		let lastRecover = Number.NEGATIVE_INFINITY;
		let lastPrune = Number.NEGATIVE_INFINITY;
		let lastAutosync = Number.NEGATIVE_INFINITY;
		let lastScan = Number.NEGATIVE_INFINITY;
		let lastStamp = '';
		let nextDue = Number.POSITIVE_INFINITY;
		let waitingLeft = true;
		let watcher: FSWatcher | undefined;
		let settle: NodeJS.Timeout | undefined;
		try {
			await ensureQueueDirs(this.ws);
			// Any enqueue, claim or end is a rename or unlink in the queue folder, so a
			// watched folder wakes the loop when something happens instead of it
			// looking several times a second; the slow poll covers a missed event.
			try {
				watcher = watch(this.ws.paths.queue, {persistent: false}, () => {
					settle ??= setTimeout(() => {
						settle = undefined;
						this.wake();
					}, WATCH_SETTLE_MS);
				});
				watcher.on('error', () => {
					watcher?.close();
					watcher = undefined;
				});
			} catch {
				// Not watchable (some network file systems): poll at the fast cadence.
				watcher = undefined;
			}

			while (this.stopMode === undefined) {
				const now = this.now();
				if (now - lastRecover >= (options.recoverEveryMs ?? 10_000)) {
					lastRecover = now;
					await this.guard(async () => this.recover(now));
				}

				if (now - lastPrune >= (options.pruneEveryMs ?? 600_000)) {
					lastPrune = now;
					await this.guard(async () => this.prune(now));
				}

				if (options.autosync !== false && !options.once && !options.drain && now - lastAutosync >= 60_000) {
					lastAutosync = now;
					await this.guard(async () => this.autosync(now));
				}

				const stamp = await folderStamp(this.ws.paths.queue);
				const config = await this.currentConfig();
				const concurrency = options.concurrency ?? config.concurrency;
				let dueLeft = false;
				const finishing = options.once === true || options.drain === true;
				const mustScan = stamp !== lastStamp || now >= nextDue || now - lastScan >= (watcher ? SAFETY_POLL_MS : UNWATCHED_SCAN_MS) || (finishing && this.inflight.size === 0);
				if (this.inflight.size < concurrency && mustScan) {
					lastStamp = stamp;
					lastScan = now;
					const scan = await this.guard(async () => this.fill(concurrency, config));
					nextDue = scan?.nextDue ?? now + pollMs;
					dueLeft = scan?.dueLeft ?? true;
					waitingLeft = scan?.waitingLeft ?? true;
				} else {
					dueLeft = this.inflight.size >= concurrency;
				}

				if (finishing && this.inflight.size === 0 && this.settling.size === 0 && !dueLeft && lastScan === now && !(options.drain && waitingLeft)) {
					break;
				}

				const wait = options.pollMs ?? (watcher && !dueLeft ? SAFETY_POLL_MS : pollMs);
				await this.sleep(Math.max(1, Math.min(wait, nextDue - this.now())));
			}
		} finally {
			watcher?.close();
			clearTimeout(settle);
			signal?.removeEventListener('abort', onAbort);
			if ((this.stopMode ?? 'finish') === 'requeue') {
				for (const entry of this.inflight.values()) {
					entry.stop('requeue');
				}
			}

			await Promise.allSettled([...this.inflight.values(), ...this.settling.values()].map(async entry => entry.finished));
			this.identity.release();
		}

		return this.summary;
	}

	/**
	 * Due jobs of the last listing not claimed yet, oldest first, and when
	 * that listing was made. Listing costs a stat per job file whenever the
	 * folder changed, and every claim, end and enqueue changes it, so a
	 * worker that listed after each job paid for the whole queue (finished
	 * jobs included) per job. The jobs left over are claimed first; each is
	 * re-read right before its claim (the claim itself is a compare-and-set,
	 * so a job taken or cancelled meanwhile is skipped), and the folder is
	 * listed again once they are used up or older than LEFTOVER_MS, so jobs
	 * enqueued meanwhile (newer, so behind them anyway) wait at most that.
	 */
	private leftover: {jobs: Job[]; at: number; nextDue: number} | undefined;

	/** Claims and starts due jobs until the slots are full. */
	private async fill(concurrency: number, config: SyncConfig): Promise<{nextDue: number; dueLeft: boolean; waitingLeft: boolean}> {
		let now = this.now();
		let nextDue: number;
		let waitingLeft = true;
		let order: Job[];
		if (this.leftover && this.leftover.jobs.length > 0 && now - this.leftover.at < LEFTOVER_MS) {
			order = this.leftover.jobs;
			nextDue = this.leftover.nextDue;
		} else {
			const {jobs} = await listJobs(this.ws);
			now = this.now();
			nextDue = Number.POSITIVE_INFINITY;
			const due: Job[] = [];
			for (const job of jobs) {
				if (!WAITING_STATES.includes(job.state) || job.cancelRequested || this.isMine(job.id)) {
					continue;
				}

				if (job.dueAt <= now) {
					due.push(job);
				} else {
					nextDue = Math.min(nextDue, job.dueAt);
				}
			}

			waitingLeft = due.length > 0 || nextDue !== Number.POSITIVE_INFINITY;
			due.sort((a, b) => a.dueAt - b.dueAt || a.createdAt - b.createdAt);
			// Oldest first, but each worker starts at a random one of the first few,
			// so that workers sharing a queue do not all race for the same job.
			const offset = Math.floor((this.options.random ?? Math.random)() * Math.min(due.length, 8));
			order = [...due.slice(offset), ...due.slice(0, offset)];
			this.leftover = {jobs: order, at: now, nextDue};
		}

		let dueLeft = false;
		let raced = false;
		while (order.length > 0) {
			const free = concurrency - this.inflight.size;
			if (free <= 0 || this.stopMode !== undefined) {
				dueLeft = true;
				break;
			}

			// The free slots' claims run together, so their fsyncs overlap instead of queueing.
			const batch = order.splice(0, free);
			const claims = await Promise.all(batch.map(async job => this.claimFresh(job, now)));
			for (const claimed of claims) {
				if (claimed === 'raced') {
					// Someone else has it (or is claiming it): look again soon.
					raced = true;
				} else if (claimed) {
					this.summary.claimed++;
					this.emit({type: 'claimed', job: claimed});
					this.launch(claimed, config);
				}
			}
		}

		return {nextDue, dueLeft: dueLeft || raced, waitingLeft: waitingLeft || dueLeft};
	}

	/** Claims a job of the listing after checking it still waits; 'raced' when another worker got there first. */
	private async claimFresh(listed: Job, now: number): Promise<Job | 'raced' | undefined> {
		const job = (await this.ws.store.read(jobSpec(listed.id)).catch(() => ({data: null}))).data;
		if (!job || !WAITING_STATES.includes(job.state) || job.cancelRequested || job.dueAt > now || this.isMine(job.id)) {
			return undefined;
		}

		return (await claimJob(this.ws, job, this.identity!, now)) ?? 'raced';
	}

	private launch(job: Job, config: SyncConfig): void {
		const options = this.options;
		const retry = {...config.retry, ...options.retry};
		const entry = runClaimedJob({
			ws: this.ws,
			job,
			identity: this.identity!,
			runners: {...DEFAULT_RUNNERS, ...options.runners, custom: {...DEFAULT_RUNNERS.custom, ...options.runners?.custom}},
			timeoutMs: config.timeoutMs,
			heartbeatMs: options.heartbeatMs ?? 2000,
			backoff: attempt => backoffDelay(attempt, retry, options.random),
			now: () => this.now(),
			...(options.exec ? {exec: options.exec} : {}),
			...(options.env ? {env: options.env} : {}),
			...(options.commandLog ? {commandLog: options.commandLog} : {}),
			onProblem: message => {
				this.summary.errors.push(message);
				this.emit({type: 'error', message});
			},
		});
		this.inflight.set(job.id, entry);
		void entry.ran.then(() => {
			if (this.inflight.get(job.id) === entry) {
				this.inflight.delete(job.id);
				this.settling.set(job.id, entry);
				this.wake();
			}
		});
		void entry.finished.then(outcome => {
			this.inflight.delete(job.id);
			this.settling.delete(job.id);
			if (outcome.error) {
				this.summary.errors.push(outcome.error);
				this.emit({type: 'error', message: outcome.error});
			}

			if (outcome.job) {
				if (outcome.requeued) {
					this.summary.requeued++;
					this.emit({type: 'requeued', job: outcome.job});
				} else {
					const state = outcome.job.state;
					if (state === 'done' || state === 'failed' || state === 'dead' || state === 'conflict' || state === 'cancelled') {
						this.summary[state]++;
					}

					this.emit({type: 'finished', job: outcome.job});
				}
			}

			this.wake();
		});
	}

	private async recover(now: number): Promise<void> {
		const {jobs} = await listJobs(this.ws);
		const mine = new Set([...this.inflight.keys(), ...this.settling.keys()]);
		const moved = await recoverDeadWorkers(this.ws, jobs.filter(job => !mine.has(job.id)), {
			now,
			ttlMs: this.options.leaseTtlMs ?? 60_000,
			identity: this.identity!,
		});
		for (const job of moved) {
			this.summary.recovered++;
			this.emit({type: 'recovered', job});
		}

		await this.configSource.reload();
	}

	private isMine(id: string): boolean {
		return this.inflight.has(id) || this.settling.has(id);
	}

	private async prune(now: number): Promise<void> {
		const config = await this.currentConfig();
		const count = await pruneJobs(this.ws, (await listJobs(this.ws)).jobs, config.retention, now);
		if (count > 0) {
			this.emit({type: 'pruned', count});
		}
	}

	private async autosync(now: number): Promise<void> {
		const config = await this.currentConfig();
		if (Object.keys(config.autosyncMinutes).length === 0) {
			return;
		}

		for (const {job, created} of await enqueueAutosync(this.ws, config, (await listJobs(this.ws)).jobs, now)) {
			if (created) {
				this.emit({type: 'queued', job});
			}
		}
	}

	private async currentConfig(): Promise<SyncConfig> {
		return this.configSource.current();
	}

	/** Runs one step of the loop; an error (a lock timeout, a full disk) is reported, and the loop goes on. */
	private async guard<R>(step: () => Promise<R>): Promise<R | undefined> {
		try {
			return await step();
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			this.summary.errors.push(message);
			this.emit({type: 'error', message});
			return undefined;
		}
	}

	private emit(event: WorkerEvent): void {
		try {
			this.options.onEvent?.(event);
		} catch {
			// A listener's failure must not stop the queue.
		}
	}

	private async sleep(ms: number): Promise<void> {
		if (this.woken) {
			this.woken = false;
			return;
		}

		await new Promise<void>(resolve => {
			const timer = setTimeout(done, ms);
			function done() {
				clearTimeout(timer);
				resolve();
			}

			this.wakeUp = done;
		});
		this.wakeUp = undefined;
		this.woken = false;
	}
}

/** Runs a worker until `once` is through or `signal` aborts. */
export async function runWorker(ws: QueueWorkspace, options: WorkerOptions = {}): Promise<WorkerSummary> {
	return new QueueWorker(ws, options).start();
}
