// Measures the stage board with many projects in a real pseudo-terminal at
// 80×24 (the built dist/cli.js, parsed by a headless xterm):
//   - time to first frame (the shell drawn) and to the first cards, from spawn;
//   - keypress → changed screen latency (p50/p95): the time from writing a key
//     to the pty until the screen shows the new selection, over j/k, h/l,
//     G/g and page keys;
//   - peak RSS (VmHWM) of the process after those keys;
// for 10,000 projects against a dozen, so "10,000 scroll as fast as 10" is a
// figure, not a claim. Part of the projects are real git repositories (the
// feed runs `git status` for the cards on screen and a batch of the others
// every second, which is the load a big workspace puts on the machine).
//
//   npm run build && node scripts/run-ts.mjs scripts/bench-board.ts [--projects 10000] [--small 12] [--git 400] [--keys 120] [--runs 3] [--json]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {makeWorkspace} from './bench/workspace.js';

// Native and browser-style packages are loaded at run time, not bundled by run-ts.
const packages = {pty: 'node-pty', xterm: '@xterm/headless'};
const pty = await import(packages.pty) as typeof import('node-pty');
const {default: xterm} = await import(packages.xterm) as {default: typeof import('@xterm/headless')};

const {values} = parseArgs({
	options: {
		projects: {type: 'string', default: '10000'},
		// The peer workspace of a few projects; 0 measures the large one alone.
		small: {type: 'string', default: '12'},
		git: {type: 'string', default: '400'},
		keys: {type: 'string', default: '120'},
		runs: {type: 'string', default: '3'},
		json: {type: 'boolean', default: false},
	},
});
const cols = 80;
const rows = 24;
// Run from the repository root (run-ts moves the script's own file into a cache folder).
const cli = path.resolve('dist/cli.js');
await fs.access(cli).catch(() => {
	throw new Error(`${cli} is missing: run \`npm run build\` in the repository root first`);
});
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));


type App = {
	child: import('node-pty').IPty;
	started: number;
	screen(): string[];
	/** Resolves with the time `predicate` first held, checked after every chunk the terminal parsed. */
	when(predicate: (screen: string[]) => boolean, timeout?: number): Promise<number>;
	exited(): boolean;
};

/** Every cws started, so a failed run still kills them before removing their workspace. */
const running = new Set<import('node-pty').IPty>();

function start(workspace: string, home: string): App {
	const terminal = new xterm.Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	const started = performance.now();
	const child = pty.spawn(process.execPath, [cli, '--workspace', workspace], {
		name: 'xterm-256color',
		cols,
		rows,
		env: {PATH: process.env['PATH'] ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), TERM: 'xterm-256color', CI: 'false', LANG: 'C.UTF-8'},
		encoding: null,
	});
	const waiters = new Set<() => void>();
	let exited = false;
	child.onData(data => {
		terminal.write(typeof data === 'string' ? Buffer.from(data) : data, () => {
			for (const waiter of waiters) waiter();
		});
	});
	running.add(child);
	child.onExit(() => {
		exited = true;
		running.delete(child);
	});
	const screen = () => {
		const lines: string[] = [];
		for (let y = 0; y < rows; y++) lines.push(terminal.buffer.active.getLine(y)?.translateToString(true) ?? '');
		return lines;
	};

	const when = async (predicate: (lines: string[]) => boolean, timeout = 30_000) => new Promise<number>((resolve, reject) => {
		if (predicate(screen())) {
			resolve(performance.now());
			return;
		}

		const check = () => {
			if (!predicate(screen())) return;
			waiters.delete(check);
			clearTimeout(timer);
			resolve(performance.now());
		};

		const timer = setTimeout(() => {
			waiters.delete(check);
			reject(new Error(`timed out; screen:\n${screen().join('\n')}`));
		}, timeout);
		waiters.add(check);
	});
	return {child, started, screen, when, exited: () => exited};
}

/** The selected project's name: the first word of the board's footer line. */
function selectedName(screen: string[]): string {
	for (const line of screen) {
		const match = /^║ ([a-z]{2}-\d{5}) ·/.exec(line);
		if (match) return match[1]!;
	}

	return '';
}

