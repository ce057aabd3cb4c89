// Queue throughput: no-op jobs from enqueue to done, with one worker process
// and with two, on a fresh workspace in the system temp folder.
//
//   node scripts/run-ts.mjs scripts/bench-queue.ts [--jobs N] [--concurrency C] [--workers 1,2] [--json]
//
// A producer (this process) enqueues N jobs as fast as it can, one after the
// other (each enqueue returns only once its job is durable), while the
// workers (child processes of this script, started before the clock starts)
// claim and run them; the clock stops when the producer's listing shows every
// job done. Every job goes through the real files: enqueue and finish are
// durable, checksummed writes, a claim fsyncs the job's bytes.
//
// The floor, measured in the same run just before each round: Store.update
// of one small state file in this process, one after the other (each a
// lock, two fsyncs and checks), as updates per second.
import {fork} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {parseArgs} from 'node:util';
import {workspacePaths} from '../source/core/paths.js';
import {DEFAULT_SYNC_CONFIG} from '../source/core/queue/config.js';
import {enqueueJob} from '../source/core/queue/enqueue.js';
import {listJobs} from '../source/core/queue/jobs.js';
import {percentile} from '../source/core/queue/stats.js';
import type {CustomTarget} from '../source/core/queue/types.js';
import {runWorker} from '../source/core/queue/worker.js';
import {initWorkspace} from '../source/core/workspace.js';
import {Store} from '../source/core/store.js';

const {values} = parseArgs({
	options: {
		jobs: {type: 'string', default: '300'},
		concurrency: {type: 'string', default: '2'},
		worker: {type: 'string'},
		workers: {type: 'string', default: '1,2'},
		json: {type: 'boolean', default: false},
	},
});

const open = (root: string) => {
	const paths = workspacePaths(root);
	return {paths, store: new Store(paths.meta)};
};

if (values.worker) {
	// Worker mode: run no-op jobs until told to stop.
	const controller = new AbortController();
	process.on('message', () => controller.abort());
	await runWorker(open(values.worker), {
		config: DEFAULT_SYNC_CONFIG,
		concurrency: Number(values.concurrency),
		runners: {custom: {noop: async () => ({status: 'done', message: 'nothing to do'})}},
		pollMs: 5,
		signal: controller.signal,
	});
	process.exit(0);
}

type Round = {storeUpdatePerSecond: number; enqueuePerSecond: number; donePerSecond: number; drainPerSecond: number; latencyP50: number; latencyP95: number};

async function waitAllDone(ws: ReturnType<typeof open>, jobs: number) {
	for (;;) {
		const listing = await listJobs(ws);
		if (listing.jobs.filter(job => job.state === 'done').length >= jobs) {
			return listing;
		}

		await sleep(20);
	}
}

/** Store.update calls per second on one small state file for `ms`. */
async function storeUpdateRate(ws: ReturnType<typeof open>, ms = 1000): Promise<number> {
	const spec = {name: 'bench-floor.json', version: 1, backups: 0, parse: (payload: unknown) => payload as {n: number}, initial: () => ({n: 0})};
	const started = performance.now();
	let count = 0;
	while (performance.now() - started < ms) {
		await ws.store.update(spec, current => ({n: current.n + 1}));
		count++;
	}

	return count / ((performance.now() - started) / 1000);
}

async function round(workers: number, jobs: number): Promise<Round> {
	const root = await mkdtemp(path.join(os.tmpdir(), 'cws-bench-queue-'));
	try {
		await initWorkspace(root);
		const ws = open(root);
		const storeUpdatePerSecond = await storeUpdateRate(ws);
		const target: CustomTarget = {name: 'noop', kind: 'custom', runner: 'noop', params: {}};
		const enqueueAll = async (round: string) => {
			for (let n = 0; n < jobs; n++) {
				await enqueueJob(ws, {project: `p${n % 50}`, target: {...target, name: `${round}${Math.floor(n / 50)}`}});
			}
		};

		const startWorkers = async () => {
			const children = Array.from({length: workers}, () => fork(process.argv[1]!, ['--worker', root, '--concurrency', String(values.concurrency)], {stdio: 'inherit'}));
			await sleep(500);
			return async () => {
				for (const child of children) {
					child.send('stop');
				}

				await Promise.all(children.map(async child => new Promise(resolve => child.once('exit', resolve))));
			};
		};

		// 1. Producer and workers at the same time: enqueue → done.
		let stop = await startWorkers();
		const started = performance.now();
		await enqueueAll('a');
		const enqueued = performance.now();
		const listing = await waitAllDone(ws, jobs);
		const finished = performance.now();
		await stop();
		const latencies = listing.jobs.map(job => job.finishedAt! - job.createdAt).sort((a, b) => a - b);

		// 2. A queue already full: how fast the workers empty it.
		await enqueueAll('b');
		stop = await startWorkers();
		const full = await waitAllDone(ws, 2 * jobs);
		await stop();
		// From the first claim to the last end, by the jobs' own times: the
		// workers' start-up (module loading, the first recovery) is not the
		// queue's, and a small queue may be empty before startWorkers returns.
		const second = full.jobs.filter(job => job.target.name.startsWith('b'));
		const drainMs = Math.max(1, Math.max(...second.map(job => job.finishedAt!)) - Math.min(...second.map(job => job.firstStartedAt!)));
		return {
			storeUpdatePerSecond,
			enqueuePerSecond: jobs / ((enqueued - started) / 1000),
			donePerSecond: jobs / ((finished - started) / 1000),
			drainPerSecond: jobs / (drainMs / 1000),
			latencyP50: percentile(latencies, 0.5) ?? 0,
			latencyP95: percentile(latencies, 0.95) ?? 0,
		};
	} finally {
		await rm(root, {recursive: true, force: true});
	}
}

const jobs = Number(values.jobs);
// With --json the rounds go to stdout as one JSON document instead of lines of text.
const log = values.json ? () => undefined : (text: string) => console.log(text);
const rounds: Array<Round & {workers: number}> = [];
log(`queue throughput, ${jobs} no-op jobs, worker concurrency ${values.concurrency}, temp dir on ${os.tmpdir()}`);
for (const workers of values.workers.split(',').map(Number)) {
	const result = await round(workers, jobs);
	rounds.push({workers, ...result});
	log(`${workers} worker${workers > 1 ? 's' : ' '}: ${result.donePerSecond.toFixed(1)} jobs/s enqueue→done (${(result.donePerSecond / result.storeUpdatePerSecond).toFixed(2)}× the store's ${result.storeUpdatePerSecond.toFixed(0)} updates/s) with a producer running (it enqueues ${result.enqueuePerSecond.toFixed(1)}/s; latency p50 ${result.latencyP50} ms, p95 ${result.latencyP95} ms); a full queue drains at ${result.drainPerSecond.toFixed(1)} jobs/s`);
}

if (values.json) process.stdout.write(`${JSON.stringify({jobs, concurrency: Number(values.concurrency), rounds}, null, 2)}\n`);
