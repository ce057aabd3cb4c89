// Idle CPU of the open interface: cws started on a workspace of many
// projects in a real pty, left alone on the stage board once its cards are
// drawn and the start-up refreshes have settled, its CPU time (user +
// system, its own and that of the git commands it waited for) sampled from
// /proc/<pid>/stat over a window and reported as % of one core.
//
//   npm run build && node scripts/run-ts.mjs scripts/bench/idle-cpu.ts [--projects 1000,10000] [--git 100] [--seconds 20] [--settle 5] [--quiet 3] [--settle-max 40] [--runs 2] [--profile] [--json] [--cli dist/cli.js]
//
// --profile also starts cws with --cpu-prof and prints where its idle time
// went, by source file (through the source maps of dist/cli.js,
// dist/chunks/*.js and the interface's dist/tui.cjs); the profiled run's figure leaves out the profiler's own
// thread. Each run waits past the start-up until two seconds in a row stay
// under --quiet % of a core, and prints those settling seconds.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import {SourceMap} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {sleep, startInPty, type PtyApp} from './pty-start.js';
import {makeWorkspace} from './workspace.js';

const {values} = parseArgs({
	options: {
		projects: {type: 'string', default: '1000,10000'},
		git: {type: 'string', default: '100'},
		seconds: {type: 'string', default: '20'},
		settle: {type: 'string', default: '5'},
		quiet: {type: 'string', default: '3'},
		'settle-max': {type: 'string', default: '40'},
		runs: {type: 'string', default: '2'},
		profile: {type: 'boolean', default: false},
		json: {type: 'boolean', default: false},
		cli: {type: 'string', default: 'dist/cli.js'},
	},
});

/** Clock ticks per second of /proc/<pid>/stat times; 100 on Linux everywhere this runs. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
// --cli another build's entry (a copy of dist/ kept from before a change), to compare two builds under the same load.
const cli = path.resolve(values.cli);

/** One sample of a process's CPU time in ms: its own, and its waited-for children's. */
async function cpuMs(pid: number): Promise<{self: number; children: number}> {
	const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
	// Fields after the parenthesised command name (which may hold spaces): state is field 3.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = (field: number) => Number(fields[field - 3]);
	return {self: ((ticks(14) + ticks(15)) / TICKS) * 1000, children: ((ticks(16) + ticks(17)) / TICKS) * 1000};
}

/** CPU time in ms per thread name (node's main thread, libuv's pool, V8's helpers) of a process. */
async function cpuByThread(pid: number): Promise<Map<string, number>> {
	const totals = new Map<string, number>();
	for (const task of await fs.readdir(`/proc/${pid}/task`).catch(() => [])) {
		const stat = await fs.readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '');
		if (stat === '') continue;
		const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d]+$/, '').trim();
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const ms = ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1000;
		totals.set(name, (totals.get(name) ?? 0) + ms);
	}

	return totals;
}


const boardDrawn = (screen: string[]) => screen.some(line => /^║ [a-z]{2}-\d{5} ·/.test(line));

async function leave(app: PtyApp): Promise<void> {
	app.write(':cexit!\r');
	for (let index = 0; index < 200 && await alive(app.pid); index++) await sleep(50);
	await app.kill();
}

async function alive(pid: number): Promise<boolean> {
	return fs.access(`/proc/${pid}/stat`).then(() => true, () => false);
}

/**
 * Where a V8 CPU profile's time went between two CLOCK_MONOTONIC instants
 * (µs; V8 stamps samples on the same clock): per source file (mapped
 * through the bundle's source map), the time of every sample with that file
 * anywhere on its stack, so a spawn or a stat counts for the code that asked
 * for it. Idle time is left out.
 */
