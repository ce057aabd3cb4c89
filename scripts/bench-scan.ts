// Measures the board scan: a cold scan (the open board's first refresh:
// stage folders, metadata and a walk of every project, nothing cached)
// against a warm refresh (the refresh the open board makes every second:
// stage folders re-read if changed, the cards on screen and a batch of the
// others re-checked), at 1,000 and 10,000 projects, with 20 cards on screen
// as at 80×24; also the cost of checking every card's cached walk at once;
// and git state for a smaller set of real repositories.
//
//   node scripts/run-ts.mjs scripts/bench-scan.ts [--sizes 1000,10000] [--git 200] [--runs 5] [--json]
//
// "Cold" means cold for cws (no cache in the process); the kernel's inode
// and directory caches are warm after the first run, as they are for a
// board that has been open for a while. Results go to stdout and
// bench-results/scan.json.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import type {BoardWorkspace} from '../source/core/board/context.js';
import type {BoardState, ProjectRecord} from '../source/core/board/model.js';
import {BoardFeed} from '../source/core/board/feed.js';
import {BoardScanner} from '../source/core/board/scanner.js';
import {boardStateSpec} from '../source/core/board/schema.js';
import {STAGES, workspacePaths} from '../source/core/paths.js';
import {Store} from '../source/core/store.js';
import {initWorkspace} from '../source/core/workspace.js';

const {values} = parseArgs({options: {sizes: {type: 'string', default: '1000,10000'}, git: {type: 'string', default: '200'}, runs: {type: 'string', default: '5'}, json: {type: 'boolean', default: false}}});
// With --json the figures go to stdout as one JSON document instead of lines of text.
const log = values.json ? () => undefined : (text: string) => console.log(text);
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
const gitCount = Number(values.git);

async function makeWorkspace(count: number, options: {git: boolean}): Promise<BoardWorkspace> {
	const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cws-bench-scan-'));
	await initWorkspace(root);
	const paths = workspacePaths(root);
	const ws = {paths, store: new Store(paths.meta)};
	const projects: Record<string, ProjectRecord> = {};
	const at = new Date().toISOString();
	for (let index = 0; index < count; index++) {
		const stage = STAGES[index % STAGES.length]!;
		const name = `project-${String(index).padStart(5, '0')}`;
		const dir = path.join(paths.stageDir[stage], name);
		await fs.mkdir(path.join(dir, 'src'), {recursive: true});
		await fs.writeFile(path.join(dir, 'README.md'), `# ${name}\n`);
		await fs.writeFile(path.join(dir, 'package.json'), '{"scripts":{"test":"node test.js"}}\n');
		await fs.writeFile(path.join(dir, 'src', 'index.ts'), 'export {};\n');
		if (options.git) {
			const env = {...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b'};
			execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: dir, env});
			execFileSync('git', ['add', '-A'], {cwd: dir, env});
			execFileSync('git', ['commit', '-qm', 'first'], {cwd: dir, env});
		}

		projects[name] = {model: 'open-source', description: '', created: at, history: [{from: null, to: stage, at, reason: 'created', forced: false}], notes: []};
	}

	await ws.store.update(boardStateSpec, (state): BoardState => ({...state, projects}));
	return ws;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
	const started = performance.now();
	const result = await fn();
	return [performance.now() - started, result];
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const results: Record<string, unknown> = {node: process.version, cpus: os.cpus().length, runs};

/** The cards an 80×24 board shows first: five per stage, as the board pane reports them on screen. */
function onScreen(count: number): string[] {
	return Array.from({length: Math.min(count, 20)}, (_, index) => {
		const stage = STAGES[index % STAGES.length]!;
		return `${stage}/project-${String(index).padStart(5, '0')}`;
	});
}

for (const size of sizes) {
	const ws = await makeWorkspace(size, {git: false});
	const figures: Record<string, number[]> = {coldList: [], coldFull: [], warmList: [], warmFull: [], warmCheckAll: [], oneChange: []};
	for (let run = 0; run < runs; run++) {
		const cold = new BoardScanner(ws);
		figures.coldList!.push((await time(async () => cold.list()))[0]);
		figures.warmList!.push((await time(async () => cold.list()))[0]);
		// The open board: its first refresh lists and walks every project, later ones re-check what can have changed.
		const feed = new BoardFeed(ws, {intervalMs: 60_000});
		feed.setFocus(onScreen(size));
		figures.coldFull!.push((await time(async () => feed.refresh()))[0]);
		figures.warmFull!.push((await time(async () => feed.refresh()))[0]);
		// Every card's cached walk checked against the disk in one go (what `cws list` would do warm).
		figures.warmCheckAll!.push((await time(async () => {
			const listing = await cold.list();
			await cold.activity(listing.cards);
		}))[0]);
		// A project on screen gets a new file, as an editor's save-by-rename would.
		const file = `new-${run}.ts`;
		await fs.writeFile(path.join(ws.paths.stageDir.sandbox, 'project-00000', 'src', file), 'x');
		figures.oneChange!.push((await time(async () => feed.refresh()))[0]);
		const card = feed.getSnapshot().listing.cards.find(card => card.key === 'sandbox/project-00000');
		if (card?.activity?.newestPath !== `src/${file}`) throw new Error(`the refresh after a change did not show it: ${JSON.stringify(card?.activity)}`);
	}

	const summary = Object.fromEntries(Object.entries(figures).map(([key, list]) => [key, median(list)]));
	results[`projects-${size}`] = {...summary, samples: figures};
	log(`${size} projects (3 files, 2 folders each), median of ${runs}:`);
	log(`  cold list (stage folders + metadata)           ${ms(summary['coldList']!)}`);
	log(`  cold scan: the board's first refresh (list + walk of every project)  ${ms(summary['coldFull']!)}`);
	log(`  warm list, nothing changed                     ${ms(summary['warmList']!)}`);
	log(`  warm refresh of the open board, nothing changed ${ms(summary['warmFull']!)}`);
	log(`  warm list + every card's walk checked          ${ms(summary['warmCheckAll']!)}`);
	log(`  warm refresh, one file added on screen         ${ms(summary['oneChange']!)}`);
	log(`  speed-up warm vs cold (board refresh)          ${(summary['coldFull']! / summary['warmFull']!).toFixed(1)}x; list alone ${(summary['coldList']! / summary['warmList']!).toFixed(0)}x; checking every card ${(summary['coldFull']! / summary['warmCheckAll']!).toFixed(1)}x`);
	await fs.rm(ws.paths.root, {recursive: true, force: true});
}

if (gitCount > 0) {
	const ws = await makeWorkspace(gitCount, {git: true});
	const scanner = new BoardScanner(ws);
	const listing = await scanner.list();
	await scanner.activity(listing.cards);
	const [cold] = await time(async () => scanner.git(listing.cards));
	const warm: number[] = [];
	for (let run = 0; run < runs; run++) {
		warm.push((await time(async () => {
			await scanner.activity(listing.cards);
			await scanner.git(listing.cards);
		}))[0]);
	}

	results[`git-${gitCount}`] = {cold, warm: median(warm), samples: warm};
	log(`${gitCount} git repositories (git status, 4 at a time):`);
	log(`  cold git state                              ${ms(cold)} (${(cold / gitCount).toFixed(1)} ms per repository)`);
	log(`  warm refresh (activity + git), unchanged    ${ms(median(warm))}`);
	await fs.rm(ws.paths.root, {recursive: true, force: true});
}

await fs.mkdir('bench-results', {recursive: true});
await fs.writeFile('bench-results/scan.json', `${JSON.stringify(results, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
