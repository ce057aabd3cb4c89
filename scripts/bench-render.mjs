// Measures what the full-screen interface costs on the wire, in a real
// pseudo-terminal at 80×24 (the figures that matter over SSH):
//   - bytes written per cursor move on the stage board, against a full redraw
//     of the same screen (Ctrl+L repaints every line);
//   - that the screen after the moves is cell for cell what a fresh full
//     render draws (text, colours, bold, inverse);
//   - time from spawn to the first complete frame, on an empty workspace;
//   - peak RSS (VmHWM) of the process.
//
//   npm run build && node scripts/bench-render.mjs [--moves 40] [--runs 5] [--json]
import {mkdtemp, mkdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';

const {values} = parseArgs({
	options: {moves: {type: 'string', default: '40'}, runs: {type: 'string', default: '5'}, json: {type: 'boolean', default: false}},
});
const moves = Number(values.moves);
const runs = Number(values.runs);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cols = 80;
const rows = 24;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Starts cws on `workspace` in a pty; everything it writes goes into a headless xterm. */
async function start(workspace, home) {
	const terminal = new xterm.Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	const started = performance.now();
	const child = pty.spawn(process.execPath, [cli, '--workspace', workspace], {
		name: 'xterm-256color',
		cols,
		rows,
		env: {PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), TERM: 'xterm-256color', CI: 'false', LANG: 'C.UTF-8'},
		encoding: null,
	});
	const state = {bytes: 0, chunks: [], exited: false};
	child.onData(data => {
		const buffer = Buffer.from(data);
		state.bytes += buffer.length;
		state.chunks.push(buffer);
		terminal.write(buffer);
	});
	child.onExit(() => {
		state.exited = true;
	});
	const flush = () => new Promise(resolve => terminal.write('', resolve));
	const screen = () => {
		const lines = [];
		for (let y = 0; y < rows; y++) lines.push(terminal.buffer.active.getLine(y)?.translateToString(true) ?? '');
		return lines;
	};

	const waitFor = async (predicate, timeout = 10_000) => {
		const until = performance.now() + timeout;
		while (performance.now() < until) {
			await flush();
			if (predicate(screen())) return performance.now();
			await sleep(2);
		}

		throw new Error(`timed out; screen:\n${screen().join('\n')}`);
	};

	/**
	 * Waits until no byte has arrived for `quietMs`; with `since`, first waits
	 * (up to 5 s) for output beyond that byte count, so a slow machine cannot
	 * make a key's bytes count for the next one.
	 */
	const settle = async (quietMs = 120, since) => {
		const until = performance.now() + 5000;
		while (since !== undefined && state.bytes === since && performance.now() < until) await sleep(2);
		let last = state.bytes;
		for (;;) {
			await sleep(quietMs);
			if (state.bytes === last) return flush();
			last = state.bytes;
		}
	};

	return {child, terminal, state, started, waitFor, settle, screen, flush};
}

/** Every cell of a terminal: character and attributes. */
function cells(terminal) {
	const out = [];
	const cell = terminal.buffer.active.getNullCell();
	for (let y = 0; y < rows; y++) {
		const line = terminal.buffer.active.getLine(y);
		for (let x = 0; x < cols; x++) {
			line.getCell(x, cell);
			out.push(
				[cell.getChars() || ' ', cell.getFgColorMode(), cell.getFgColor(), cell.getBgColorMode(), cell.getBgColor(), cell.isBold(), cell.isInverse(), cell.isDim()].join(','),
			);
		}
	}

	return out;
}

const peakRss = async pid => {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
};

const stop = async app => {
	app.child.write(':cexit\r');
	for (let index = 0; index < 100 && !app.state.exited; index++) await sleep(50);
	if (!app.state.exited) app.child.kill('SIGKILL');
};

