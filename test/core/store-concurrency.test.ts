import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {Store} from '../../source/core/store.js';
import {spawnTs} from '../helpers/child.js';
import {memoryTempRoot, tempDirs} from '../helpers/tmp.js';
import {counterSpec} from '../fixtures/store-specs.js';

const CHILD = 'test/fixtures/store-child.ts';
// Locking, not the disk, is under test: memory-backed so a busy disk does not stretch it.
const temps = tempDirs('store-conc', memoryTempRoot());
afterAll(async () => temps.cleanupAll());

describe('Store.update under contention', () => {
	it('8 processes × 200 locked increments of one counter add up to exactly 1600', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const children = await Promise.all(Array.from({length: 8}, async () => spawnTs(CHILD, ['increment', meta, '200'])));
		const exits = await Promise.all(children.map(async child => child.exited));
		for (const [index, exit] of exits.entries()) {
			expect(exit, children[index]!.stderr()).toEqual({code: 0, signal: null});
		}

		const loaded = await new Store(meta).read(counterSpec);
		expect(loaded.data.n).toBe(1600);
		expect(loaded.generation).toBe(1600);
		// Every writer's own tally survived too: no update was applied to a stale copy.
		expect(Object.values(loaded.data.writers ?? {})).toEqual(Array.from({length: 8}, () => 200));
		expect(loaded.recovered).toBeUndefined();
		// Nothing left behind: no lock folder, no temp file, 3 backups kept.
		expect(await readdir(path.join(meta, 'locks'))).toEqual([]);
		expect((await readdir(meta)).filter(name => name.includes('cws-tmp'))).toEqual([]);
		expect(await readdir(path.join(meta, 'backups', 'counter.json'))).toHaveLength(3);
	}, 120_000);

	it('concurrent updates inside one process queue instead of losing increments', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		await Promise.all(Array.from({length: 50}, async () => store.update(counterSpec, current => ({n: current.n + 1}))));
		expect((await store.read(counterSpec)).data.n).toBe(50);
	});
});
