import {spawn, type ChildProcess} from 'node:child_process';
import {bundleEntry} from './bundle.js';

/** How a child process ended. */
export type ChildExit = {code: number | null; signal: NodeJS.Signals | null};

/** A running child process whose stdout is collected line by line. */
export type TsChild = {
	process: ChildProcess;
	pid: number;
	/** Complete stdout lines so far. */
	lines: string[];
	/** Everything written to stderr so far. */
	stderr(): string;
	/** Resolves with the first line (already seen or future) that matches. */
	waitForLine(match: string | RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
	/** Resolves when the process has exited (and been reaped) and its output is fully read. */
	exited: Promise<ChildExit>;
	/** Sends a signal (default SIGKILL) and waits for the exit. */
	kill(signal?: NodeJS.Signals): Promise<ChildExit>;
};

export type SpawnTsOptions = {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/**
	 * Runs the child through `bash -c` with this prefix before `exec node …`,
	 * e.g. `ulimit -f 64`. The prefix is a fixed string written by the test;
	 * the entry and arguments are still passed as separate arguments.
	 */
	shellPrefix?: string;
};

/**
 * Spawns `node <bundle of entry> ...args`. The entry is TypeScript (bundled
 * once per test process by bundleEntry), so children run the real source.
 */
export async function spawnTs(entry: string, args: string[] = [], options: SpawnTsOptions = {}): Promise<TsChild> {
	const bundle = await bundleEntry(entry);
	const env = {...process.env, ...options.env};
	const child = options.shellPrefix === undefined
		? spawn(process.execPath, [bundle, ...args], {env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe']})
		: spawn('bash', ['-c', `${options.shellPrefix} && exec "$0" "$@"`, process.execPath, bundle, ...args], {
			env,
			cwd: options.cwd,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	if (child.pid === undefined) {
		throw new Error(`Could not spawn ${entry}`);
	}

	const lines: string[] = [];
	const waiters = new Set<() => void>();
	let partial = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8');
	child.stdout!.on('data', (chunk: string) => {
		partial += chunk;
		const parts = partial.split('\n');
		partial = parts.pop() ?? '';
		if (parts.length > 0) {
			lines.push(...parts);
			for (const waiter of waiters) {
				waiter();
			}
		}
	});
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (chunk: string) => {
		stderr += chunk;
	});
	// 'close', not 'exit': a child's last lines may still be in the pipe when it exits.
	let exitInfo: ChildExit | undefined;
	const exited = new Promise<ChildExit>(resolve => {
		child.once('close', (code, signal) => {
			exitInfo = {code, signal};
			for (const waiter of waiters) {
				waiter();
			}

			resolve(exitInfo);
		});
	});

	const waitForLine: TsChild['waitForLine'] = async (match, timeoutMs = 15_000) => {
		const test = typeof match === 'function'
			? match
			: (typeof match === 'string' ? (line: string) => line.includes(match) : (line: string) => match.test(line));
		return new Promise<string>((resolve, reject) => {
			let checked = 0;
			const check = () => {
				for (; checked < lines.length; checked++) {
					const line = lines[checked]!;
					if (test(line)) {
						done();
						resolve(line);
						return;
					}
				}

				if (exitInfo) {
					done();
					reject(new Error(`child exited (${exitInfo.code ?? exitInfo.signal}) before printing ${String(match)}\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
				}
			};

			const timer = setTimeout(() => {
				done();
				reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(match)}\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
			}, timeoutMs);
			const done = () => {
				clearTimeout(timer);
				waiters.delete(check);
			};

			waiters.add(check);
			check();
		});
	};

	return {
		process: child,
		pid: child.pid,
		lines,
		stderr: () => stderr,
		waitForLine,
		exited,
		async kill(signal = 'SIGKILL') {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill(signal);
			}

			return exited;
		},
	};
}
