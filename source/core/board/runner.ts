
/** What one external command did. Never throws for a non-zero exit or a timeout. */
export type RunResult = {
	exitCode: number | undefined;
	stdout: string;
	stderr: string;
	/** stdout and stderr interleaved as they came. */
	all: string;
	timedOut: boolean;
	/** The command could not be started, was killed, timed out or exited non-zero. */
	failed: boolean;
	/** A one-line explanation when `failed`. */
	error?: string;
};

export type RunOptions = {
	cwd: string;
	timeoutMs: number;
	env?: Record<string, string>;
	/** Cap on captured output per stream, in bytes. */
	maxBuffer?: number;
};

/** Runs `file` with an argument array (never a shell string). Injectable so tests can fake failures. */
export type Runner = (file: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

/** The real runner: execa (loaded at the first command: the interface draws before it needs one) with a timeout, a forced kill 2 s after it, and no prompts. */
export const execaRunner: Runner = async (file, args, options) => {
	const {execa} = await import('execa');
	const result = await execa(file, [...args], {
		cwd: options.cwd,
		timeout: options.timeoutMs,
		forceKillAfterDelay: 2000,
		env: {GIT_TERMINAL_PROMPT: '0', ...options.env},
		extendEnv: true,
		stdin: 'ignore',
		all: true,
		reject: false,
		stripFinalNewline: false,
		maxBuffer: options.maxBuffer ?? 4 * 1024 * 1024,
	});
	const failed = result.failed;
	const output: RunResult = {
		exitCode: result.exitCode,
		stdout: asText(result.stdout),
		stderr: asText(result.stderr),
		all: asText(result.all),
		timedOut: result.timedOut,
		failed,
	};
	if (failed) {
		output.error = result.timedOut
			? `${file} timed out after ${Math.round(options.timeoutMs / 1000)} s`
			: (result.exitCode === undefined ? result.shortMessage : `${file} exited with code ${result.exitCode}`);
	}

	return output;
};

function asText(value: unknown): string {
	return typeof value === 'string' ? value : '';
}
