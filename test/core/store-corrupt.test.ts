import {readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {encodeEnvelope} from '../../source/core/envelope.js';
import {Store, type RecoveryReport} from '../../source/core/store.js';
import {tempDirs} from '../helpers/tmp.js';
import {counterSpec, type Counter} from '../fixtures/store-specs.js';

const temps = tempDirs('store-corrupt');
afterAll(async () => temps.cleanupAll());

/** A store whose counter went through generations 1..5 (n = generation); 3 backups kept (3, 4, 5). */
async function storeAtGeneration5(): Promise<{store: Store; meta: string; file: string; reports: RecoveryReport[]}> {
	const meta = path.join(await temps.create(), '.cws');
	const store = new Store(meta);
	for (let i = 0; i < 5; i++) {
		await store.update(counterSpec, current => ({n: current.n + 1}));
	}

	const reports: RecoveryReport[] = [];
	store.onRecovery(report => reports.push(report));
	return {store, meta, file: path.join(meta, 'counter.json'), reports};
}

function envelopeText(payload: unknown, overrides: Record<string, unknown>): string {
	const envelope = JSON.parse(encodeEnvelope(payload, {version: 1, generation: 5})) as Record<string, unknown>;
	return JSON.stringify({...envelope, ...overrides});
}

const valid = encodeEnvelope({n: 5}, {version: 1, generation: 5});
const faults: Array<{kind: string; bytes: Buffer; fault: RegExp}> = [
	{kind: 'empty', bytes: Buffer.alloc(0), fault: /^empty file$/},
	{kind: 'truncated', bytes: Buffer.from(valid.slice(0, Math.floor(valid.length / 2))), fault: /^truncated or not JSON/},
	{kind: 'garbage', bytes: Buffer.from([0x00, 0xFF, 0x13, 0x37, 0x80, 0x7B, 0x0A, 0xC3]), fault: /^truncated or not JSON/},
	{kind: 'valid JSON, wrong schema', bytes: Buffer.from(encodeEnvelope({n: 'five'}, {version: 1, generation: 5})), fault: /^schema: n: expected a number$/},
	// The checksum of {n: 5} over the payload {n: 999}.
	{kind: 'bad checksum', bytes: Buffer.from(envelopeText({n: 5}, {payload: {n: 999}})), fault: /^checksum mismatch/},
	{kind: 'future format version', bytes: Buffer.from(envelopeText({n: 5}, {version: 9})), fault: /^format version 9 is newer than this cws understands \(1\)$/},
];

describe('a state file that fails verification', () => {
	for (const {kind, bytes, fault} of faults) {
		it(`${kind}: is quarantined byte for byte and the newest valid backup is restored, with a message`, async () => {
			const {store, meta, file, reports} = await storeAtGeneration5();
			await writeFile(file, bytes);

			const loaded = await store.read(counterSpec);
			expect(loaded.data).toEqual({n: 5});
			expect(loaded.generation).toBe(6); // published as a new generation, above every one seen
			const report = loaded.recovered!;
			expect(report.fault).toMatch(fault);
			expect(report.file).toBe(file);
			expect(report.restoredGeneration).toBe(5);
			expect(report.message).toContain('counter.json');
			expect(report.message).toContain(report.fault);
			expect(report.message).toContain('generation 5 was restored');
			expect(path.dirname(report.quarantinedTo)).toBe(path.join(meta, 'quarantine'));
			expect(await readFile(report.quarantinedTo)).toEqual(bytes);
			expect((await stat(report.quarantinedTo)).mode & 0o777).toBe(0o600);
			expect(reports).toEqual([report]);

			// The file verifies again, and the next read needs no repair.
			const again = await store.read(counterSpec);
			expect(again).toEqual({data: {n: 5}, generation: 6});
			expect((await store.inspect(counterSpec)).status).toBe('ok');
		});
	}

	it('an edit in place of the live file leaves its newest backup valid: backups are copies, not links', async () => {
		const {store, meta, file} = await storeAtGeneration5();
		const newest = path.join(meta, 'backups', 'counter.json', '000000000005.json');
		const before = await readFile(newest);
		expect(before).toEqual(await readFile(file));
		expect((await stat(newest)).nlink).toBe(1);
		expect((await stat(newest)).ino).not.toBe((await stat(file)).ino);
		// A shell's `>` truncates and rewrites the same inode.
		await writeFile(file, '{"edited": "by hand"}\n');
		expect(await readFile(newest)).toEqual(before);
		const loaded = await store.read(counterSpec);
		expect(loaded.recovered?.restoredGeneration).toBe(5);
		expect(loaded.data).toEqual({n: 5});
	});

	it('skips a damaged newest backup and restores the newest one that verifies', async () => {
		const {store, meta, file} = await storeAtGeneration5();
		await writeFile(file, 'not json');
		await writeFile(path.join(meta, 'backups', 'counter.json', '000000000005.json'), '{"format":"cws-state"');
		const loaded = await store.read(counterSpec);
		expect(loaded.data).toEqual({n: 4});
		expect(loaded.recovered?.restoredGeneration).toBe(4);
		expect(loaded.generation).toBe(6);
	});

	it('an update on a damaged file recovers first, then applies the change to the restored content', async () => {
		const {store, file, reports} = await storeAtGeneration5();
		await writeFile(file, '');
		const loaded = await store.update(counterSpec, current => ({n: current.n + 1}));
		expect(loaded.data).toEqual({n: 6});
		expect(loaded.generation).toBe(7);
		expect(loaded.recovered?.fault).toBe('empty file');
		expect(reports).toHaveLength(1);
		expect((await store.read(counterSpec)).data).toEqual({n: 6});
	});

	it('listeners hear of a recovery after the lock is released, so they may update the file themselves', async () => {
		const {store, file} = await storeAtGeneration5();
		await writeFile(file, 'garbage');
		const followUps: Array<Promise<unknown>> = [];
		store.onRecovery(() => {
			followUps.push(store.update(counterSpec, current => ({n: current.n + 100})));
		});
		const loaded = await store.update(counterSpec, current => ({n: current.n + 1}));
		expect(loaded.data).toEqual({n: 6});
		await Promise.all(followUps);
		expect((await store.read(counterSpec)).data).toEqual({n: 106});
	});

	it('a missing file whose backups exist is restored and reported, not silently started empty', async () => {
		const {store, file} = await storeAtGeneration5();
		await rm(file);
		const loaded = await store.read(counterSpec);
		expect(loaded.data).toEqual({n: 5});
		expect(loaded.recovered?.quarantinedTo).toBe('');
		expect(loaded.recovered?.message).toContain('was missing');
	});

	it('with no valid backup: STATE_CORRUPT naming the file, the fault and the copy; nothing overwritten', async () => {
		const {store, meta, file} = await storeAtGeneration5();
		await rm(path.join(meta, 'backups'), {recursive: true});
		const bad = Buffer.from(envelopeText({n: 5}, {payload: {n: 999}}));
		await writeFile(file, bad);

		const error = await store.read(counterSpec).then(() => undefined, (error_: unknown) => error_ as {code: string; message: string; hint: string});
		expect(error?.code).toBe('STATE_CORRUPT');
		expect(error?.message).toContain(file);
		expect(error?.message).toContain('checksum mismatch');
		expect(error?.message).toContain('it has no backups');
		expect(error?.message).toContain(path.join(meta, 'quarantine'));
		expect(error?.hint).toMatch(/Repair .* by hand/);
		expect(await readFile(file)).toEqual(bad);

		// An update refuses too, and reading again does not pile up copies.
		await expect(store.update(counterSpec, current => ({n: current.n + 1}))).rejects.toMatchObject({code: 'STATE_CORRUPT'});
		expect(await readFile(file)).toEqual(bad);
		const copies = await readdir(path.join(meta, 'quarantine'));
		expect(copies).toHaveLength(1);
		expect(await readFile(path.join(meta, 'quarantine', copies[0]!))).toEqual(bad);
		const inspection = await store.inspect(counterSpec);
		expect(inspection).toMatchObject({status: 'damaged', backups: 0});
		expect(inspection.restorable).toBeUndefined();
	});

	it('never falls back to the initial content over a bad file', async () => {
		const meta = path.join(await temps.create(), '.cws');
		const store = new Store(meta);
		await store.update(counterSpec, () => ({n: 1}));
		await rm(path.join(meta, 'backups'), {recursive: true});
		await writeFile(path.join(meta, 'counter.json'), '{}');
		await expect(store.read<Counter>(counterSpec)).rejects.toMatchObject({code: 'STATE_CORRUPT'});
	});
});
