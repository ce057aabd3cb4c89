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
		// The worker starts at a random one of the first due jobs (and both
		// may share a creation time): whichever job runs first plays the
		// part of the job whose end is held back.
		let firstName: string | undefined;
		let running = 0;
		let most = 0;
		const run = async (name: string) => {
			running++;
			most = Math.max(most, running);
			if (firstName === undefined) {
				firstName = name;
				firstRunning.resolve();
				await lockTaken.promise;
			}

			running--;
			return {status: 'done' as const, message: 'ok'};
		};

		const byName = new Map([[first.target.name, first], [second.target.name, second]]);
		// While the first job runs, hold its lock: its end waits for it after the run.
		void firstRunning.promise.then(async () => ws.store.withLock(jobSpec(byName.get(firstName!)!.id).name, async () => {
			lockTaken.resolve();
			await releaseLock.promise;
		}));
		const events: Array<{type: string; name: string}> = [];
		const worker = runWorker(ws, {
			config: DEFAULT_SYNC_CONFIG,
			concurrency: 1,
			drain: true,
			autosync: false,
			pollMs: 20,
			runners: {custom: {
				first: async () => run('first'),
				second: async () => run('second'),
			}},
			onEvent(event: WorkerEvent) {
				if (event.type === 'claimed' || event.type === 'finished') {
					const name = event.job.target.name;
					events.push({type: event.type, name});
					if (event.type === 'finished' && name !== firstName) {
						releaseLock.resolve();
					}
				}
			},
		});
		const summary = await worker;
		// The other job ran (and ended) while the held job's end waited; one run at a time all along.
		expect(firstName).toBeDefined();
		expect(events.map(({type, name}) => `${type} ${name === firstName ? 'held' : 'other'}`)).toEqual(['claimed held', 'claimed other', 'finished other', 'finished held']);
		expect(most).toBe(1);
		expect(summary).toMatchObject({claimed: 2, done: 2});
		expect(await readJob(ws, first.id)).toMatchObject({state: 'done'});
		expect(await readJob(ws, second.id)).toMatchObject({state: 'done'});
	});
});
