import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_SYNC_CONFIG} from '../../../source/core/queue/config.js';
import {enqueueJob} from '../../../source/core/queue/enqueue.js';
import {jobSpec, readJob} from '../../../source/core/queue/jobs.js';
import type {CustomTarget} from '../../../source/core/queue/types.js';
import {runWorker, type WorkerEvent} from '../../../source/core/queue/worker.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-slots');
afterEach(async () => dirs.cleanupAll());

const target = (runner: string): CustomTarget => ({name: runner, kind: 'custom', runner, params: {}});

function deferred(): {promise: Promise<void>; resolve: () => void} {
	let resolve!: () => void;
	const promise = new Promise<void>(done => {
		resolve = done;
	});
	return {promise, resolve};
}

describe('worker slots', () => {
	it('a job whose run is over frees its slot while its end is still being made durable; the end is reported only once durable', async () => {
		const ws = await makeWorkspace(await dirs.create());
		const first = (await enqueueJob(ws, {project: 'app', target: target('first')})).job;
		const second = (await enqueueJob(ws, {project: 'app', target: target('second')})).job;
		const firstRunning = deferred();
		const lockTaken = deferred();
		const releaseLock = deferred();
		let running = 0;
		let most = 0;
		const counted = (wait?: Promise<void>) => async () => {
			running++;
			most = Math.max(most, running);
			await wait;
			running--;
			return {status: 'done' as const, message: 'ok'};
		};

		// While the first job runs, hold its lock: its end waits for it after the run.
		void firstRunning.promise.then(async () => ws.store.withLock(jobSpec(first.id).name, async () => {
			lockTaken.resolve();
			await releaseLock.promise;
		}));
		const events: string[] = [];
		const worker = runWorker(ws, {
			config: DEFAULT_SYNC_CONFIG,
			concurrency: 1,
			drain: true,
			autosync: false,
			pollMs: 20,
			runners: {custom: {
				first: async () => {
					firstRunning.resolve();
					await lockTaken.promise;
					return counted()();
				},
				second: counted(),
			}},
			onEvent(event: WorkerEvent) {
				if (event.type === 'claimed' || event.type === 'finished') {
					events.push(`${event.type} ${event.job.target.name}`);
					if (event.type === 'finished' && event.job.target.name === 'second') {
						releaseLock.resolve();
					}
				}
			},
		});
		const summary = await worker;
		// The second job ran (and ended) while the first's end waited; one run at a time all along.
		expect(events).toEqual(['claimed first', 'claimed second', 'finished second', 'finished first']);
		expect(most).toBe(1);
		expect(summary).toMatchObject({claimed: 2, done: 2});
		expect(await readJob(ws, first.id)).toMatchObject({state: 'done'});
		expect(await readJob(ws, second.id)).toMatchObject({state: 'done'});
	});
});
