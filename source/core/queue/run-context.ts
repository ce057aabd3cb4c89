import path from 'node:path';
import {hardenedEnv, runCommand, type CommandResult, type CommandRunner, type SpawnedCommand} from './exec.js';
import type {RunContext} from './runners/types.js';
import type {Job, LogEntry} from './types.js';

/**
 * What the queue needs of a command recorder; the shell's CommandLog
 * (source/core/command-log.ts) fits.
 */
export type CommandRecorder = {
	begin(command: string, args: readonly string[], options: {cwd?: string; source?: string}): {
		end(outcome: {exitCode?: number; signal?: string; error?: string}): void;
	};
};

const silentRecorder: CommandRecorder = {begin: () => ({end() {}})};

export type RunContextOptions = {
	job: Job;
	projectDir: string;
	exportsDir: string;
	signal: AbortSignal;
	timeoutMs: number;
	/** Base environment (default process.env), hardened before use. */
	env?: NodeJS.ProcessEnv;
	exec?: CommandRunner;
	/** Appends to the job's log. */
	log: (entry: LogEntry) => Promise<void>;
	/** The program's record of every external command it ran (the TUI passes its command log). */
	commandLog?: CommandRecorder;
	/** Told when a command starts and ends, so the lease can name it for orphan clean-up. */
	onSpawn?: (spawned: SpawnedCommand | undefined) => void;
};

/**
 * The context a runner gets: every command it starts goes through here, so
 * every one runs hardened and bounded and lands in the job's log and in the
 * program's command log.
 */
export function createRunContext(options: RunContextOptions): RunContext {
	const {job} = options;
	const exec = options.exec ?? runCommand;
	const log = options.commandLog ?? silentRecorder;
	// git must not find a repository above the project (a workspace inside one).
	const env = {...hardenedEnv(options.env ?? process.env), GIT_CEILING_DIRECTORIES: path.dirname(options.projectDir)};
	return {
		job,
		project: job.project,
		projectDir: options.projectDir,
		exportsDir: options.exportsDir,
		signal: options.signal,
		async run(argv, runOptions): Promise<CommandResult> {
			const [command = '', ...args] = argv;
			const handle = log.begin(command, args, {cwd: runOptions.cwd, source: 'queue'});
			let result: CommandResult;
			try {
				result = await exec(argv, {
					cwd: runOptions.cwd,
					env: runOptions.env ? {...env, ...runOptions.env} : env,
					timeoutMs: options.timeoutMs,
					signal: options.signal,
					...(options.onSpawn ? {onSpawn: options.onSpawn} : {}),
					...(runOptions.captureStdout ? {captureStdout: true} : {}),
				});
			} catch (error) {
				handle.end({error: error instanceof Error ? error.message : String(error)});
				throw error;
			}

			handle.end({
				...(result.exitCode === undefined ? {} : {exitCode: result.exitCode}),
				...(result.signal === undefined ? {} : {signal: result.signal}),
				...(result.timedOut ? {error: 'timed out'} : result.error ? {error: result.error} : {}),
			});
			const {stdout: _omitted, ...record} = result;
			await options.log({type: 'command', at: Date.now(), attempt: job.attempt, claim: job.claim, ...record});
			return result;
		},
		async note(message) {
			await options.log({type: 'note', at: Date.now(), attempt: job.attempt, message});
		},
	};
}
