import type {CommandResult} from '../exec.js';
import type {Job, JobError, RunOutcome, Target} from '../types.js';

/** What a runner gets for one run of one job. */
export type RunContext = {
	job: Job;
	project: string;
	/** Absolute path of the project folder (checked to be inside the workspace). */
	projectDir: string;
	/** <root>/.cws/exports: clones of public repositories, one per project. */
	exportsDir: string;
	/** Aborted when the job is cancelled or the worker stops. */
	signal: AbortSignal;
	/**
	 * Runs an external command with the hardened environment, the target's
	 * timeout and the cancel signal, and records it in the job's log.
	 */
	run(argv: readonly string[], options: {cwd: string; captureStdout?: boolean; env?: Record<string, string>}): Promise<CommandResult>;
	/** Adds a line to the job's log. */
	note(message: string): Promise<void>;
	/**
	 * True once the project folder is no longer the one this run started in
	 * (renamed to another stage, or gone). A runner asks before an
	 * irreversible step whose input it read from the folder (an export's
	 * push). Present when the runner is wrapped by followProject.
	 */
	folderMoved?: () => Promise<boolean>;
};

/** Does the work of one target kind. Throwing counts as a transient failure. */
export type Runner<T extends Target = Target> = (target: T, context: RunContext) => Promise<RunOutcome>;

export function done(message: string, head?: string): RunOutcome {
	return head === undefined ? {status: 'done', message} : {status: 'done', message, head};
}

export function retry(code: string, message: string, hint?: string): RunOutcome {
	return {status: 'retry', error: jobError(code, message, hint)};
}

export function dead(code: string, message: string, hint?: string): RunOutcome {
	return {status: 'dead', error: jobError(code, message, hint)};
}

export function conflict(code: string, message: string, resolution: string[], hint?: string): RunOutcome {
	return {status: 'conflict', error: jobError(code, message, hint), resolution};
}

function jobError(code: string, message: string, hint: string | undefined): JobError {
	return hint === undefined ? {code, message} : {code, message, hint};
}

/** Quotes a word for a command line the user may paste into a POSIX shell. */
export function shellQuote(word: string): string {
	return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll('\'', '\'\\\'\'')}'`;
}

/**
 * A target value that would reach git, rsync or ssh looking like an option.
 * The config refuses these already; runners check again because a job file
 * outlives the config that produced it.
 */
export function refuseOptionLike(values: Record<string, string | undefined>, project: string): RunOutcome | undefined {
	for (const [what, value] of Object.entries(values)) {
		if (value?.startsWith('-')) {
			return dead('BAD_TARGET', `Refused to sync ${project}: the ${what} ${JSON.stringify(value)} starts with '-' and would be read as an option.`,
				'Fix the target in .cws/config.json, then retry the job.');
		}
	}

	return undefined;
}
