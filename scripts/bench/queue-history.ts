// Listing a queue that holds 10,000 finished jobs: what the queue pane and
// `cws queue` pay on each refresh, cold (a new process) and warm (the same
// process, nothing changed), next to reading and parsing the same files
// with nothing else done.
//
//   node scripts/run-ts.mjs scripts/bench/queue-history.ts [--jobs 10000] [--runs 5] [--json]
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {encodeEnvelope} from '../../source/core/envelope.js';
import {workspacePaths} from '../../source/core/paths.js';
import {enqueueJob} from '../../source/core/queue/enqueue.js';
import {jobSpec, listJobs, newJobId} from '../../source/core/queue/jobs.js';
import type {Job} from '../../source/core/queue/types.js';
import {Store} from '../../source/core/store.js';
import {initWorkspace} from '../../source/core/workspace.js';
import {summarise} from './stats.js';

const {values} = parseArgs({options: {jobs: {type: 'string', default: '10000'}, runs: {type: 'string', default: '5'}, json: {type: 'boolean', default: false}}});
const count = Number(values.jobs);
const runs = Number(values.runs);

const root = await mkdtemp(path.join(os.tmpdir(), 'cws-bench-queue-history-'));
try {
	await initWorkspace(root);
	const paths = workspacePaths(root);
	const open = () => ({paths, store: new Store(paths.meta)});
	// One job through the real enqueue, then copies of it as finished jobs:
	// enqueueing 10,000 for real takes minutes and is measured elsewhere.
	const {job} = await enqueueJob(open(), {project: 'p0', target: {name: 'noop', kind: 'custom', runner: 'noop', params: {}}});
	const spec = jobSpec(job.id);
	const now = Date.now();
	for (let start = 0; start < count - 1; start += 200) {
		await Promise.all(Array.from({length: Math.min(200, count - 1 - start)}, async (_, offset) => {
			const at = now - ((start + offset) * 1000);
			const done: Job = {...job, id: newJobId(at), project: `p${(start + offset) % 500}`, state: 'done', attempt: 1, claim: 1, createdAt: at, updatedAt: at + 50, dueAt: at, startedAt: at + 10, firstStartedAt: at + 10, finishedAt: at + 50};
			await writeFile(path.join(paths.queue, `${done.id}.json`), encodeEnvelope(done, {version: spec.version, generation: 1}), {mode: 0o600});
		}));
	}

	const cold: number[] = [];
	const warm: number[] = [];
	const raw: number[] = [];
	let listed = 0;
	for (let run = 0; run < runs; run++) {
		const ws = open();
		let started = performance.now();
		listed = (await listJobs(ws)).jobs.length;
		cold.push(performance.now() - started);
		started = performance.now();
		await listJobs(ws);
		warm.push(performance.now() - started);
		started = performance.now();
		const names = await readdir(paths.queue);
		for (const name of names) {
			if (name.endsWith('.json')) JSON.parse(await readFile(path.join(paths.queue, name), 'utf8'));
		}

		raw.push(performance.now() - started);
	}

	const result = {jobs: listed, cold: summarise(cold), warm: summarise(warm), raw: summarise(raw)};
	if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	else {
		const line = (label: string, value: typeof result.cold) => `${label.padEnd(44)} median ${value.median.toFixed(1)} ms (min ${value.min.toFixed(1)}, max ${value.max.toFixed(1)})`;
		process.stdout.write(`${[
			`${listed} jobs in the queue, ${runs} runs`,
			line('listJobs, new process (nothing cached)', result.cold),
			line('listJobs, same process, nothing changed', result.warm),
			line('readdir + readFile + JSON.parse, same files', result.raw),
		].join('\n')}\n`);
	}
} finally {
	await rm(root, {recursive: true, force: true});
}
