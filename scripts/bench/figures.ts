// Turns what the measurements returned into table rows, each next to its
// floor or peer and checked against the target the product sets for it.
import {percentile, summarise, type Summary} from './stats.js';
import type {Row} from './table.js';

/** What bench-board.ts --json prints for one workspace. */
export type BoardRun = {projects: number; git: number; firstFrameRuns: number[]; firstCardsRuns: number[]; keyLatencies: number[]; peakRssMiB: number};
/** What bench-render.mjs --json prints. */
export type RenderRun = {bytesPerMove: {each: number[]}; fullRedrawBytes: number; cellsDifferingFromFreshRender: number; firstFrameMs: {runs: number[]}; peakRssMiB: {emptyWorkspace: number; busyBoard: number}};
/** What bench-scan.ts --json prints for one size. */
export type ScanSize = {samples: {coldList: number[]; coldFull: number[]; warmList: number[]; warmFull: number[]; oneChange: number[]}};
/** What bench-store.ts --json prints. */
export type StoreRun = {cells: Array<{bytes: number; mode: 'raw' | 'update'; one: number; eight: number}>};
/** What bench-queue.ts --json prints. */
export type QueueRun = {rounds: Array<{workers: number; donePerSecond: number; drainPerSecond: number; latencyP95: number}>};
/** What bench-processes.ts --json prints. */
export type ProcessesRun = Record<string, {wallMs: number; cpuMs: number; processes: number}>;

/** What idle-cpu.ts --json prints for one workspace. */
export type IdleRun = {projects: number; git: number; seconds: number; runs: Array<{percent: number; selfPercent: number; childrenPercent: number}>};

/** What queue-history.ts --json prints. */
export type QueueHistoryRun = {jobs: number; cold: Summary; warm: Summary; raw: Summary};

/** Everything one run measured; a part left out (quick mode, a tool missing) is undefined. */
export type Results = {
	nodeEcho: number[];
	inkPlain: {ms: number[]; rssMiB: number[]};
	inkBundled: {ms: number[]; rssMiB: number[]};
	htop?: number[];
	render?: RenderRun;
	board: Record<string, BoardRun>;
	scan?: Record<string, ScanSize>;
	idle?: Record<string, IdleRun>;
	store: StoreRun[];
	queue: QueueRun[];
	queueHistory?: QueueHistoryRun;
	processes: ProcessesRun[];
};

const ratioOf = (value: Summary, floor: Summary) => value.median / floor.median;

