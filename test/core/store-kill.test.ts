import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {Store} from '../../source/core/store.js';
import {sweepMeta} from '../../source/core/sweep.js';
import {spawnTs} from '../helpers/child.js';
import {tempDirs} from '../helpers/tmp.js';
import {blobFor, blobSpec} from '../fixtures/store-specs.js';

const CHILD = 'test/fixtures/store-child.ts';
const ROUNDS = 200;
const temps = tempDirs('store-kill');
afterAll(async () => temps.cleanupAll());

/** Temp files and lock folders anywhere under `dir` (relative paths). */
async function leftovers(dir: string, prefix = ''): Promise<string[]> {
	const found: string[] = [];
	// A writer killed before its first write has not created .cws yet.
	const entries = await readdir(path.join(dir, prefix), {withFileTypes: true}).catch(() => []);
	for (const entry of entries) {
		const relative = path.join(prefix, entry.name);
		if (entry.name.includes('cws-tmp') || entry.name.includes('.lock')) {
			found.push(relative);
		} else if (entry.isDirectory()) {
			found.push(...await leftovers(dir, relative));
		}
	}

	return found;
}

type LaneResult = {lastGeneration: number; sweptTemps: number; sweptLocks: number};

/** One writer after another on one state file, each killed at a random moment, checked after each kill. */
async function lane(rounds: number): Promise<LaneResult> {
	const meta = path.join(await temps.create(), '.cws');
	const store = new Store(meta);
	const result: LaneResult = {lastGeneration: 0, sweptTemps: 0, sweptLocks: 0};
	for (let round = 0; round < rounds; round++) {
		const child = await spawnTs(CHILD, ['rewrite', meta]);
		await child.waitForLine('ready');
		// Let it finish 0 to 2 writes (the first one is slow: cold code), then kill at a random moment.
		const writes = round % 3;
		if (writes > 0) {
			await child.waitForLine(line => line.startsWith('{"wrote"') && child.lines.filter(item => item.startsWith('{"wrote"')).length >= writes);
		}

		await sleep(Math.random() * 25);
		const exit = await child.kill('SIGKILL');
		expect(exit.signal, child.stderr()).toBe('SIGKILL');

		// A reader sees the old or the new payload, whole, and never needs a repair.
		const loaded = await store.read(blobSpec);
		expect(loaded.recovered).toBeUndefined();
		expect(loaded.generation).toBeGreaterThanOrEqual(result.lastGeneration);
		expect(loaded.data.g).toBe(loaded.generation);
		const expected = blobFor(loaded.generation);
		expect(loaded.data.size).toBe(expected.size);
		expect(loaded.data.fill === expected.fill).toBe(true);
		result.lastGeneration = loaded.generation;

		// The start-up sweep clears what the dead writer left, so the next one starts at once.
		const report = await sweepMeta(meta);
		expect(report.failed).toEqual([]);
		result.sweptTemps += report.removed.filter(item => item.kind === 'orphan-temp').length;
		result.sweptLocks += report.removed.filter(item => item.kind !== 'orphan-temp').length;
		expect(await leftovers(meta)).toEqual([]);
	}

	return result;
}

describe('a writer killed with SIGKILL at random moments', () => {
	it(`never leaves a torn state file (${ROUNDS} rounds, payloads of 1 B to 1 MiB)`, async () => {
		// Two state files side by side halve the wall time; each lane is independent.
		const lanes = await Promise.all([lane(ROUNDS / 2), lane(ROUNDS / 2)]);
		for (const result of lanes) {
			// The kills landed mid-write (temp files and held locks were left behind) and writes progressed.
			expect(result.sweptTemps).toBeGreaterThan(0);
			expect(result.sweptLocks).toBeGreaterThan(0);
			expect(result.lastGeneration).toBeGreaterThan(ROUNDS / 8);
		}

		console.log(`${ROUNDS} rounds: ${JSON.stringify(lanes)}`);
	}, 180_000);
});
