import type {RetryPolicy, SyncConfig} from './config.js';
import type {CommandRunner} from './exec.js';
import type {CommandRecorder} from './run-context.js';
import type {RunnerTable} from './runners/index.js';
import type {Job} from './types.js';

export type WorkerOptions = {
	/** Run every job that is due now, then resolve (`cws queue work --once`). */
	once?: boolean;
	/** Like once, but also waits out backoffs: resolves when no job is waiting at all (cexit's final syncs, tests). */
	drain?: boolean;
	/** Jobs this worker runs at the same time (default: the config's, 2). */
	concurrency?: number;
	/** Stops the worker; what happens to running jobs is `onStop`. */
	signal?: AbortSignal;
	/** 'requeue' (default): kill running commands, put their jobs back uncounted. 'finish': let them end. */
	onStop?: StopMode;
	/** Runners by kind; custom targets name theirs in `custom`. */
	runners?: Partial<RunnerTable>;
	/** Policy; default read from .cws/config.json at start and every recovery round. */
	config?: SyncConfig;
	/** Overrides of the retry policy (tests make the backoff short). */
	retry?: Partial<RetryPolicy>;
	/** How often the queue folder is checked for changes (ms, default 250). */
	pollMs?: number;
	/** How often a running job's lease is refreshed and checked for a cancel (ms, default 2000). */
	heartbeatMs?: number;
	/** A lease of another host whose heartbeat is older than this is dead (ms, default 60 s). */
	leaseTtlMs?: number;
	/** How often jobs of dead workers are looked for (ms, default 10 s; always at start). */
	recoverEveryMs?: number;
	/** Enqueue the per-stage automatic syncs of the config (default true; checked every minute; never with once or drain). */
	autosync?: boolean;
	/** How often finished jobs past retention are removed (ms, default 10 min; always at start). */
	pruneEveryMs?: number;
	exec?: CommandRunner;
	env?: NodeJS.ProcessEnv;
	commandLog?: CommandRecorder;
	random?: () => number;
	now?: () => number;
	onEvent?: (event: WorkerEvent) => void;
};

export type StopMode = 'requeue' | 'finish';

/** What a worker reports as it goes (the TUI shows toasts; `cws queue work` prints lines). */
export type WorkerEvent =
	| {type: 'queued'; job: Job}
	| {type: 'claimed'; job: Job}
	| {type: 'finished'; job: Job}
	| {type: 'requeued'; job: Job}
	| {type: 'recovered'; job: Job}
	| {type: 'pruned'; count: number}
	| {type: 'error'; message: string};

export type WorkerSummary = {claimed: number; done: number; failed: number; dead: number; conflict: number; cancelled: number; requeued: number; recovered: number; errors: string[]};

/** A job this worker is running, for the pane (elapsed time, current command) and for cexit. */
export type RunningJob = {job: Job; startedAt: number; command: readonly string[] | undefined};
