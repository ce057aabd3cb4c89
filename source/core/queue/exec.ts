import type {CommandRecord} from './types.js';
import {processStartTime} from './proc.js';

/** Default limit for one external command. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** Grace between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 2000;
/** Characters of stdout and stderr kept in a job's log. */
const TAIL_CHARS = 4000;

/** A command that has started: enough to find and kill its process group later. */
export type SpawnedCommand = {pid: number; startTime: string};

/** How runners start external commands; tests inject a fake to observe or fail them. */
export type CommandRunner = (argv: readonly string[], options: CommandOptions) => Promise<CommandResult>;

/** A command's record plus, when asked for, its whole standard output (not logged). */
export type CommandResult = CommandRecord & {stdout?: string};

/** Refuse to hold more than this much captured output in memory. */
const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;

export type CommandOptions = {
	cwd: string;
	env: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Stops the command (SIGTERM, then SIGKILL to its whole process group). */
	signal?: AbortSignal;
	/** Called once the command runs, so a lease can record it for orphan clean-up. */
	onSpawn?: (spawned: SpawnedCommand | undefined) => void;
	/** Keep the whole stdout (e.g. `git ls-files -z`), not just its tail. */
	captureStdout?: boolean;
};

/**
 * The environment every git/rsync/ssh command gets: never prompt (a prompt
 * would hang a headless worker until the timeout), ssh in batch mode, only
 * well-known git transports (no `ext::` command transport), C locale so the
 * messages we classify are stable.
 */
export function hardenedEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const ssh = base['GIT_SSH_COMMAND']?.trim();
	return {
		...base,
		GIT_TERMINAL_PROMPT: '0',
		GIT_ASKPASS: '',
		SSH_ASKPASS: '',
		SSH_ASKPASS_REQUIRE: 'never',
		// Keep the user's own ssh command (key, port) but force batch mode.
		GIT_SSH_COMMAND: ssh ? `${ssh} -o BatchMode=yes` : 'ssh -o BatchMode=yes',
		GIT_ALLOW_PROTOCOL: base['GIT_ALLOW_PROTOCOL'] ?? 'file:git:http:https:ssh',
		GIT_EDITOR: 'true',
		LC_ALL: 'C',
		LANG: 'C',
	};
}

/**
 * Runs one command: argument array (never a shell), in its own process group
 * so that a timeout or cancel kills git's or rsync's ssh children too, and a
 * record of argv, exit code, duration and the tail of its output.
 */
export const runCommand: CommandRunner = async (argv, options) => {
	const [file, ...args] = argv;
	if (file === undefined) {
		throw new TypeError('runCommand needs a program');
	}

	const {execa} = await import('execa');
	const started = Date.now();
	const tails = {stdout: '', stderr: ''};
	const captured: Buffer[] = [];
	let capturedBytes = 0;
	const subprocess = execa(file, args, {
		cwd: options.cwd,
		env: options.env,
		extendEnv: false,
		detached: true,
		stdin: 'ignore',
		buffer: false,
		reject: false,
	});
	const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
		tails[stream] = (tails[stream] + chunk.toString('utf8')).slice(-TAIL_CHARS);
	};

	subprocess.stdout?.on('data', keep('stdout'));
	if (options.captureStdout) {
		subprocess.stdout?.on('data', (chunk: Buffer) => {
			capturedBytes += chunk.length;
			if (capturedBytes <= MAX_CAPTURE_BYTES) {
				captured.push(chunk);
			}
		});
	}

	subprocess.stderr?.on('data', keep('stderr'));

	let timedOut = false;
	let stopped = false;
	let forceTimer: NodeJS.Timeout | undefined;
	const pid = subprocess.pid;
	const stop = () => {
		if (stopped || pid === undefined) {
			return;
		}

		stopped = true;
		signalGroup(pid, 'SIGTERM');
		forceTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
	};

	const timer = setTimeout(() => {
		timedOut = true;
		stop();
	}, options.timeoutMs);
	const onAbort = () => stop();
	options.signal?.addEventListener('abort', onAbort, {once: true});
	if (options.signal?.aborted) {
		stop();
	}

	if (pid !== undefined && options.onSpawn) {
		const startTime = await processStartTime(pid);
		options.onSpawn(startTime === undefined ? undefined : {pid, startTime});
	}

	try {
		const result = await subprocess;
		if (stopped && pid !== undefined) {
			// The leader is gone; make sure nothing it started outlives it.
			signalGroup(pid, 'SIGKILL');
		}

		const spawnError = result.exitCode === undefined && result.signal === undefined;
		return {
			argv: [...argv],
			cwd: options.cwd,
			exitCode: result.exitCode,
			signal: result.signal,
			timedOut,
			durationMs: Date.now() - started,
			stdoutTail: tails.stdout,
			stderrTail: tails.stderr,
			...(spawnError ? {error: result.shortMessage ?? result.message} : {}),
			...(options.captureStdout ? {stdout: Buffer.concat(captured).toString('utf8')} : {}),
			...(capturedBytes > MAX_CAPTURE_BYTES ? {error: `output larger than ${MAX_CAPTURE_BYTES} bytes`, exitCode: undefined} : {}),
		};
	} finally {
		clearTimeout(timer);
		clearTimeout(forceTimer);
		options.signal?.removeEventListener('abort', onAbort);
		options.onSpawn?.(undefined);
	}
};

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// Already gone.
	}
}

/** True when the command ran and exited 0. */
export function succeeded(record: CommandRecord): boolean {
	return record.exitCode === 0 && !record.timedOut;
}

/** A one-line account of a failed command for an error message. */
export function describeFailure(record: CommandRecord): string {
	const what = record.argv.slice(0, 2).join(' ');
	if (record.timedOut) {
		return `\`${what}\` timed out after ${Math.round(record.durationMs / 1000)} s`;
	}

	if (record.error) {
		return `\`${what}\` could not run: ${record.error}`;
	}

	const last = lastLine(record.stderrTail) ?? lastLine(record.stdoutTail);
	const status = record.signal ? `was killed by ${record.signal}` : `exited with ${record.exitCode}`;
	return last ? `\`${what}\` ${status}: ${last}` : `\`${what}\` ${status}`;
}

function lastLine(text: string): string | undefined {
	const lines = text.split('\n').map(line => line.trim()).filter(Boolean);
	return lines.at(-1);
}