async function stop(app: App): Promise<void> {
	app.child.write(':cexit!\r');
	for (let index = 0; index < 300 && !app.exited(); index++) await sleep(50);
	if (!app.exited()) process.stderr.write(`cws did not leave within 15 s of :cexit; killed. Screen:\n${app.screen().join('\n')}\n`);
	if (!app.exited()) app.child.kill('SIGKILL');
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Key presses that each move the selection, whatever the column lengths
 * (at least three per column): rows, stages, both ends, page keys; every
 * cycle ends with the first columns back at their first rows.
 */
function keyPlan(count: number): string[] {
	const pageDown = '\u001B[6~';
	const pageUp = '\u001B[5~';
	const pattern = ['j', 'j', 'k', 'l', 'j', 'k', 'G', 'g', 'h', pageDown, pageUp, 'l', 'l', 'j', 'k', 'h', 'h'];
	return Array.from({length: count}, (_, index) => pattern[index % pattern.length]!);
}

async function measure(workspace: string, home: string, runs: number, keys: number) {
	const firstFrame: number[] = [];
	const firstCards: number[] = [];
	for (let run = 0; run < runs; run++) {
		const app = start(workspace, home);
		const shell = await app.when(screen => screen.some(line => line.includes('Stage board')) && (screen.at(-1) ?? '').includes(':cexit'));
		const cards = await app.when(screen => selectedName(screen) !== '');
		firstFrame.push(shell - app.started);
		firstCards.push(cards - app.started);
		if (run < runs - 1) await stop(app);
		else {
			// Latency: after the start-up refreshes have settled, each key until its selection is on screen.
			app.child.write('\u0018'); // Ctrl+X: a start-up notice (an earlier run killed) would shift the board.
			await sleep(3000);
			const latencies: number[] = [];
			for (const key of keyPlan(keys)) {
				const before = selectedName(app.screen());
				const sent = performance.now();
				app.child.write(key);
				const shown = await app.when(screen => selectedName(screen) !== before && selectedName(screen) !== '', 10_000);
				latencies.push(shown - sent);
				await sleep(20);
			}

			const status = await fs.readFile(`/proc/${app.child.pid}/status`, 'utf8');
			const peakRssMiB = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
			await stop(app);
			const sorted = [...latencies].sort((a, b) => a - b);
			return {
				firstFrameMs: Math.round(percentile([...firstFrame].sort((a, b) => a - b), 50)),
				firstCardsMs: Math.round(percentile([...firstCards].sort((a, b) => a - b), 50)),
				firstFrameRuns: firstFrame.map(Math.round),
				firstCardsRuns: firstCards.map(Math.round),
				peakRssMiB,
				keyLatencies: latencies.map(value => Number(value.toFixed(1))),
				keyMs: {p50: Number(percentile(sorted, 50).toFixed(1)), p95: Number(percentile(sorted, 95).toFixed(1)), max: Number(sorted.at(-1)!.toFixed(1)), keys: sorted.length},
			};
		}
	}

	throw new Error('no runs');
}

const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'cws-bench-board-'));
try {
	const home = path.join(parent, 'home');
	await fs.mkdir(path.join(home, '.config'), {recursive: true});
	const large = Number(values.projects);
	const git = Number(values.git);
	const runs = Number(values.runs);
	const keys = Number(values.keys);
	const built = performance.now();
	const smallCount = Number(values.small);
	const small = smallCount > 0 ? await makeWorkspace(parent, smallCount, smallCount) : undefined;
	const big = await makeWorkspace(parent, large, git);
	const buildMs = performance.now() - built;
	const results = {
		terminal: `${cols}x${rows}`,
		small: small ? {projects: smallCount, git: smallCount, ...await measure(small, home, runs, keys)} : undefined,
		large: {projects: large, git, ...await measure(big, home, runs, keys)},
	};
	if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
	else {
		const line = (label: string, result: typeof results.large) =>
			`${label}: first frame ${result.firstFrameMs} ms (${result.firstFrameRuns.join(', ')}), first cards ${result.firstCardsMs} ms (${result.firstCardsRuns.join(', ')}); key → screen p50 ${result.keyMs.p50} ms, p95 ${result.keyMs.p95} ms, max ${result.keyMs.max} ms over ${result.keyMs.keys} keys; peak RSS ${result.peakRssMiB} MiB`;
		process.stdout.write(`${[
			`terminal ${results.terminal}; workspaces built in ${Math.round(buildMs / 1000)} s`,
			...results.small ? [line(`${results.small.projects} projects`, results.small)] : [],
			line(`${results.large.projects} projects (${git} git repositories)`, results.large),
		].join('\n')}\n`);
	}
} finally {
	for (const child of running) child.kill('SIGKILL');
	await sleep(200);
	await fs.rm(parent, {recursive: true, force: true, maxRetries: 5});
}
