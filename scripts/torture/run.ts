/**
 * npm run torture: one TUI in a pseudo-terminal, three CLI workers, the
 * headless sync worker and a killer that SIGKILLs one of them every few
 * seconds, on one workspace; then a drain, :cexit, and checks that nothing
 * acknowledged was lost. Exit 1 when something was.
 *
 *   npm run torture -- [--minutes N] [--seed N] [--json] [--keep]
 */
import {existsSync} from 'node:fs';
import {rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {workspacePaths} from '../../source/core/paths.js';
import {listJobs} from '../../source/core/queue/jobs.js';
import {Store} from '../../source/core/store.js';
import {sweepMeta} from '../../source/core/sweep.js';
import {runChecks} from './checks.js';
import {buildFixture, type Fixture} from './fixture.js';
import {Killer} from './killer.js';
import {Ledger} from './ledger.js';
import {parseOptions, USAGE, type TortureOptions} from './options.js';
import {CLI, killAll, sleep} from './procs.js';
import {QueueWorkerSupervisor} from './queue-worker.js';
import {Rng} from './random.js';
import {readRecoveries} from './recoveries.js';
import {leftoverProcesses} from './leftovers.js';
import {buildSummary, formatSummary} from './summary.js';
import {TuiSupervisor} from './tui.js';
import {newModel, workerLoop} from './workers.js';

const WORKERS = 3;

async function main(options: TortureOptions): Promise<number> {
	if (!existsSync(CLI)) {
		process.stderr.write(`${CLI} is missing: run npm run build first.\n`);
		return 2;
	}

	const startedAt = Date.now();
	const rng = new Rng(options.seed);
	const log = (line: string) => {
		if (!options.json) process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line}\n`);
	};

	const fixture = await buildFixture();
	log(`workspace ${fixture.root}, seed ${options.seed}, ${options.minutes} min of chaos`);
	const ledger = new Ledger();
	const model = newModel(fixture);
	const tui = new TuiSupervisor(fixture, rng.fork(100));
	const worker = new QueueWorkerSupervisor(fixture);
	const killer = new Killer(rng.fork(200));
	tui.start();
	worker.start();
	killer.start();

	const chaosStart = Date.now();
	const deadline = chaosStart + options.minutes * 60_000;
	const progress = setInterval(() => log(`${ledger.ops.length} operations, ${killer.report.total} kills`), 30_000);
	await Promise.all(Array.from({length: WORKERS}, async (_, index) => workerLoop(index, fixture, ledger, model, rng.fork(index), () => Date.now() >= deadline)));
	clearInterval(progress);
	await killer.stop();
	const chaosMs = Date.now() - chaosStart;
	log(`chaos over: ${ledger.ops.length} operations, ${killer.report.total} kills; draining the queue`);

	const drain = await drainQueue(fixture, Math.min(120_000, Math.max(30_000, options.minutes * 6000)));
	log(`drain ${drain.complete ? 'complete' : `stopped with ${drain.left} jobs waiting`} after ${(drain.ms / 1000).toFixed(1)} s; stopping the worker and leaving the TUI with :cexit`);
	await worker.finish();
	await tui.finish();
	const extraProblems = await leftoverProcesses(fixture);
	// A process killed in the last moments of the chaos can leave a lock or a
	// temp file that no later process happened to need. cws removes such
	// leftovers of dead processes with the sweep every start runs when it opens
	// the workspace, so the checks follow that sweep, as a user's next command
	// would. Only the sweep: a command would also read state files, and a read
	// restores a damaged one from its backup, which verify must still see.
	const nextStart = await sweepMeta(workspacePaths(fixture.root).meta);
	log(`the next start's sweep removed ${nextStart.removed.length} leftovers of killed processes`);
	for (const {finding, error} of nextStart.failed) extraProblems.push(`the start-up sweep could not remove ${finding.path}: ${error}`);
	log('checking');
	const checks = await runChecks(fixture, ledger);
	const recoveries = await readRecoveries(fixture);
	const summary = buildSummary({seed: options.seed, minutes: options.minutes, startedAt, chaosMs, drain, ledger, kills: killer.report, tui: tui.report, worker: worker.report, recoveries, checks, extraProblems});
	if (options.keep || !summary.ok) {
		summary.workspace = fixture.base;
		await writeFile(path.join(fixture.logs, 'operations.jsonl'), ledger.ops.map(op => JSON.stringify(op)).join('\n') + '\n');
	} else {
		await rm(fixture.base, {recursive: true, force: true});
	}

	process.stdout.write(options.json ? `${JSON.stringify(summary, null, '\t')}\n` : `${formatSummary(summary)}\n`);
	return summary.ok ? 0 : 1;
}

/** Waits until no job is waiting or running (new ones keep the wait going), up to `limitMs`. */
async function drainQueue(fixture: Fixture, limitMs: number): Promise<{ms: number; complete: boolean; left: number}> {
	const paths = workspacePaths(fixture.root);
	const ws = {paths, store: new Store(paths.meta)};
	const started = Date.now();
	let left = Number.POSITIVE_INFINITY;
	while (Date.now() - started < limitMs) {
		const {jobs} = await listJobs(ws);
		left = jobs.filter(job => ['pending', 'failed', 'running'].includes(job.state)).length;
		if (left === 0) {
			return {ms: Date.now() - started, complete: true, left};
		}

		await sleep(1000);
	}

	return {ms: Date.now() - started, complete: false, left};
}

let options: TortureOptions;
try {
	options = parseOptions(process.argv.slice(2));
} catch (error) {
	process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
	process.exit(2);
}

process.on('SIGINT', () => {
	killAll();
	process.exit(130);
});

try {
	process.exitCode = await main(options);
} catch (error) {
	killAll();
	process.stderr.write(`torture run aborted: ${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
}

// node-pty keeps handles open; everything this run started has ended by now.
process.exit(process.exitCode);
