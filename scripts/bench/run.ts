// `npm run bench`: builds cws, runs every measurement next to its floor or
// peer in the same run, prints one table and writes the figures to
// bench-results/bench-<time>.json.
//
//   npm run bench [-- --quick] [--runs N] [--skip render,board,idle,scan,queue-history,store,queue,processes]
//
// Each measurement is one of the standalone scripts (scripts/bench-*.ts and
// bench-render.mjs) started with --json; the floors (node -e, a bare Ink app
// plain and bundled, htop) are measured here, in the same pty set-up.
import {execFileSync} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {runScript} from './child.js';
import {rowsOf, type BoardRun, type IdleRun, type ProcessesRun, type QueueHistoryRun, type QueueRun, type RenderRun, type Results, type ScanSize, type StoreRun} from './figures.js';
import {bundleInkHello, hasHtop, htopBytesPerMove, inkHello, nodeEcho} from './floors.js';
import {formatTable} from './table.js';

const {values} = parseArgs({
	options: {
		quick: {type: 'boolean', default: false},
		runs: {type: 'string'},
		skip: {type: 'string', default: ''},
	},
});
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 3 : 5));
const skip = new Set(values.skip.split(',').filter(Boolean));
/** Sizes of everything that makes a run long; --quick keeps the same figures with fewer samples. */
const plan = quick
	? {keys: 30, git: 100, idleSeconds: 10, idleRuns: 1, scanRuns: 3, storeSeconds: 1, repeats: 1, queueJobs: 100, processRounds: 5, moves: 16, historyRuns: 1}
	: {keys: 100, git: 400, idleSeconds: 60, idleRuns: 1, scanRuns: 5, storeSeconds: 1, repeats: 3, queueJobs: 200, processRounds: 20, moves: 40, historyRuns: 3};

const started = performance.now();
const say = (text: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

say('building dist/cli.js');
execFileSync(process.execPath, ['scripts/build.mjs'], {stdio: 'inherit', timeout: 120_000});
const bundle = await bundleInkHello();
const notes: string[] = [];

say('floors: node -e, bare Ink (plain, bundled)');
const results: Results = {
	nodeEcho: await nodeEcho(runs),
	inkPlain: await inkHello(path.resolve('scripts/bench/fixtures/ink-hello.mjs'), runs),
	inkBundled: await inkHello(bundle, runs),
	board: {},
	store: [],
	queue: [],
	processes: [],
};
if (hasHtop()) {
	say('floor: htop bytes per cursor move');
	results.htop = await htopBytesPerMove(plan.moves);
} else notes.push('htop is not installed: no htop floor for bytes per cursor move');

if (!skip.has('render')) {
	say('render: bytes per cursor move, full redraw');
	results.render = await runScript<RenderRun>('scripts/bench-render.mjs', ['--moves', String(plan.moves), '--runs', String(runs)]);
}

if (!skip.has('board')) {
	for (const projects of [1000, 10_000]) {
		say(`board: ${projects} projects (${plan.git} git repositories), first frame and keys`);
		const out = await runScript<{large: BoardRun}>('scripts/bench-board.ts', ['--projects', String(projects), '--small', '0', '--git', String(plan.git), '--keys', String(plan.keys), '--runs', String(runs)]);
		results.board[String(projects)] = out.large;
	}
}

if (!skip.has('idle')) {
	// Idle means the board left open: the window starts 30 s after the start-up refreshes settled
	// and is long enough to hold every periodic check (the longest comes every 30 s).
	say(`idle CPU: the board open on 1000 and 10000 projects, ${plan.idleSeconds} s each, from 30 s after start-up settled`);
	results.idle = await runScript<Record<string, IdleRun>>('scripts/bench/idle-cpu.ts', ['--projects', '1000,10000', '--git', '100', '--seconds', String(plan.idleSeconds), '--settle', '30', '--runs', String(plan.idleRuns)]);
}

if (!skip.has('scan')) {
	say('scan: cold and warm, 1000 and 10000 projects');
	const out = await runScript<Record<string, unknown>>('scripts/bench-scan.ts', ['--sizes', '1000,10000', '--git', '0', '--runs', String(plan.scanRuns)]);
	results.scan = Object.fromEntries(Object.entries(out).filter(([key]) => key.startsWith('projects-')).map(([key, value]) => [key.slice('projects-'.length), value as ScanSize]));
}

if (!skip.has('queue-history')) {
	say('queue: listing 10000 finished jobs, cold and warm');
	results.queueHistory = await runScript<QueueHistoryRun>('scripts/bench/queue-history.ts', ['--jobs', '10000', '--runs', String(plan.historyRuns)]);
}

for (let repeat = 0; repeat < plan.repeats; repeat++) {
	if (!skip.has('store')) {
		say(`store: update vs raw writes, 1 and 8 processes (${repeat + 1}/${plan.repeats})`);
		results.store.push(await runScript<StoreRun>('scripts/bench-store.ts', ['--seconds', String(plan.storeSeconds), '--bytes', '1024']));
	}

	if (!skip.has('queue')) {
		say(`queue: ${plan.queueJobs} no-op jobs, 1 worker (${repeat + 1}/${plan.repeats})`);
		results.queue.push(await runScript<QueueRun>('scripts/bench-queue.ts', ['--jobs', String(plan.queueJobs), '--workers', '1']));
	}

	if (!skip.has('processes')) {
		say(`processes: listing vs ps (${repeat + 1}/${plan.repeats})`);
		results.processes.push(await runScript<ProcessesRun>('scripts/bench-processes.ts', ['--extra', '0', '--idle', '0', '--rounds', String(plan.processRounds)]));
	}
}

notes.push('the board is measured without a queue of finished jobs beside it');
const rows = rowsOf(results);
const machine = {node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), loadAverage: os.loadavg()};
const table = formatTable(rows);
process.stdout.write(`cws benchmark${quick ? ' (--quick)' : ''}: Node ${machine.node}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${runs} runs per start-up figure, terminal 80×24 in a pty\n\n${table}\n\n${notes.map(note => `- ${note}`).join('\n')}\n`);
await mkdir('bench-results', {recursive: true});
const file = path.join('bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify({machine, quick, runs, plan, rows, notes, results}, null, 2)}\n`);
say(`done; figures in ${file}`);