const home = await mkdtemp(path.join(os.tmpdir(), 'cws-bench-render-'));
try {
	// Time to first frame, on an empty workspace.
	const firstFrame = [];
	let emptyRss = 0;
	for (let run = 0; run < runs; run++) {
		const workspace = path.join(home, `empty-${run}`);
		const app = await start(workspace, home);
		const shown = await app.waitFor(screen => screen.some(line => line.includes('Stage board')) && screen.at(-1).includes(':cexit'));
		firstFrame.push(shown - app.started);
		await app.settle();
		emptyRss = Math.max(emptyRss, await peakRss(app.child.pid));
		await stop(app);
	}

	// Cursor moves on a board with projects in every stage.
	const workspace = path.join(home, 'busy');
	for (const stage of ['sandbox', 'active', 'stable', 'public']) {
		for (let index = 0; index < 12; index++) await mkdir(path.join(workspace, stage, `${stage}-${String(index).padStart(2, "0")}`), {recursive: true});
	}

	const app = await start(workspace, home);
	await app.waitFor(screen => screen.some(line => line.includes("sandbox-00")));
	// The start-up notice ("Created a new workspace …") expires by itself a few
	// seconds in: dismissed first (Ctrl+X), it cannot vanish between the screen
	// read after the moves and the full redraw it is compared with.
	app.child.write('\u0018');
	await app.waitFor(screen => !screen.some(line => line.includes('Created a new workspace')));
	await app.settle(300);
	const perMove = [];
	// Down, down, down, next stage, down, up, previous stage, up: row and column
	// moves, each of which changes the screen (none runs into the end of a list).
	const pattern = ['j', 'j', 'j', 'l', 'j', 'k', 'h', 'k'];
	const keys = Array.from({length: moves}, (_, index) => pattern[index % pattern.length]);
	for (const key of keys) {
		const before = app.state.bytes;
		app.child.write(key);
		await app.settle(60, before);
		perMove.push(app.state.bytes - before);
	}

	// A full redraw of the same screen, and that redraw alone on a blank terminal.
	const incremental = cells(app.terminal);
	const chunkStart = app.state.chunks.length;
	const beforeRedraw = app.state.bytes;
	app.child.write('\u000C');
	await app.settle(150, beforeRedraw);
	const fullRedraw = app.state.bytes - beforeRedraw;
	const fresh = new xterm.Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
	for (const chunk of app.state.chunks.slice(chunkStart)) fresh.write(chunk);
	await new Promise(resolve => fresh.write('', resolve));
	const freshCells = cells(fresh);
	const differing = incremental.filter((cell, index) => cell !== freshCells[index]).length;
	const busyRss = await peakRss(app.child.pid);
	await stop(app);

	const sorted = [...perMove].sort((a, b) => a - b);
	const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	const result = {
		terminal: `${cols}x${rows}`,
		moves: perMove.length,
		bytesPerMove: {median: median(perMove), max: sorted.at(-1), mean: Math.round(perMove.reduce((a, b) => a + b, 0) / perMove.length), each: perMove},
		fullRedrawBytes: fullRedraw,
		cellsDifferingFromFreshRender: differing,
		firstFrameMs: {median: Math.round(median(firstFrame)), runs: firstFrame.map(Math.round)},
		peakRssMiB: {emptyWorkspace: Math.round(emptyRss / 1024), busyBoard: Math.round(busyRss / 1024)},
	};
	if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	else {
		process.stdout.write(
			[
				`terminal ${result.terminal}, ${result.moves} cursor moves on the stage board`,
				`bytes per cursor move: median ${result.bytesPerMove.median}, max ${result.bytesPerMove.max}, mean ${result.bytesPerMove.mean}`,
				`full redraw of the same screen: ${result.fullRedrawBytes} bytes`,
				`screen after the moves vs a fresh full render: ${differing} cells differ`,
				`time to first frame (empty workspace): median ${result.firstFrameMs.median} ms (${result.firstFrameMs.runs.join(', ')})`,
				`peak RSS: ${result.peakRssMiB.emptyWorkspace} MiB (empty workspace), ${result.peakRssMiB.busyBoard} MiB (48 projects)`,
			].join('\n') + '\n',
		);
	}

	if (differing > 0) process.exitCode = 1;
} finally {
	await rm(home, {recursive: true, force: true});
}
