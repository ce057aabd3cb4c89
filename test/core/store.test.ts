import {readdir, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {atomicWriteFile} from '../../source/core/atomic-write.js';
import {encodeEnvelope} from '../../source/core/envelope.js';
import {SchemaError, Store, type StateSpec} from '../../source/core/store.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec, type Counter} from '../fixtures/store-specs.js';

const temps = tempDirs('store');
afterAll(async () => temps.cleanupAll());

async function newStore(): Promise<{store: Store; meta: string}> {
	const meta = path.join(await temps.create(), '.cws');
	return {store: new Store(meta), meta};
}

type Job = {id: string; state: 'queued' | 'done'};
const jobSpec = (id: string, backups?: number): StateSpec<Job> => ({
	name: `queue/${id}.json`,
	version: 1,
	parse(payload) {
		const job = payload as Job;
		if (job?.state !== 'queued' && job?.state !== 'done') {
			throw new SchemaError('state: must be one of queued, done');
		}

		return job;
	},
	initial: () => ({id, state: 'queued'}),
	...(backups === undefined ? {} : {backups}),
});

describe('Store', () => {
	it('a file that does not exist reads as initial() at generation 0 and is not created by reading', async () => {
		const {store, meta} = await newStore();
		expect(await store.read(counterSpec)).toEqual({data: {n: 0}, generation: 0});
		await expect(stat(meta)).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('update publishes the next generation in an envelope; folders 0700 and files 0600 whatever the umask', async () => {
		const {store, meta} = await newStore();
		const previous = process.umask(0o000);
		try {
			expect(await store.update(counterSpec, current => ({n: current.n + 5}))).toEqual({data: {n: 5}, generation: 1});
			expect(await store.update(counterSpec, current => ({n: current.n * 2}))).toEqual({data: {n: 10}, generation: 2});
		} finally {
			process.umask(previous);
		}

		const envelope = JSON.parse(await readFile(path.join(meta, 'counter.json'), 'utf8')) as Record<string, unknown>;
		expect(envelope).toMatchObject({format: 'cws-state', version: 1, generation: 2, payload: {n: 10}});
		for (const dir of [meta, path.join(meta, 'locks'), path.join(meta, 'backups'), path.join(meta, 'backups', 'counter.json')]) {
			expect((await stat(dir)).mode & 0o777).toBe(0o700);
		}

		for (const file of ['counter.json', 'backups/counter.json/000000000001.json', 'backups/counter.json/000000000002.json']) {
			expect((await stat(path.join(meta, file))).mode & 0o777).toBe(0o600);
		}
	});

	it('keeps the last N generations as backups (default 10), identical to what was published', async () => {
		const {store, meta} = await newStore();
		const spec = jobSpec('a');
		for (let i = 0; i < 13; i++) {
			await store.update(spec, job => ({...job, state: i % 2 === 0 ? 'done' as const : 'queued' as const}));
		}

		const dir = path.join(meta, 'backups', 'queue', 'a.json');
		const names = await readdir(dir);
		expect(names.sort()).toEqual(Array.from({length: 10}, (_, i) => `${String(i + 4).padStart(12, '0')}.json`));
		expect(await readFile(path.join(dir, '000000000013.json'))).toEqual(await readFile(path.join(meta, 'queue', 'a.json')));

		// backups: 0 keeps none.
		await store.update(jobSpec('b', 0), job => job);
		await expect(stat(path.join(meta, 'backups', 'queue', 'b.json'))).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('an fn that throws writes nothing and releases the lock', async () => {
		const {store, meta} = await newStore();
		await store.update(counterSpec, () => ({n: 1}));
		const before = await readFile(path.join(meta, 'counter.json'));
		await expect(store.update(counterSpec, () => {
			throw new Error('changed my mind');
		})).rejects.toThrow('changed my mind');
		expect(await readFile(path.join(meta, 'counter.json'))).toEqual(before);
		expect(await readdir(path.join(meta, 'locks'))).toEqual([]);
		expect((await store.update(counterSpec, current => ({n: current.n + 1}))).data.n).toBe(2);
	});

	it('refuses to write content that its own spec would reject (STATE_INVALID)', async () => {
		const {store, meta} = await newStore();
		await expect(store.update(counterSpec, () => ({n: 'lots'} as unknown as Counter))).rejects.toMatchObject({code: 'STATE_INVALID'});
		await expect(stat(path.join(meta, 'counter.json'))).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('refuses to publish over a file changed behind its back (fencing), publishing nothing', async () => {
		const {store, meta} = await newStore();
		const file = path.join(meta, 'counter.json');
		await store.update(counterSpec, () => ({n: 1}));
		const foreign = encodeEnvelope({n: 100}, {version: 1, generation: 2});
		const error = await store.update(counterSpec, async current => {
			// Something that ignores the lock commits generation 2 meanwhile.
			await atomicWriteFile(file, foreign);
			return {n: current.n + 1};
		}).then(() => undefined, (error_: unknown) => error_ as {code: string; message: string; hint: string});
		expect(error?.code).toBe('STATE_STALE_WRITER');
		expect(error?.message).toContain('another writer committed generation 2 after this one read generation 1');
		expect(error?.hint).toContain('Nothing was written');
		expect(await readFile(file, 'utf8')).toBe(foreign);
		expect((await readdir(path.join(meta, 'backups', 'counter.json'))).sort()).toEqual(['000000000001.json']);
	});

	it('remove() deletes a state file and its backups, so it reads as new (not as damage)', async () => {
		const {store, meta} = await newStore();
		const spec = jobSpec('gone');
		await store.update(spec, job => ({...job, state: 'done' as const}));
		await store.remove(spec);
		await expect(stat(path.join(meta, 'queue', 'gone.json'))).rejects.toMatchObject({code: 'ENOENT'});
		await expect(stat(path.join(meta, 'backups', 'queue', 'gone.json'))).rejects.toMatchObject({code: 'ENOENT'});
		expect(await store.read(spec)).toEqual({data: {id: 'gone', state: 'queued'}, generation: 0});
		await store.remove(spec); // removing what is not there is fine
	});

	it('inspect() reports ok, missing and damaged without changing anything', async () => {
		const {store, meta} = await newStore();
		expect(await store.inspect(counterSpec)).toMatchObject({status: 'missing', backups: 0});
		await store.update(counterSpec, () => ({n: 1}));
		await store.update(counterSpec, () => ({n: 2}));
		expect(await store.inspect(counterSpec)).toMatchObject({status: 'ok', generation: 2, backups: 2});
		await atomicWriteFile(path.join(meta, 'counter.json'), '{"format":"cws-state","generation":2,"sha2');
		const inspection = await store.inspect(counterSpec);
		expect(inspection).toMatchObject({status: 'damaged', restorable: 2, generation: 2});
		expect(inspection.fault).toMatch(/^truncated or not JSON/);
		await expect(stat(path.join(meta, 'quarantine'))).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('keeps exactly `backups` generations while pruning by name, and a folder listing every 16th generation removes what a gap left', async () => {
		const {store, meta} = await newStore();
		const dir = path.join(meta, 'backups', 'counter.json');
		for (let i = 0; i < 20; i++) {
			await store.update(counterSpec, current => ({n: current.n + 1}));
		}

		expect((await readdir(dir)).sort()).toEqual(['000000000018.json', '000000000019.json', '000000000020.json']);
		// A straggler the per-generation prune does not name (as a recovery's jump in generations leaves).
		await writeFile(path.join(dir, '000000000002.json'), await readFile(path.join(dir, '000000000018.json')));
		for (let i = 0; i < 11; i++) {
			await store.update(counterSpec, current => ({n: current.n + 1}));
		}

		expect(await readdir(dir)).toContain('000000000002.json');
		await store.update(counterSpec, current => ({n: current.n + 1})); // generation 32
		expect((await readdir(dir)).sort()).toEqual(['000000000030.json', '000000000031.json', '000000000032.json']);
	});

	it('a read after a change made behind its back sees the change, not what this process last verified', async () => {
		const {store, meta} = await newStore();
		await store.update(counterSpec, () => ({n: 1}));
		expect((await store.read(counterSpec)).data).toEqual({n: 1});
		await atomicWriteFile(path.join(meta, 'counter.json'), encodeEnvelope({n: 42}, {version: 1, generation: 7}));
		expect(await store.read(counterSpec)).toEqual({data: {n: 42}, generation: 7});
		expect(await store.update(counterSpec, current => ({n: current.n + 1}))).toEqual({data: {n: 43}, generation: 8});
	});

	it('hands out a fresh object on every read: changing one does not change what the next read returns', async () => {
		const {store} = await newStore();
		await store.update(counterSpec, () => ({n: 1}));
		const first = await store.read(counterSpec);
		first.data.n = 99;
		expect((await store.read(counterSpec)).data).toEqual({n: 1});
		const updated = await store.update(counterSpec, current => {
			current.n = 500; // changed in place, then the update fails
			throw new Error('no');
		}).catch(() => undefined);
		expect(updated).toBeUndefined();
		expect((await store.read(counterSpec)).data).toEqual({n: 1});
	});

	it('state file names must stay inside .cws', async () => {
		const {store} = await newStore();
		expect(() => store.filePath({name: '../escape.json'})).toThrow(/inside \.cws/);
		expect(() => store.filePath({name: '/etc/passwd'})).toThrow(/inside \.cws/);
	});
});
