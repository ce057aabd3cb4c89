// Measures the board scan: a cold scan (new scanner, nothing cached) against
// a warm refresh (same scanner, nothing or one thing changed) at 1,000 and
// 10,000 projects, and git state for a smaller set of real repositories.
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

for (const size of sizes) {
	const ws = await makeWorkspace(size, {git: false});
	const figures: Record<string, number[]> = {coldList: [], coldFull: [], warmList: [], warmFull: [], oneChange: []};
	for (let run = 0; run < runs; run++) {
		const cold = new BoardScanner(ws);
		figures.coldList!.push((await time(async () => cold.list()))[0]);
		const fresh = new BoardScanner(ws);
		const [coldFull] = await time(async () => {
			const listing = await fresh.list();
			await fresh.activity(listing.cards);
		});
		figures.coldFull!.push(coldFull);
		figures.warmList!.push((await time(async () => fresh.list()))[0]);
		figures.warmFull!.push((await time(async () => {
			const listing = await fresh.list();
			await fresh.activity(listing.cards);
		}))[0]);
		// One project gets a new file, as an editor's save-by-rename would.
		await fs.writeFile(path.join(ws.paths.stageDir.sandbox, 'project-00000', 'src', `new-${run}.ts`), 'x');
		figures.oneChange!.push((await time(async () => {
			const listing = await fresh.list();
			await fresh.activity(listing.cards);
		}))[0]);
	}

	const summary = Object.fromEntries(Object.entries(figures).map(([key, list]) => [key, median(list)]));
	results[`projects-${size}`] = {...summary, samples: figures};
	log(`${size} projects (3 files, 2 folders each), median of ${runs}:`);
	log(`  cold list (stage folders + metadata)        ${ms(summary['coldList']!)}`);
	log(`  cold list + activity walk                   ${ms(summary['coldFull']!)}`);
	log(`  warm list, nothing changed                  ${ms(summary['warmList']!)}`);
	log(`  warm list + activity, nothing changed      ${ms(summary['warmFull']!)}`);
	log(`  warm list + activity, one file added        ${ms(summary['oneChange']!)}`);
	log(`  speed-up warm vs cold (list + activity)     ${(summary['coldFull']! / summary['warmFull']!).toFixed(1)}x; list alone ${(summary['coldList']! / summary['warmList']!).toFixed(0)}x`);
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
