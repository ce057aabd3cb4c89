/**
 * End-to-end harness: the built `node dist/cli.js` in a real pseudo-terminal,
 * its output parsed by a headless xterm so a test reads the screen a person
 * would see. Every instance is killed and its temp HOME removed by
 * `cleanupCws()`, which `useCwsCleanup()` registers as an afterEach hook.
 */
import {mkdtemp, mkdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import {afterEach} from 'vitest';
import {keySequence} from './pty-keys.js';

const {Terminal} = xterm;

export {keySequence} from './pty-keys.js';

/** Absolute path of the built entry point the tests run. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Repository root, the default working directory of a started cws. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How to start cws in a pseudo-terminal. */
export type StartOptions = {
	/** Arguments after `node dist/cli.js`. */
	args?: string[];
	cols?: number;
	rows?: number;
	/** Added to the clean environment (HOME, XDG dirs, TERM, CI=false); a value of undefined removes a variable. */
	env?: Record<string, string | undefined>;
	cwd?: string;
	/** Sets $CWS_WORKSPACE. Without it (and without --workspace in args) cws uses <temp HOME>/claude-workspace. */
	workspace?: string;
};

/** Result of waiting for the process to end. */
export type ExitInfo = {exitCode: number; signal: number | undefined};

/** One running cws in a pseudo-terminal. */
export type CwsTerminal = {
	readonly pid: number;
	/** The temp HOME (also holding the XDG dirs); removed on cleanup. */
	readonly home: string;
	/** The workspace the process will use when none was passed: <home>/claude-workspace. */
	readonly defaultWorkspace: string;
	/** Raw bytes received from the pty since start or the last `resetBytes()`. */
	readonly bytesWritten: number;
	resetBytes(): void;
	/** Everything received since start, decoded as UTF-8 (escape sequences included). */
	output(): string;
	/** Types a string as is (several characters arrive as one chunk, like a paste). */
	press(keys: string): void;
	/** Types a named key, e.g. 'enter', 'esc', 'tab', 'shift+tab', 'up', 'ctrl+c', 'alt+x'; `times` repeats it. */
	key(name: string, times?: number): void;
	/** The visible screen, one string per row, trailing blanks trimmed. */
	screen(): string[];
	/** The visible screen joined with newlines, for messages and snapshots. */
	text(): string;
	/** Rows (0-based) that continue a line the program wrote past the right edge: should be empty. */
	wrappedRows(): number[];
	/** Waits until every byte received so far is parsed into the screen. */
	flush(): Promise<void>;
	/** Waits until the screen contains `text` (or matches it); rejects with the screen on timeout. */
	waitForText(text: string | RegExp, options?: {timeout?: number}): Promise<string[]>;
	/** Waits until `predicate(screen)` holds; rejects with the screen on timeout. */
	waitFor(predicate: (screen: string[]) => boolean, options?: {timeout?: number; message?: string}): Promise<string[]>;
	resize(cols: number, rows: number): void;
	/** True while the program shows the alternate screen buffer. */
	isAlternateScreen(): boolean;
	/** False after the program hid the cursor (DECTCEM ?25l) until it shows it again (?25h). */
	isCursorVisible(): boolean;
	/** Waits for the process to end; rejects with the screen on timeout. */
	waitForExit(options?: {timeout?: number}): Promise<ExitInfo>;
	/** Exit information once the process has ended, else undefined. */
	exited(): ExitInfo | undefined;
	kill(signal?: NodeJS.Signals): void;
};

const running = new Set<{dispose(): Promise<void>}>();

/** Starts `node dist/cli.js` in a pseudo-terminal (80×24 unless told) with a clean temp HOME. */
export async function startCws(options: StartOptions = {}): Promise<CwsTerminal> {
	return startTerminal({...options, command: process.execPath, args: [CLI_PATH, ...(options.args ?? [])]});
}

/**
 * Starts any program the same way (clean env, temp HOME, headless xterm);
 * startCws is this with `node dist/cli.js`. Useful to test the harness itself.
 */
export async function startTerminal(options: StartOptions & {command: string}): Promise<CwsTerminal> {
	const cols = options.cols ?? 80;
	const rows = options.rows ?? 24;
	const home = await mkdtemp(path.join(os.tmpdir(), 'cws-pty-'));
	const xdg = {
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_DATA_HOME: path.join(home, '.local/share'),
		XDG_STATE_HOME: path.join(home, '.local/state'),
		XDG_CACHE_HOME: path.join(home, '.cache'),
	};
	await Promise.all(Object.values(xdg).map(dir => mkdir(dir, {recursive: true, mode: 0o700})));
	const env = cleanEnv({
		HOME: home,
		...xdg,
		TERM: 'xterm-256color',
		COLORTERM: 'truecolor',
		CI: 'false',
		LANG: 'C.UTF-8',
		...(options.workspace === undefined ? {} : {CWS_WORKSPACE: options.workspace}),
		...options.env,
	});

	const terminal = new Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	let cursorVisible = true;
	const cursorMode = (visible: boolean) => (params: Array<number | number[]>) => {
		if (params.includes(25)) {
			cursorVisible = visible;
		}

		return false; // Let xterm handle the sequence too.
	};

	terminal.parser.registerCsiHandler({prefix: '?', final: 'h'}, cursorMode(true));
	terminal.parser.registerCsiHandler({prefix: '?', final: 'l'}, cursorMode(false));

	const child = pty.spawn(options.command, options.args ?? [], {
		name: 'xterm-256color',
		cols,
		rows,
		cwd: options.cwd ?? REPO_ROOT,
		env,
		encoding: null,
	});

	const chunks: Buffer[] = [];
	let bytes = 0;
	let pending = Promise.resolve();
	let exit: ExitInfo | undefined;
	const listeners = new Set<() => void>();
	const notify = () => {
		for (const listener of listeners) {
			listener();
		}
	};

	child.onData((data: string | Buffer) => {
		const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
		chunks.push(chunk);
		bytes += chunk.length;
		pending = new Promise<void>(resolve => {
			terminal.write(chunk, () => {
				resolve();
			});
		}).then(notify);
	});
	const exitPromise = new Promise<ExitInfo>(resolve => {
		child.onExit(({exitCode, signal}) => {
			exit = {exitCode, signal: signal || undefined};
			resolve(exit);
			notify();
		});
	});

	const screen = () => {
		const buffer = terminal.buffer.active;
		const lines: string[] = [];
		for (let row = 0; row < terminal.rows; row++) {
			// End at the current width: after a shrink xterm keeps the cells beyond it, unseen.
			lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true, 0, terminal.cols) ?? '');
		}

		return lines;
	};

	const waitFor: CwsTerminal['waitFor'] = async (predicate, {timeout = 10_000, message} = {}) => {
		await pending;
		if (predicate(screen())) {
			return screen();
		}

		return new Promise((resolve, reject) => {
			const check = () => {
				if (predicate(screen())) {
					done();
					resolve(screen());
				} else if (exit) {
					done();
					reject(new Error(`${message ?? 'condition'} not met: cws exited (${describeExit(exit)}). Screen:\n${frame(screen())}`));
				}
			};

			const timer = setTimeout(() => {
				done();
				reject(new Error(`${message ?? 'condition'} not met within ${timeout} ms. Screen:\n${frame(screen())}`));
			}, timeout);
			const done = () => {
				clearTimeout(timer);
				listeners.delete(check);
			};

			listeners.add(check);
		});
	};

	const instance: CwsTerminal = {
		pid: child.pid,
		home,
		defaultWorkspace: path.join(home, 'claude-workspace'),
		get bytesWritten() {
			return bytes;
		},
		resetBytes() {
			bytes = 0;
		},
		output: () => Buffer.concat(chunks).toString('utf8'),
		press(keys) {
			if (!exit) {
				child.write(keys);
			}
		},
		key(name, times = 1) {
			const sequence = keySequence(name, terminal.modes.applicationCursorKeysMode);
			instance.press(sequence.repeat(times));
		},
		screen,
		text: () => screen().join('\n'),
		wrappedRows() {
			const buffer = terminal.buffer.active;
			const wrapped: number[] = [];
			for (let row = 0; row < terminal.rows; row++) {
				if (buffer.getLine(buffer.viewportY + row)?.isWrapped) {
					wrapped.push(row);
				}
			}

			return wrapped;
		},
		flush: async () => pending,
		waitForText: async (text, options) => waitFor(
			lines => typeof text === 'string' ? lines.join('\n').includes(text) : text.test(lines.join('\n')),
			{...options, message: `text ${String(text)}`},
		),
		waitFor,
		resize(newCols, newRows) {
			terminal.resize(newCols, newRows);
			if (!exit) {
				child.resize(newCols, newRows);
			}
		},
		isAlternateScreen: () => terminal.buffer.active.type === 'alternate',
		isCursorVisible: () => cursorVisible,
		async waitForExit({timeout = 10_000} = {}) {
			let timer: NodeJS.Timeout | undefined;
			const timedOut = new Promise<never>((_, reject) => {
				timer = setTimeout(() => {
					reject(new Error(`cws did not exit within ${timeout} ms. Screen:\n${frame(screen())}`));
				}, timeout);
			});
			try {
				const info = await Promise.race([exitPromise, timedOut]);
				await pending;
				return info;
			} finally {
				clearTimeout(timer);
			}
		},
		exited: () => exit,
		kill(signal = 'SIGTERM') {
			if (!exit) {
				child.kill(signal);
			}
		},
	};

	running.add({
		async dispose() {
			if (!exit) {
				child.kill('SIGKILL');
				await Promise.race([exitPromise, new Promise(resolve => setTimeout(resolve, 2000))]);
			}

			terminal.dispose();
			await rm(home, {recursive: true, force: true});
		},
	});
	return instance;
}

