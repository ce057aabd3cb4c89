/**
 * A record of every external command the program runs (git, rsync, ssh) and
 * every signal it sends, with exit code and duration, so a person can see
 * exactly what was done on their behalf (the TUI's command log overlay, `@`).
 *
 * Kept in memory, bounded; modules that run commands call `begin()` before
 * and `end()` after, or wrap the call with `logCommand()`.
 */

/** One recorded command or signal. */
export type CommandLogEntry = {
	id: number;
	kind: 'exec' | 'signal';
	/** Program, e.g. 'git', or for a signal 'kill'. */
	command: string;
	args: readonly string[];
	cwd?: string;
	/** Which module ran it: 'queue', 'processes', 'board' … */
	source?: string;
	startedAt: number;
	status: 'running' | 'ok' | 'failed';
	exitCode?: number;
	signal?: string;
	durationMs?: number;
	/** First line of the error when it failed without an exit code (spawn error, timeout). */
	error?: string;
};

/** How a running entry ended. */
export type CommandOutcome = {exitCode?: number; signal?: string; error?: string};

/** The recorder. Listeners are called after every change (for useSyncExternalStore). */
export class CommandLog {
	private list: CommandLogEntry[] = [];
	private nextId = 1;
	private readonly listeners = new Set<() => void>();

	constructor(
		private readonly capacity = 500,
		private readonly now: () => number = Date.now,
	) {}

	/** Records the start of a command; call the returned `end` when it finishes. */
	begin(
		command: string,
		args: readonly string[],
		options: {kind?: CommandLogEntry['kind']; cwd?: string; source?: string} = {},
	): {id: number; end: (outcome: CommandOutcome) => void} {
		const entry: CommandLogEntry = {
			id: this.nextId++,
			kind: options.kind ?? 'exec',
			command,
			args: [...args],
			...(options.cwd === undefined ? {} : {cwd: options.cwd}),
			...(options.source === undefined ? {} : {source: options.source}),
			startedAt: this.now(),
			status: 'running',
		};
		this.list = [...this.list, entry].slice(-this.capacity);
		this.emit();
		let ended = false;
		return {
			id: entry.id,
			end: outcome => {
				if (ended) return;
				ended = true;
				const failed = outcome.error !== undefined || outcome.signal !== undefined || (outcome.exitCode ?? 0) !== 0;
				const finished: CommandLogEntry = {
					...entry,
					...outcome,
					status: failed ? 'failed' : 'ok',
					durationMs: this.now() - entry.startedAt,
				};
				this.list = this.list.map(item => (item.id === entry.id ? finished : item));
				this.emit();
			},
		};
	}

	/** Entries, oldest first. The array is replaced on every change, so it can be compared by identity. */
	entries(): readonly CommandLogEntry[] {
		return this.list;
	}

	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(): void {
		for (const listener of this.listeners) listener();
	}
}

/** The process-wide log the TUI shows. */
export const commandLog = new CommandLog();

/**
 * Runs `fn` and records it as `command args`: exit code from the result's
 * `exitCode` when it has one, the error message when it throws (rethrown).
 */
export async function logCommand<T>(
	command: string,
	args: readonly string[],
	fn: () => Promise<T>,
	options: {cwd?: string; source?: string; log?: CommandLog} = {},
): Promise<T> {
	const handle = (options.log ?? commandLog).begin(command, args, options);
	try {
		const result = await fn();
		const exitCode = (result as {exitCode?: unknown} | undefined)?.exitCode;
		handle.end({exitCode: typeof exitCode === 'number' ? exitCode : 0});
		return result;
	} catch (error) {
		const exitCode = (error as {exitCode?: unknown}).exitCode;
		const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
		handle.end(typeof exitCode === 'number' ? {exitCode, error: message} : {error: message});
		throw error;
	}
}
