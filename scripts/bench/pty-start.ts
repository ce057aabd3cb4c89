// Starts a command in a real pseudo-terminal at 80×24 and times it: from
// spawn to the first byte, and to a given text on the screen of a headless
// xterm fed with everything the command writes.
import {readFile} from 'node:fs/promises';
import {performance} from 'node:perf_hooks';

// Native and browser-style packages are loaded at run time, not bundled by run-ts.
const packages = {pty: 'node-pty', xterm: '@xterm/headless'};
const pty = await import(packages.pty) as typeof import('node-pty');
const {default: xterm} = await import(packages.xterm) as {default: typeof import('@xterm/headless')};

export const COLS = 80;
export const ROWS = 24;

/** A command running in a pty, with its output counted and parsed. */
export type PtyApp = {
	pid: number;
	bytes(): number;
	screen(): string[];
	/** Resolves with ms since spawn when `predicate` first holds on the screen. */
	when(predicate: (screen: string[]) => boolean, timeoutMs?: number): Promise<number>;
	/** Resolves with ms since spawn of the first byte written. */
	firstByte: Promise<number>;
	write(data: string): void;
	kill(): Promise<void>;
};

/** Spawns `file args` in an 80×24 pty with a plain environment (CI=false). */
export function startInPty(file: string, args: string[], env: NodeJS.ProcessEnv = {}): PtyApp {
	const terminal = new xterm.Terminal({cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0});
	const started = performance.now();
	const child = pty.spawn(file, args, {
		name: 'xterm-256color',
		cols: COLS,
		rows: ROWS,
		env: {PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', TERM: 'xterm-256color', CI: 'false', LANG: 'C.UTF-8', ...env},
		encoding: null,
	});
	let total = 0;
	let exited = false;
	const waiters = new Set<() => void>();
	let resolveFirst: (ms: number) => void = () => undefined;
	const firstByte = new Promise<number>(resolve => {
		resolveFirst = resolve;
	});
	child.onData(data => {
		if (total === 0) resolveFirst(performance.now() - started);
		const buffer = typeof data === 'string' ? Buffer.from(data) : data;
		total += buffer.length;
		terminal.write(buffer, () => {
			for (const waiter of waiters) waiter();
		});
	});
	const exit = new Promise<void>(resolve => {
		child.onExit(() => {
			exited = true;
			resolve();
		});
	});
	const screen = () => {
		const lines: string[] = [];
		for (let y = 0; y < ROWS; y++) lines.push(terminal.buffer.active.getLine(y)?.translateToString(true) ?? '');
		return lines;
	};

	const when = async (predicate: (lines: string[]) => boolean, timeoutMs = 30_000) => new Promise<number>((resolve, reject) => {
		const check = () => {
			if (!predicate(screen())) return;
			waiters.delete(check);
			clearTimeout(timer);
			resolve(performance.now() - started);
		};

		const timer = setTimeout(() => {
			waiters.delete(check);
			reject(new Error(`${file} ${args.join(' ')}: timed out; screen:\n${screen().join('\n')}`));
		}, timeoutMs);
		waiters.add(check);
		check();
	});
	return {
		pid: child.pid,
		bytes: () => total,
		screen,
		when,
		firstByte,
		write: data => child.write(data),
		async kill() {
			if (!exited) child.kill('SIGKILL');
			await Promise.race([exit, new Promise(resolve => setTimeout(resolve, 2000))]);
		},
	};
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

export const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