/** Kills every cws this module started and removes their temp HOMEs. */
export async function cleanupCws(): Promise<void> {
	const all = [...running];
	running.clear();
	await Promise.all(all.map(async item => item.dispose()));
}

/** Registers `cleanupCws` to run after each test of the calling file. */
export function useCwsCleanup(): void {
	afterEach(cleanupCws);
}

/** Whether every row fits the width: no row is the wrapped continuation of a longer one. */
export function assertFitsWidth(t: CwsTerminal): void {
	const wrapped = t.wrappedRows();
	if (wrapped.length > 0) {
		throw new Error(`Rows ${wrapped.join(', ')} are wrapped continuations of lines wider than the terminal:\n${frame(t.screen())}`);
	}
}

function cleanEnv(extra: Record<string, string | undefined>): Record<string, string> {
	const env: Record<string, string | undefined> = {...process.env};
	// Anything that would make the program think it runs in CI, in tmux, or
	// in a workspace chosen by the machine running the tests.
	for (const name of Object.keys(env)) {
		if (name.startsWith('CI_') || name.startsWith('VITEST') || name.startsWith('XDG_') || name.startsWith('npm_')) {
			delete env[name];
		}
	}

	for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'CWS_WORKSPACE', 'NO_COLOR', 'FORCE_COLOR', 'TMUX', 'TMUX_PANE', 'NODE_OPTIONS', 'COLUMNS', 'LINES']) {
		delete env[name];
	}

	Object.assign(env, extra);
	return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function frame(lines: string[]): string {
	return lines.map(line => `|${line}`).join('\n');
}

function describeExit(info: ExitInfo): string {
	return info.signal ? `signal ${info.signal}` : `code ${info.exitCode}`;
}