async function profileByFile(file: string, fromUs: number, toUs: number): Promise<Array<[string, number]>> {
	type Node = {id: number; callFrame: {url: string; lineNumber: number; columnNumber: number; functionName: string}; children?: number[]};
	const profile = JSON.parse(await fs.readFile(file, 'utf8')) as {nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number};
	// The bundle is several files (dist/cli.js, dist/chunks/*.js, dist/tui.cjs), each with its own map.
	const maps = new Map<string, SourceMap | undefined>();
	const mapFor = async (url: string) => {
		if (!maps.has(url)) {
			const file = url.startsWith('file://') ? new URL(url).pathname : url;
			maps.set(url, await fs.readFile(`${file}.map`, 'utf8').then(text => new SourceMap(JSON.parse(text) as ConstructorParameters<typeof SourceMap>[0]), () => undefined));
		}

		return maps.get(url);
	};

	const distDir = path.dirname(cli);
	for (const node of profile.nodes) if (node.callFrame.url.includes(distDir)) await mapFor(node.callFrame.url);
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const byNode = new Map(profile.nodes.map(node => [node.id, node]));
	const placeOf = new Map<number, string>();
	const place = (node: Node): string => {
		let where = placeOf.get(node.id);
		if (where !== undefined) return where;
		const frame = node.callFrame;
		where = frame.url === '' ? `(${frame.functionName || 'native'})` : `node:${path.basename(frame.url)}`;
		const map = maps.get(frame.url);
		if (map) {
			const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {originalSource?: string};
			where = entry.originalSource ? entry.originalSource.replace(/^.*?(source\/|node_modules\/)/, '$1').replace(/^(node_modules\/(?:@[^/]+\/)?[^/]+).*$/, '$1') : `dist/${path.basename(frame.url)}`;
		}

		placeOf.set(node.id, where);
		return where;
	};

	const totals = new Map<string, number>();
	let at = profile.startTime;
	for (const [index, id] of profile.samples.entries()) {
		const delta = profile.timeDeltas[index] ?? 0;
		at += delta;
		const leaf = byNode.get(id)!;
		if (at < fromUs || at > toUs || leaf.callFrame.functionName === '(idle)') continue;
		const seen = new Set<string>(['all']);
		for (let node: Node | undefined = leaf; node; node = byNode.get(parent.get(node.id) ?? -1)) seen.add(place(node));
		for (const where of seen) totals.set(where, (totals.get(where) ?? 0) + delta / 1000);
	}

	return [...totals].sort((a, b) => b[1] - a[1]);
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

type IdleRun = {percent: number; selfPercent: number; childrenPercent: number; threads: Record<string, number>; settle: number[]};
const seconds = Number(values.seconds);
const settle = Number(values.settle);
const quiet = Number(values.quiet);
const settleMax = Number(values['settle-max']);
const runs = Number(values.runs);
const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'cws-bench-idle-'));
const results: Record<string, {projects: number; git: number; seconds: number; runs: IdleRun[]; profile?: Array<[string, number]>}> = {};
try {
	const home = path.join(parent, 'home');
	await fs.mkdir(path.join(home, '.config'), {recursive: true});
	for (const projects of values.projects.split(',').map(Number)) {
		const git = Math.min(projects, Number(values.git));
		const workspace = await makeWorkspace(parent, projects, git);
		const entry: (typeof results)[string] = {projects, git, seconds, runs: []};
		for (let run = 0; run < runs; run++) {
			const profileDir = path.join(parent, `profile-${projects}-${run}`);
			const profiling = values.profile && run === runs - 1;
			const args = [...profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [], cli, '--workspace', workspace];
			let window = [0, 0];
			const app = startInPty(process.execPath, args, {HOME: home, XDG_CONFIG_HOME: path.join(home, '.config')});
			try {
				await app.when(boardDrawn, 60_000);
				app.write('\u0018'); // Ctrl+X: a start-up notice would keep the board from being what is idle.
				// With no notice on screen Ctrl+X says so in a toast, which expires (a redraw) seconds later:
				// that belongs to the key, not to the idle board, so it is waited out before settling.
				await app.when(screen => screen.some(line => line.includes('no notice on screen')), 3000).catch(() => undefined);
				await app.when(screen => !screen.some(line => line.includes('no notice on screen')), 30_000).catch(() => undefined);
				// Start-up work (the first walk of every project, git status of the cards
				// on screen, the start-up toast's expiry) takes longer on a loaded machine:
				// wait at least `settle` s, then until two consecutive seconds each stayed
				// under `quiet`% of a core, so that the window measures the idle board and
				// not the tail of its start.
				const settleStart = Date.now();
				const tail: number[] = [];
				// cws's own threads and its git children, without --cpu-prof's thread.
				const busyMs = async () => {
					const threads = await cpuByThread(app.pid);
					const own = [...threads].filter(([name]) => !name.startsWith('v8:Prof')).reduce((sum, [, ms]) => sum + ms, 0);
					return own + (await cpuMs(app.pid)).children;
				};

				let last = await busyMs();
				let calm = 0;
				while (Date.now() - settleStart < settleMax * 1000) {
					await sleep(1000);
					const now = await busyMs();
					// A thread that ended (the start-up walk's) takes its time with it: never below 0.
					const percent = Math.max(0, ((now - last) / 1000) * 100);
					tail.push(Math.round(percent * 10) / 10);
					last = now;
					calm = percent < quiet ? calm + 1 : 0;
					if (Date.now() - settleStart >= settle * 1000 && calm >= 2) break;
				}

				const before = await cpuMs(app.pid);
				const threadsBefore = await cpuByThread(app.pid);
				window = [monotonicUs(), 0];
				await sleep(seconds * 1000);
				window[1] = monotonicUs();
				const after = await cpuMs(app.pid);
				const threadsAfter = await cpuByThread(app.pid);
				const share = (ms: number) => (ms / (seconds * 1000)) * 100;
				const threads = Object.fromEntries([...threadsAfter].map(([name, ms]) => [name, Number(share(ms - (threadsBefore.get(name) ?? 0)).toFixed(2))]).filter(([, percent]) => Number(percent) > 0));
				// --cpu-prof's own thread (about 3% of a core) is the profiler, not cws.
				const profiler = Object.entries(threads).filter(([name]) => name.startsWith('v8:Prof')).reduce((sum, [, percent]) => sum + Number(percent), 0);
				const self = share(after.self - before.self) - profiler;
				const children = share(after.children - before.children);
				entry.runs.push({percent: self + children, selfPercent: self, childrenPercent: children, threads, settle: tail});
			} finally {
				await leave(app);
			}

			if (profiling) {
				const [file] = await fs.readdir(profileDir).catch(() => []);
				if (file) entry.profile = (await profileByFile(path.join(profileDir, file), window[0]!, window[1]!)).slice(0, 25);
			}
		}

		results[String(projects)] = entry;
		await fs.rm(workspace, {recursive: true, force: true});
	}
} finally {
	await fs.rm(parent, {recursive: true, force: true, maxRetries: 5});
}

if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else {
	for (const entry of Object.values(results)) {
		const percents = entry.runs.map(run => `${run.percent.toFixed(2)}% (self ${run.selfPercent.toFixed(2)}, git ${run.childrenPercent.toFixed(2)}; settled after ${run.settle.length} s [${run.settle.join(' ')}]; by thread ${Object.entries(run.threads).map(([name, percent]) => `${name} ${percent}`).join(', ')})`);
		process.stdout.write(`${entry.projects} projects (${entry.git} git repositories), idle on the board for ${entry.seconds} s: ${percents.join(', ')} of one core\n`);
		if (entry.profile) {
			process.stdout.write(`  where the idle window's busy time went (profiled run), ms with the file on the stack:\n`);
			for (const [file, ms] of entry.profile) process.stdout.write(`    ${ms.toFixed(0).padStart(7)}  ${file}\n`);
		}
	}
}
