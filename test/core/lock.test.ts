import {readdir} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {Store} from '../../source/core/store.js';
import {spawnTs, type TsChild} from '../helpers/child.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec} from '../fixtures/store-specs.js';

const CHILD = 'test/fixtures/store-child.ts';
const temps = tempDirs('lock');
const children: TsChild[] = [];
afterEach(async () => {
	await Promise.all(children.splice(0).map(async child => child.kill('SIGKILL')));
});
afterAll(async () => temps.cleanupAll());

async function spawnChild(args: string[]): Promise<TsChild> {
	const child = await spawnTs(CHILD, args);
	children.push(child);
	return child;
}

async function timed<R>(fn: () => Promise<R>): Promise<{result: R; ms: number}> {
	const start = performance.now();
	const result = await fn();
	return {result, ms: performance.now() - start};
}

describe('a lock whose holder is gone', () => {
	it('held by a process killed with SIGKILL: taken over at once (well within 15 s)', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const holder = await spawnChild(['hold', meta, 'workspace']);
		await holder.waitForLine('locked');
		await holder.kill('SIGKILL');
		expect(await readdir(path.join(meta, 'locks'))).toEqual(['workspace.lock']);

		const {result, ms} = await timed(async () => new Store(meta).withLock('workspace', async () => 'mine'));
		expect(result).toBe('mine');
		expect(ms).toBeLessThan(15_000);
		expect(await readdir(path.join(meta, 'locks'))).toEqual([]);
	});

	it('held by a process that hangs (SIGSTOP): taken over after the 10 s stale time, within 15 s', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const holder = await spawnChild(['hold', meta, 'counter.json']);
		await holder.waitForLine('locked');
		holder.process.kill('SIGSTOP');
		const store = new Store(meta);
		const {result, ms} = await timed(async () => store.update(counterSpec, current => ({n: current.n + 1})));
		expect(result.data.n).toBe(1);
		// Not before the lock went stale (the holder is alive, just stopped), and not much after.
		expect(ms).toBeGreaterThan(5000);
		expect(ms).toBeLessThan(15_000);
	}, 30_000);

	it('a waiter gives up with LOCK_TIMEOUT naming the lock and the live holder', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const holder = await spawnChild(['hold', meta, 'workspace']);
		await holder.waitForLine('locked');
		const store = new Store(meta, {lock: {wait: 300}});
		const error = await store.withLock('workspace', async () => 'no').then(() => undefined, (error_: unknown) => error_ as {code: string; message: string; hint: string});
		expect(error?.code).toBe('LOCK_TIMEOUT');
		expect(error?.message).toContain('"workspace"');
		expect(error?.message).toContain(`process ${holder.pid}`);
		expect(error?.hint).toContain('Retry');
	});
});

describe('fencing a writer that stalled past the stale time', () => {
	it('its late write is refused by the generation check and the other writer\'s change survives', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const stale = 2000;
		const store = new Store(meta, {lock: {stale}});
		await store.update(counterSpec, () => ({n: 1}));

		// The child reads generation 1 under the lock, then blocks its event loop for 6 s.
		const stalled = await spawnChild(['stall', meta, '6000', String(stale)]);
		await stalled.waitForLine('inFn');
		// This process takes the lock over once it is stale and commits generation 2.
		const {result, ms} = await timed(async () => store.update(counterSpec, current => ({n: current.n + 1})));
		expect(result).toEqual({data: {n: 2}, generation: 2});
		expect(ms).toBeGreaterThan(stale - 500);

		const line = await stalled.waitForLine(text => text.includes('error') || text.includes('published'), 15_000);
		const outcome = JSON.parse(line) as {error?: {code: string; message: string}};
		expect(outcome.error?.code).toBe('STATE_STALE_WRITER');
		expect(outcome.error?.message).toContain('another writer committed generation 2 after this one read generation 1');
		expect(await stalled.exited).toEqual({code: 0, signal: null}); // a compromised lock does not crash it

		const after = await store.read(counterSpec);
		expect(after).toEqual({data: {n: 2}, generation: 2});
	}, 30_000);
});

describe('locks within one process', () => {
	it('are reentrant along one call chain: update inside withLock of the same name', async () => {
		const store = new Store(path.join(await temps.create(), '.cws'));
		const result = await store.withLock(counterSpec.name, async () => {
			await store.update(counterSpec, current => ({n: current.n + 1}));
			return store.update(counterSpec, current => ({n: current.n + 1}));
		});
		expect(result.data.n).toBe(2);
	});

	it('reentrancy is per workspace: the same lock name in another workspace is really taken', async () => {
		const metaA = path.join(await temps.create(), '.cws');
		const metaB = path.join(await temps.create(), '.cws');
		const seen = await new Store(metaA).withLock('workspace', async () => new Store(metaB).withLock('workspace', async () => readdir(path.join(metaB, 'locks'))));
		expect(seen).toEqual(['workspace.lock']);
	});

	it('two Store objects on one workspace queue in-process', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const stores = [new Store(meta), new Store(meta)];
		await Promise.all(Array.from({length: 40}, async (_, i) => stores[i % 2]!.update(counterSpec, current => ({n: current.n + 1}))));
		expect((await stores[0]!.read(counterSpec)).data.n).toBe(40);
	});

	it('serialise callers of the same name and release on errors', async () => {
		const store = new Store(path.join(await temps.create(), '.cws'));
		const order: string[] = [];
		const first = store.withLock('workspace', async () => {
			order.push('first in');
			await new Promise(resolve => setTimeout(resolve, 50));
			order.push('first out');
			throw new Error('boom');
		});
		const second = store.withLock('workspace', async () => {
			order.push('second');
		});
		await expect(first).rejects.toThrow('boom');
		await second;
		expect(order).toEqual(['first in', 'first out', 'second']);
	});
});
