import {mkdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, it} from 'vitest';
import {listJobs} from '../../../source/core/queue/jobs.js';
import {spawnTs, type TsChild} from '../../helpers/child.js';
import {tempDirs} from '../../helpers/tmp.js';
import {makeWorkspace} from './helpers.js';

const dirs = tempDirs('queue-set');
const children = new Set<TsChild>();
afterEach(async () => {
	await Promise.all([...children].map(async child => child.kill('SIGKILL')));
	children.clear();
	await dirs.cleanupAll();
});

const CHILD = 'test/fixtures/queue/jepsen-child.ts';
const PRODUCERS = 4;
const JOBS_EACH = 40;

async function lines(file: string): Promise<string[]> {
	return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('queue set test: producers, workers killed at random', () => {
	it('runs every acknowledged job to done exactly once, loses none, never runs one twice at a time', async () => {
		const root = await dirs.create();
		const ws = await makeWorkspace(root);
		const markers = path.join(root, 'markers');
		await mkdir(markers);
		const violations = path.join(root, 'violations.log');

		const startWorker = async () => {
			const child = await spawnTs(CHILD, ['worker', root, markers, violations]);
			children.add(child);
			await child.waitForLine('ready', 20_000);
			return child;
		};

		const workers = [await startWorker(), await startWorker()];
		const producers = await Promise.all(Array.from({length: PRODUCERS}, async (_, id) => {
			const child = await spawnTs(CHILD, ['producer', root, String(id), String(JOBS_EACH), path.join(root, `acks-${id}.log`)]);
			children.add(child);
			return child;
		}));

		// Kill a random worker every 150–600 ms while the producers work, and a while after.
		let kills = 0;
		const killUntil = Date.now() + 8000;
		const producing = Promise.all(producers.map(async child => child.exited));
		while (Date.now() < killUntil) {
			await sleep(150 + Math.random() * 450);
			const index = Math.floor(Math.random() * workers.length);
			const victim = workers[index]!;
			await victim.kill('SIGKILL');
			children.delete(victim);
			kills++;
			workers[index] = await startWorker();
		}

		const exits = await producing;
		expect(exits.map(exit => exit.code), producers.map(child => child.stderr()).join('\n')).toEqual([0, 0, 0, 0]);
		const acked = (await Promise.all(Array.from({length: PRODUCERS}, async (_, id) => lines(path.join(root, `acks-${id}.log`))))).flat();
		expect(acked).toHaveLength(PRODUCERS * JOBS_EACH);

		// Let the surviving workers finish the queue.
		const deadline = Date.now() + 25_000;
		let listing = await listJobs(ws);
		while (Date.now() < deadline) {
			listing = await listJobs(ws);
			if (listing.jobs.every(job => job.state === 'done' || job.state === 'dead')) {
				break;
			}

			await sleep(200);
		}

		const byId = new Map(listing.jobs.map(job => [job.id, job]));
		const notFinished = acked.filter(id => byId.get(id)?.state !== 'done');
		expect(notFinished.map(id => `${id}: ${byId.get(id)?.state ?? 'missing'}`)).toEqual([]);
		expect(listing.unreadable).toEqual([]);
		// Exactly once: one job per acknowledged enqueue, no duplicates.
		expect(listing.jobs).toHaveLength(acked.length);
		expect(new Set(acked).size).toBe(acked.length);
		// Never two runs of one job at the same time.
		expect(await lines(violations)).toEqual([]);
		const runs = await lines(path.join(root, 'runs.log'));
		for (const id of acked) {
			expect(runs.some(line => line.startsWith(`${id} `))).toBe(true);
		}

		expect(kills).toBeGreaterThan(5);
		console.log(`set test: ${acked.length} jobs, ${kills} worker kills, ${runs.length} runs (${runs.length - acked.length} re-runs after a kill)`);
	}, 60_000);
});
