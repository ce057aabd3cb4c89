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

describe('a writer killed with SIGKILL at random moments', () => {
	it(`never leaves a torn state file (${ROUNDS} rounds, payloads of 1 B to 1 MiB)`, async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		let lastGeneration = 0;
		let sweptTemps = 0;
		let sweptLocks = 0;
		for (let round = 0; round < ROUNDS; round++) {
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
			expect(loaded.generation).toBeGreaterThanOrEqual(lastGeneration);
			expect(loaded.data.g).toBe(loaded.generation);
			const expected = blobFor(loaded.generation);
			expect(loaded.data.size).toBe(expected.size);
			expect(loaded.data.fill === expected.fill).toBe(true);
			lastGeneration = loaded.generation;

			// The start-up sweep clears what the dead writer left, so the next one starts at once.
			const report = await sweepMeta(meta);
			expect(report.failed).toEqual([]);
			sweptTemps += report.removed.filter(item => item.kind === 'orphan-temp').length;
			sweptLocks += report.removed.filter(item => item.kind !== 'orphan-temp').length;
			expect(await leftovers(meta)).toEqual([]);
		}

		// The kills landed mid-write (temp files and held locks were left behind) and writes progressed.
		expect(sweptTemps).toBeGreaterThan(0);
		expect(sweptLocks).toBeGreaterThan(0);
		expect(lastGeneration).toBeGreaterThan(ROUNDS / 4);
		console.log(`${ROUNDS} rounds: generation ${lastGeneration}, swept ${sweptTemps} temp files and ${sweptLocks} locks`);
	}, 180_000);
});