/** The rows of the table, in the order of the product's figures. */
export function rowsOf(results: Results): Row[] {
	const rows: Row[] = [];
	const node = summarise(results.nodeEcho);
	const plain = summarise(results.inkPlain.ms);
	const bundled = summarise(results.inkBundled.ms);
	rows.push({figure: 'floor: node -e, spawn → line', unit: 'ms', value: node});
	rows.push({figure: 'floor: bare Ink app, plain', unit: 'ms', value: plain, floor: {label: 'node -e', value: node}, ratio: ratioOf(plain, node)});
	rows.push({figure: 'floor: bare Ink app, bundled', unit: 'ms', value: bundled, floor: {label: 'node -e', value: node}, ratio: ratioOf(bundled, node)});
	for (const [size, limit] of [['1000', 1.2], ['10000', 2]] as const) {
		const board = results.board[size];
		if (!board) continue;
		const frame = summarise(board.firstFrameRuns);
		const ratio = ratioOf(frame, bundled);
		rows.push({figure: `first frame, ${size} projects`, unit: 'ms', value: frame, floor: {label: 'bundled Ink', value: bundled}, ratio, target: `≤ ${limit}× bundled Ink`, met: ratio <= limit});
		const cards = summarise(board.firstCardsRuns);
		// "Board drawn" read strictly: the first frame is the shell, the cards follow the scan.
		const cardsRatio = ratioOf(cards, bundled);
		rows.push({figure: `first cards, ${size} projects`, unit: 'ms', value: cards, floor: {label: 'bundled Ink', value: bundled}, ratio: cardsRatio, target: `≤ ${limit}× bundled Ink`, met: cardsRatio <= limit});
	}

	const large = results.board['10000'];
	if (large) {
		const keys = large.keyLatencies;
		const p95 = percentile(keys, 95);
		rows.push({figure: 'key → screen, 10000 projects', unit: 'ms', value: summarise(keys), target: 'p95 ≤ 33 ms', met: p95 <= 33, note: `p50 ${percentile(keys, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${keys.length} keys`});
		const rss = summarise([large.peakRssMiB]);
		const bare = summarise(results.inkBundled.rssMiB);
		rows.push({figure: 'peak RSS, 10000 projects', unit: 'MiB', value: rss, floor: {label: 'bare Ink (bundled)', value: bare}, ratio: ratioOf(rss, bare), target: '≤ 150 MiB', met: rss.median <= 150});
	}

	if (results.render) {
		const moves = summarise(results.render.bytesPerMove.each);
		const full = summarise([results.render.fullRedrawBytes]);
		rows.push({figure: 'bytes per cursor move, 80×24', unit: 'B', value: moves, floor: {label: 'full redraw', value: full}, ratio: ratioOf(moves, full), note: results.render.cellsDifferingFromFreshRender > 0 ? `${results.render.cellsDifferingFromFreshRender} cells differ from a fresh render (misdrawn)` : 'screen after the moves equals a fresh render'});
		if (results.htop) {
			const htop = summarise(results.htop);
			const ratio = ratioOf(moves, htop);
			rows.push({figure: 'bytes per cursor move vs htop', unit: 'B', value: moves, floor: {label: 'htop', value: htop}, ratio, target: '≤ htop', met: ratio <= 1});
		}
	}

	for (const [size, scan] of Object.entries(results.scan ?? {})) {
		const cold = summarise(scan.samples.coldFull);
		const warm = summarise(scan.samples.warmFull);
		const speedUp = cold.median / warm.median;
		rows.push({figure: `cold scan, ${size} projects`, unit: 'ms', value: cold, ...(size === '10000' ? {target: '≤ 1000 ms', met: cold.median <= 1000} : {})});
		rows.push({figure: `warm refresh, ${size} projects`, unit: 'ms', value: warm, floor: {label: 'cold scan', value: cold}, ratio: speedUp, target: 'cold ÷ warm ≥ 23×', met: speedUp >= 23, note: `ratio is the speed-up, cold ÷ warm (${speedUp.toFixed(1)}×)`});
	}

	for (const [size, idle] of Object.entries(results.idle ?? {})) {
		const value = summarise(idle.runs.map(run => run.percent));
		const git = summarise(idle.runs.map(run => run.childrenPercent));
		rows.push({figure: `idle CPU, ${size} projects open`, unit: '% core', value, ...(size === '1000' ? {target: '≤ 1% of a core', met: value.median <= 1} : {}), note: `${idle.seconds} s on the board after start-up settled, ${idle.git} git repositories; git commands' share ${git.median.toFixed(2)}%`});
	}

	const storeRate = (mode: 'raw' | 'update', key: 'one' | 'eight') => summarise(results.store.flatMap(run => run.cells.filter(cell => cell.mode === mode && cell.bytes === 1024).map(cell => cell[key])));
	if (results.store.length > 0) {
		for (const [key, label] of [['one', '1 process'], ['eight', '8 processes']] as const) {
			const update = storeRate('update', key);
			const raw = storeRate('raw', key);
			const ratio = ratioOf(update, raw);
			rows.push({figure: `store update 1 KiB, ${label}`, unit: '/s', value: update, floor: {label: 'raw write-file-atomic', value: raw}, ratio, target: '≥ 0.5× raw', met: ratio >= 0.5});
		}
	}

	if (results.queue.length > 0) {
		const done = summarise(results.queue.flatMap(run => run.rounds.filter(round => round.workers === 1).map(round => round.donePerSecond)));
		const update = storeRate('update', 'one');
		rows.push({figure: 'queue no-op jobs enqueue → done, 1 worker', unit: 'jobs/s', value: done, floor: {label: 'store update/s', value: update}, ratio: ratioOf(done, update), target: '≥ 200 jobs/s', met: done.median >= 200});
	}

	if (results.queueHistory) {
		const {jobs, cold, warm, raw} = results.queueHistory;
		rows.push({figure: `queue listing, ${jobs} finished jobs, cold`, unit: 'ms', value: cold, floor: {label: 'raw read + parse', value: raw}, ratio: ratioOf(cold, raw)});
		rows.push({figure: `queue listing, ${jobs} finished jobs, warm`, unit: 'ms', value: warm, floor: {label: 'raw read + parse', value: raw}, ratio: ratioOf(warm, raw)});
	}

	if (results.processes.length > 0) {
		const pick = (label: string) => summarise(results.processes.map(run => run[`machine: ${label}`]?.wallMs ?? Number.NaN).filter(Number.isFinite));
		const ps = pick('ps -eo pid,ppid,uid,lstart,rss,args');
		const count = results.processes[0]?.['machine: snapshot all (rules + attribution)']?.processes ?? 0;
		for (const label of ['reader.list (raw /proc)', 'snapshot all (rules + attribution)']) {
			const value = pick(label);
			const ratio = ratioOf(value, ps);
			rows.push({figure: `process listing: ${label}, ${count} procs`, unit: 'ms', value, floor: {label: 'ps via execa', value: ps}, ratio, target: 'faster than ps', met: ratio < 1});
		}
	}

	return rows;
}
