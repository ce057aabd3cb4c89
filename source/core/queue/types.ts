import type {Stage} from '../paths.js';

/**
 * Where a job is in its life. `failed` waits for its next retry; `dead`,
 * `conflict`, `done` and `cancelled` are final until someone retries by hand.
 */
export const JOB_STATES = ['pending', 'running', 'done', 'failed', 'dead', 'conflict', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job waits in until a worker claims it. */
export const WAITING_STATES: readonly JobState[] = ['pending', 'failed'];
/** States a job ends in (until a manual retry). */
export const FINAL_STATES: readonly JobState[] = ['done', 'dead', 'conflict', 'cancelled'];

/** Push a branch to a named remote of the project's repository. */
export type GitTarget = {
	name: string;
	kind: 'git';
	/** Remote name as configured in the project's repository (default 'origin'). */
	remote: string;
	/** Branch to push; default: the branch checked out when the job runs. */
	branch?: string;
	/** Commit pending changes with a generated message before pushing (default false). */
	autoCommit: boolean;
	timeoutMs?: number;
};

/** Mirror the project folder (including .git) to a local path or host:path over ssh. */
export type RsyncTarget = {
	name: string;
	kind: 'rsync';
	/** Destination folder of this project: '/mnt/backup/p' or 'host:backups/p'. */
	dest: string;
	/** rsync --exclude patterns. */
	excludes: string[];
	timeoutMs?: number;
};

/** Publish the tracked files of a project, minus private paths, to a public repository. */
export type ExportTarget = {
	name: string;
	kind: 'export';
	/** URL or path of the public repository. */
	repo: string;
	/** Branch of the public repository (default: its default branch, or 'main' when empty). */
	branch?: string;
	/** Tracked paths (files or folders, relative to the project) never exported. */
	privatePaths: string[];
	timeoutMs?: number;
};

/**
 * A target whose runner is supplied by the caller (tests, benchmarks, plug-ins):
 * `params` is passed through untouched.
 */
export type CustomTarget = {
	name: string;
	kind: 'custom';
	runner: string;
	params: Record<string, unknown>;
	timeoutMs?: number;
};

export type Target = GitTarget | RsyncTarget | ExportTarget | CustomTarget;
export type TargetKind = Target['kind'];

/** Why a job was enqueued. */
export const JOB_REASONS = ['manual', 'stage', 'autosync', 'cexit'] as const;
export type JobReason = (typeof JOB_REASONS)[number];

/** Who holds a running job: enough to tell, later, whether that worker is still alive. */
export type Lease = {
	worker: string;
	host: string;
	pid: number;
	/** /proc/<pid>/stat field 22 (clock ticks since boot); tells a reused pid apart. */
	startTime: string;
	claimedAt: number;
};

export type JobError = {code: string; message: string; hint?: string};

/** One sync job as stored in .cws/queue/<id>.json. */
export type Job = {
	id: string;
	project: string;
	/** The project's stage when the job was enqueued. */
	stage: Stage | undefined;
	target: Target;
	reason: JobReason;
	state: JobState;
	/** Runs started so far in the current round (reset by a manual retry of a final job). */
	attempt: number;
	maxAttempts: number;
	/**
	 * Claim token: grows by one at every claim and is never reused, so a lease
	 * file name `<id>.<claim>` can be created exclusively exactly once.
	 */
	claim: number;
	createdAt: number;
	updatedAt: number;
	/** Not before this time (backoff). */
	dueAt: number;
	/** First time any worker started it: the wait statistic is firstStartedAt − createdAt. */
	firstStartedAt?: number;
	startedAt?: number;
	finishedAt?: number;
	lease?: Lease;
	cancelRequested?: boolean;
	lastError?: JobError;
	/** Commands the user can run to resolve a conflict. */
	resolution?: string[];
	/** What the last successful run left behind (e.g. the pushed commit). */
	result?: {message: string; head?: string};
};

/** What a runner reports. Throwing counts as a transient failure (retry). */
export type RunOutcome =
	| {status: 'done'; message: string; head?: string}
	| {status: 'retry'; error: JobError}
	| {status: 'dead'; error: JobError}
	| {status: 'conflict'; error: JobError; resolution: string[]};

/** One external command as recorded in a job's log. */
export type CommandRecord = {
	argv: string[];
	cwd: string;
	exitCode: number | undefined;
	signal: string | undefined;
	timedOut: boolean;
	durationMs: number;
	stdoutTail: string;
	stderrTail: string;
	error?: string;
};

/** A line of .cws/queue/logs/<id>.jsonl. */
export type LogEntry =
	| ({type: 'command'; at: number; attempt: number; claim: number} & CommandRecord)
	| {type: 'state'; at: number; attempt: number; from: JobState | undefined; to: JobState; message: string; worker?: string}
	| {type: 'note'; at: number; attempt: number; message: string};
